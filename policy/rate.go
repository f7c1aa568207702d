package policy

import (
	"fmt"
	"strings"
	"time"

	"github.com/ferryhq/ferry"
)

// Rate is a data rate in bytes per second, written as a size per
// duration: "50MB/min", "1GB/s", "300MB/10m".
type Rate float64

// ParseRate reads a rate written as SIZE/DURATION; the duration may be a
// bare unit (s, m, min, h) or a Go duration ("10m"), and "0" is no rate.
func ParseRate(s string) (Rate, error) {
	if strings.TrimSpace(s) == "0" {
		return 0, nil
	}
	size, per, ok := strings.Cut(s, "/")
	if !ok {
		return 0, fmt.Errorf("rate %q: want SIZE/DURATION, e.g. 50MB/min", s)
	}
	b, err := ferry.ParseBytes(size)
	if err != nil {
		return 0, fmt.Errorf("rate %q: %v", s, err)
	}
	per = strings.TrimSpace(per)
	units := map[string]time.Duration{"s": time.Second, "sec": time.Second, "m": time.Minute, "min": time.Minute, "h": time.Hour}
	d, ok := units[per]
	if !ok {
		pd, err := ParseDuration(per)
		if err != nil || pd <= 0 {
			return 0, fmt.Errorf("rate %q: the duration %q is not valid", s, per)
		}
		d = time.Duration(pd)
	}
	return Rate(float64(b) / d.Seconds()), nil
}

// UnmarshalText reads a rate as ParseRate does.
func (r *Rate) UnmarshalText(text []byte) error {
	v, err := ParseRate(string(text))
	if err != nil {
		return err
	}
	*r = v
	return nil
}

// MarshalText writes the rate per minute, e.g. "50 MB/min".
func (r Rate) MarshalText() ([]byte, error) { return []byte(r.String()), nil }

// String writes the rate per minute, e.g. "50 MB/min".
func (r Rate) String() string {
	if r == 0 {
		return "0"
	}
	return ferry.Bytes(float64(r)*60+0.5).String() + "/min"
}
