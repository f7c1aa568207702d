package policy

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Duration is a time.Duration that policy files may also write in days
// ("7d", "15d") besides Go's units ("24h", "90m").
type Duration time.Duration

// ParseDuration reads "7d", "1d12h", "24h", "90m", "30s".
func ParseDuration(s string) (Duration, error) {
	in := strings.TrimSpace(s)
	var days int64
	if i := strings.IndexByte(in, 'd'); i > 0 {
		n, err := strconv.ParseInt(in[:i], 10, 64)
		if err != nil || n < 0 {
			return 0, fmt.Errorf("duration %q: want e.g. 7d, 24h, 90m", s)
		}
		days, in = n, in[i+1:]
	}
	var rest time.Duration
	if in != "" {
		d, err := time.ParseDuration(in)
		if err != nil || d < 0 {
			return 0, fmt.Errorf("duration %q: want e.g. 7d, 24h, 90m", s)
		}
		rest = d
	}
	return Duration(time.Duration(days)*24*time.Hour + rest), nil
}

// UnmarshalText reads a duration as ParseDuration does.
func (d *Duration) UnmarshalText(text []byte) error {
	v, err := ParseDuration(string(text))
	if err != nil {
		return err
	}
	*d = v
	return nil
}

// MarshalText writes the duration as String does.
func (d Duration) MarshalText() ([]byte, error) { return []byte(d.String()), nil }

// String writes the duration as people write it, in units that
// ParseDuration reads back, leaving out the zero ones: "7d", "1d12h",
// "24h" is "1d", "90m" is "1h30m", "30s", "1m0.5s" keeps Go's form for
// what is not whole seconds; "0s" for zero.
func (d Duration) String() string {
	td := time.Duration(d)
	if td <= 0 || td%time.Second != 0 {
		return td.String()
	}
	var b strings.Builder
	for _, u := range []struct {
		unit time.Duration
		name string
	}{{24 * time.Hour, "d"}, {time.Hour, "h"}, {time.Minute, "m"}, {time.Second, "s"}} {
		if n := td / u.unit; n > 0 {
			fmt.Fprintf(&b, "%d%s", n, u.name)
			td -= n * u.unit
		}
	}
	return b.String()
}
