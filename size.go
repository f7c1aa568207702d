package ferry

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
)

// ParseBytes reads a size as administrators write it in policy: a plain
// number of bytes, or a number with a unit. Decimal units are powers of
// 1000 (KB, MB, GB, TB, PB; "5GB" = 5×10^9) and binary units powers of 1024
// (KiB, MiB, GiB, TiB, PiB; "5GiB" = 5×2^30). Case and a space before the
// unit are ignored; fractions are allowed ("1.5GB").
func ParseBytes(s string) (Bytes, error) {
	in := strings.TrimSpace(s)
	i := 0
	for i < len(in) && (in[i] >= '0' && in[i] <= '9' || in[i] == '.') {
		i++
	}
	num, unit := in[:i], strings.ToLower(strings.TrimSpace(in[i:]))
	if num == "" {
		return 0, fmt.Errorf("size %q: want a number of bytes or a number with a unit (5GB, 4GiB)", s)
	}
	mult, ok := byteUnits[unit]
	if !ok {
		return 0, fmt.Errorf("size %q: unknown unit %q (use B, KB, MB, GB, TB, KiB, MiB, GiB, TiB)", s, unit)
	}
	if !strings.Contains(num, ".") {
		n, err := strconv.ParseInt(num, 10, 64)
		if err != nil || (n != 0 && mult > (1<<63-1)/n) {
			return 0, fmt.Errorf("size %q: out of range", s)
		}
		return Bytes(n * mult), nil
	}
	f, err := strconv.ParseFloat(num, 64)
	if err != nil || f*float64(mult) >= 1<<63 {
		return 0, fmt.Errorf("size %q: not a number", s)
	}
	return Bytes(f * float64(mult)), nil
}

var byteUnits = map[string]int64{
	"": 1, "b": 1,
	"kb": 1e3, "mb": 1e6, "gb": 1e9, "tb": 1e12, "pb": 1e15,
	"k": 1e3, "m": 1e6, "g": 1e9, "t": 1e12,
	"kib": 1 << 10, "mib": 1 << 20, "gib": 1 << 30, "tib": 1 << 40, "pib": 1 << 50,
}

// UnmarshalText reads a size written as ParseBytes accepts (YAML scalars).
func (b *Bytes) UnmarshalText(text []byte) error {
	v, err := ParseBytes(string(text))
	if err != nil {
		return err
	}
	*b = v
	return nil
}

// UnmarshalJSON accepts a number of bytes or a string as ParseBytes reads.
func (b *Bytes) UnmarshalJSON(data []byte) error {
	var n int64
	if err := json.Unmarshal(data, &n); err == nil {
		*b = Bytes(n)
		return nil
	}
	var s string
	if err := json.Unmarshal(data, &s); err != nil {
		return fmt.Errorf("size: want a number or a string like \"5GB\"")
	}
	return b.UnmarshalText([]byte(s))
}
