package policy

import (
	"math/rand/v2"
	"net/netip"
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/ferryhq/ferry"
)

// A metadata store answers with the counting transfers and its counts
// (Usage.Counted) instead of every recent transfer; the rules must decide
// exactly as they do over the whole list, outcome by outcome, Retry-After
// and details included.
func TestCountedUsageDecidesAsTheList(t *testing.T) {
	now := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	rng := rand.New(rand.NewPCG(7, 11))
	states := []ferry.State{ferry.StateUploading, ferry.StateInspecting, ferry.StateAvailable, ferry.StateDownloaded,
		ferry.StateRejected, ferry.StateRecalled, ferry.StateExpired, ferry.StateDeclined}
	nets := []string{"", "192.0.2.0/24", "198.51.100.0/24", "203.0.113.0/24", "2001:db8::/64"}
	ips := []string{"192.0.2.7", "198.51.100.1", "203.0.113.9", "2001:db8::1", "100.64.0.1", ""}
	offsets := []time.Duration{-time.Second, 0, time.Nanosecond, 20 * time.Second, 30 * time.Second, time.Minute,
		5 * time.Minute, 15 * time.Minute, time.Hour, 23 * time.Hour, ferry.UsageWindow - time.Nanosecond, ferry.UsageWindow}
	var policies []*Policy
	for _, per := range []time.Duration{30 * time.Second, time.Minute, 10 * time.Minute} {
		for _, window := range []time.Duration{5 * time.Minute, 15 * time.Minute} {
			for n := 1; n <= 4; n++ {
				p := Default()
				tier := p.Tiers[ferry.TierFree]
				tier.Burst = Burst{Count: 2 * n, Per: Duration(per)}
				tier.DailyVolume, tier.StorageQuota = ferry.Bytes(1000*n), 1e12
				p.Sessions = Sessions{MaxNetworks: n, Window: Duration(window)}
				if err := p.Complete(); err != nil {
					t.Fatal(err)
				}
				policies = append(policies, p)
			}
		}
	}
	refused := map[ferry.Code]int{}
	for i := range 3000 {
		p := policies[rng.IntN(len(policies))]
		var all []ferry.Sent
		for range rng.IntN(16) {
			s := ferry.Sent{CreatedAt: now.Add(-offsets[rng.IntN(len(offsets))] - time.Duration(rng.IntN(3))*time.Second),
				Size: int64(rng.IntN(900)), State: states[rng.IntN(len(states))], Network: nets[rng.IntN(len(nets))]}
			if s.State == ferry.StateExpired && rng.IntN(2) == 0 {
				s.Code = ferry.CodeUploadStalled
			}
			all = append(all, s)
		}
		slices.SortStableFunc(all, func(a, b ferry.Sent) int { return a.CreatedAt.Compare(b.CreatedAt) })
		f := Facts{Now: now, Account: free, Name: "report.pdf", Size: int64(rng.IntN(1500))}
		if ip := ips[rng.IntN(len(ips))]; ip != "" {
			f.ClientIP = netip.MustParseAddr(ip)
		}
		listed, byStore := f, f
		listed.Usage = &ferry.Usage{StorageBytes: 10, Recent: all}
		byStore.Usage = storeAnswer(all, now, p.UsageSpans(ferry.TierFree))
		want, got := p.Evaluate(listed), p.Evaluate(byStore)
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("case %d: counted usage decides\n\t%+v\nthe whole list\n\t%+v\n(recent %+v)", i, got, want, all)
		}
		refused[ferry.ErrorCode(Verdict(want))]++

		// And the counts made from the list are those the rules made
		// before stores counted (the functions of that version, below).
		per, window := time.Duration(p.Tiers[ferry.TierFree].Burst.Per), time.Duration(p.Sessions.Window)
		c := counted(listed.Usage, now, p.UsageSpans(ferry.TierFree))
		n, freeIn := burstBefore(all, now, per)
		if c.Created != n || n > 0 && c.FirstCreated.Add(per).Sub(now) != freeIn {
			t.Fatalf("case %d: counted %d, first %v; before: %d, free in %v", i, c.Created, c.FirstCreated, n, freeIn)
		}
		if old := networksBefore(all, now, window); len(old) != len(c.Networks) {
			t.Fatalf("case %d: networks %q; before: %v", i, c.Networks, old)
		} else {
			for _, net := range c.Networks {
				if !old[net] {
					t.Fatalf("case %d: networks %q; before: %v", i, c.Networks, old)
				}
			}
		}
	}
	for _, code := range []ferry.Code{0, ferry.CodeTooManyUploads, ferry.CodeSessionAnomaly, ferry.CodeDailyVolumeExceeded} {
		if refused[code] < 100 {
			t.Errorf("only %d cases decided %d: %v", refused[code], code, refused)
		}
	}
}

