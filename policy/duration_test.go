package policy

import (
	"testing"
	"time"
)

// Durations print as people write them, and read back as they printed.
func TestDurationString(t *testing.T) {
	for d, want := range map[time.Duration]string{
		time.Minute: "1m", 30 * time.Minute: "30m", 90 * time.Minute: "1h30m", 24 * time.Hour: "1d",
		36*time.Hour + 30*time.Minute + 5*time.Second: "1d12h30m5s", 15 * day: "15d", 0: "0s",
		1500 * time.Millisecond: "1.5s",
	} {
		got := Duration(d).String()
		if got != want {
			t.Errorf("%v prints %q, want %q", d, got, want)
		}
		if back, err := ParseDuration(got); err != nil || time.Duration(back) != d {
			t.Errorf("%q reads back as %v, %v", got, back, err)
		}
	}
}
