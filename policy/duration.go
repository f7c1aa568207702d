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

// MarshalText writes whole days as "7d", anything else in Go's form.
func (d Duration) MarshalText() ([]byte, error) { return []byte(d.String()), nil }

// String writes whole days as "7d", anything else in Go's form.
func (d Duration) String() string {
	td := time.Duration(d)
	if td > 0 && td%(24*time.Hour) == 0 {
		return fmt.Sprintf("%dd", td/(24*time.Hour))
	}
	return td.String()
}