// storeAnswer is what a metadata store answers for recent: the transfers
// of the window that count, and the counts over spans, made by hand.
func storeAnswer(recent []ferry.Sent, now time.Time, spans ferry.UsageSpans) *ferry.Usage {
	u := &ferry.Usage{StorageBytes: 10, Counted: &ferry.Counted{Spans: spans}}
	seen := map[string]bool{}
	for _, s := range recent {
		if s.CreatedAt.After(now) {
			continue
		}
		age := now.Sub(s.CreatedAt)
		if age < ferry.UsageWindow && s.Counts() {
			u.Recent = append(u.Recent, s)
		}
		if age < spans.Burst {
			if u.Counted.Created == 0 {
				u.Counted.FirstCreated = s.CreatedAt
			}
			u.Counted.Created++
		}
		if age < spans.Networks && s.Network != "" && !seen[s.Network] {
			seen[s.Network] = true
			u.Counted.Networks = append(u.Counted.Networks, s.Network)
		}
	}
	slices.Sort(u.Counted.Networks)
	return u
}

func TestUsageSpans(t *testing.T) {
	p := Default()
	p.Tiers[ferry.TierMember].Burst = Burst{Count: 3, Per: Duration(48 * time.Hour)}
	p.Tiers[ferry.TierSuper].Burst = Burst{}
	if err := p.Complete(); err != nil {
		t.Fatal(err)
	}
	for tier, want := range map[ferry.Tier]ferry.UsageSpans{
		ferry.TierFree:   {Burst: time.Minute, Networks: 15 * time.Minute},
		ferry.TierMember: {Burst: ferry.UsageWindow, Networks: 15 * time.Minute}, // no further back than Recent
		"nope":           {Networks: 15 * time.Minute},
	} {
		if got := p.UsageSpans(tier); got != want {
			t.Errorf("UsageSpans(%s) = %+v, want %+v", tier, got, want)
		}
	}
}

// A Usage counted over other spans than the policy's is refused, not
// guessed at.
func TestCountedOverOtherSpans(t *testing.T) {
	p := Default()
	if err := p.Complete(); err != nil {
		t.Fatal(err)
	}
	u := &ferry.Usage{Counted: &ferry.Counted{Spans: ferry.UsageSpans{Burst: time.Hour}}}
	err := Verdict(p.Evaluate(Facts{Now: time.Now(), Account: free, Name: "a.pdf", Size: 1, Usage: u}))
	if ferry.ErrorCode(err) != ferry.CodeInternal {
		t.Fatalf("verdict %v, want 9000", err)
	}
}

// burstBefore and networksBefore are how the burst and session rules
// counted before Usage.Counted, kept as the reference.
func burstBefore(recent []ferry.Sent, now time.Time, per time.Duration) (int, time.Duration) {
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

func networksBefore(recent []ferry.Sent, now time.Time, window time.Duration) map[string]bool {
	out := map[string]bool{}
	for _, s := range recent {
		if s.Network != "" && now.Sub(s.CreatedAt) < window && !s.CreatedAt.After(now) {
			out[s.Network] = true
		}
	}
	return out
}
