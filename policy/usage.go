package policy

import (
	"slices"
	"time"

	"github.com/ferryhq/ferry"
)

// UsageSpans returns the spans the usage rules of tier t count over, as a
// metadata store is asked for them: the burst limit's (none when the tier
// has no limit) and the session rule's. Recent transfers reach back
// ferry.UsageWindow at most, so no span is longer.
func (p *Policy) UsageSpans(t ferry.Tier) ferry.UsageSpans {
	var s ferry.UsageSpans
	if tier := p.Tier(t); tier != nil && tier.Burst.Count > 0 {
		s.Burst = min(time.Duration(tier.Burst.Per), ferry.UsageWindow)
	}
	s.Networks = min(time.Duration(p.Sessions.Window), ferry.UsageWindow)
	return s
}

// counted returns what the burst and session rules count: the store's
// counts, or, for a Usage that lists every recent transfer (Counted nil),
// the counts made from that list.
func counted(u *ferry.Usage, now time.Time, spans ferry.UsageSpans) *ferry.Counted {
	if u.Counted != nil {
		return u.Counted
	}
	c := &ferry.Counted{Spans: spans}
	nets := map[string]bool{}
	for _, s := range u.Recent {
		if s.CreatedAt.After(now) {
			continue
		}
		age := now.Sub(s.CreatedAt)
		if age < spans.Burst {
			if c.Created == 0 || s.CreatedAt.Before(c.FirstCreated) {
				c.FirstCreated = s.CreatedAt
			}
			c.Created++
		}
		if s.Network != "" && age < spans.Networks && !nets[s.Network] {
			nets[s.Network] = true
			c.Networks = append(c.Networks, s.Network)
		}
	}
	slices.Sort(c.Networks)
	return c
}

// volume returns the bytes sent in the 24 hours before now that count.
func volume(recent []ferry.Sent, now time.Time) int64 {
	var sum int64
	for _, s := range recent {
		if s.Counts() && now.Sub(s.CreatedAt) < ferry.UsageWindow && !s.CreatedAt.After(now) {
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
		if s.Counts() && now.Sub(s.CreatedAt) < ferry.UsageWindow {
			used -= s.Size
			if used+size <= limit {
				return s.CreatedAt.Add(ferry.UsageWindow).Sub(now), true
			}
		}
	}
	return 0, true
}
