package policy

import (
	"time"

	"github.com/ferryhq/ferry"
)

// countsAsSent reports whether a recent transfer still uses the sender's
// rolling 24-hour volume: it does from its creation (the reservation) on,
// unless it was rejected, recalled, or abandoned before its last byte.
func countsAsSent(s ferry.Sent) bool {
	switch s.State {
	case ferry.StateRejected, ferry.StateRecalled:
		return false
	case ferry.StateExpired:
		return s.Code != ferry.CodeUploadStalled
	}
	return true
}

// volume returns the bytes sent in the 24 hours before now that count.
func volume(recent []ferry.Sent, now time.Time) int64 {
	var sum int64
	for _, s := range recent {
		if countsAsSent(s) && now.Sub(s.CreatedAt) < ferry.UsageWindow && !s.CreatedAt.After(now) {
			sum += s.Size
		}
	}
	return sum
}

// volumeFreesIn returns how long until sending size more bytes fits in
// limit, as older transfers leave the rolling window; false when it never
// will (the file alone is larger than the limit).
func volumeFreesIn(recent []ferry.Sent, now time.Time, limit, size int64) (time.Duration, bool) {
	if size > limit {
		return 0, false
	}
	used := volume(recent, now)
	for _, s := range recent { // oldest first
		if used+size <= limit {
			break
		}
		if countsAsSent(s) && now.Sub(s.CreatedAt) < ferry.UsageWindow {
			used -= s.Size
			if used+size <= limit {
				return s.CreatedAt.Add(ferry.UsageWindow).Sub(now), true
			}
		}
	}
	return 0, true
}

// burst returns how many transfers were created in the Per before now, and
// when the oldest of them leaves that span.
func burst(recent []ferry.Sent, now time.Time, per time.Duration) (int, time.Duration) {
	n := 0
	var oldest time.Time
	for _, s := range recent {
		if now.Sub(s.CreatedAt) < per && !s.CreatedAt.After(now) {
			if n == 0 {
				oldest = s.CreatedAt
			}
			n++
		}
	}
	if n == 0 {
		return 0, 0
	}
	return n, oldest.Add(per).Sub(now)
}

// networks returns the distinct networks the account created transfers
// from within window before now.
func networks(recent []ferry.Sent, now time.Time, window time.Duration) map[string]bool {
	out := map[string]bool{}
	for _, s := range recent {
		if s.Network != "" && now.Sub(s.CreatedAt) < window && !s.CreatedAt.After(now) {
			out[s.Network] = true
		}
	}
	return out
}
