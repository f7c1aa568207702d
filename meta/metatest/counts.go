package metatest

import (
	"cmp"
	"fmt"
	"math/rand/v2"
	"slices"
	"time"

	"github.com/ferryhq/ferry"
)

// testUsageCounts checks Usage against a count of every transfer, for
// transfers created in any order (ties, out of order, later than now) and
// later given back or expired, at several moments and over several spans.
// A store that counts by keeping running figures must agree with counting
// by hand at every moment.
func testUsageCounts(e *env) {
	alice, bob, carol := e.account("alice"), e.account("bob"), e.account("carol")
	rng := rand.New(rand.NewPCG(1, 2))
	nets := []string{"", "192.0.2.0/24", "198.51.100.0/24", "203.0.113.0/24", "2001:db8::/64"}
	// Moments around base(), half an hour apart, and the window's edges.
	var moments []time.Duration
	for m := -50; m <= 2; m++ {
		moments = append(moments, time.Duration(m)*30*time.Minute)
	}
	moments = append(moments, -ferry.UsageWindow+time.Nanosecond, time.Nanosecond, -time.Nanosecond)
	var all []*ferry.Transfer
	for i := range 240 {
		sender := []*ferry.Account{alice, bob}[rng.IntN(2)]
		created := at(moments[rng.IntN(len(moments))])
		t := transfer(fmt.Sprintf("c%03d", i), sender, created, int64(1+rng.IntN(1000)), ferry.StateUploading, carol)
		t.Network = nets[rng.IntN(len(nets))]
		e.create(t)
		all = append(all, t)
		if rng.IntN(3) == 0 { // later, what became of an earlier one
			u := all[rng.IntN(len(all))]
			giveBack(u, rng)
			e.update(u)
		}
	}
	spans := []ferry.UsageSpans{{Burst: time.Hour, Networks: 2 * time.Hour}, {Burst: ferry.UsageWindow, Networks: 15 * time.Minute},
		{Burst: 30 * time.Minute}, {Networks: ferry.UsageWindow}, {}}
	for _, sender := range []*ferry.Account{alice, bob} {
		for _, m := range moments {
			for _, sp := range spans {
				now := at(m)
				got, err := e.s.Usage(e.ctx, sender.ID, now, sp)
				e.ok(err, "Usage")
				want := countByHand(all, sender.ID, now, sp)
				if !slices.IsSortedFunc(got.Recent, func(a, b ferry.Sent) int { return a.CreatedAt.Compare(b.CreatedAt) }) {
					e.t.Errorf("Usage(%s, base%+v): Recent not oldest first", sender.Username, m)
				}
				sortSent(got.Recent) // ties may come in any order
				checkUsage(e, fmt.Sprintf("Usage(%s, base%+v, %+v)", sender.Username, m, sp), got, want)
			}
		}
	}
	// A create sees the same usage, as of its CreatedAt, inside its
	// transaction.
	now := at(-90 * time.Minute)
	var seen ferry.Usage
	e.ok(e.s.CreateTransfer(e.ctx, transfer("c-last", alice, now, 1, ferry.StateUploading, carol), spans[0], func(u ferry.Usage) error {
		seen = u
		return nil
	}), "CreateTransfer")
	sortSent(seen.Recent)
	checkUsage(e, "usage seen by CreateTransfer", seen, countByHand(all, alice.ID, now, spans[0]))
}

// giveBack moves t on to a later state, at random: delivered, given back
// (rejected, recalled, abandoned), or expired after delivery.
func giveBack(t *ferry.Transfer, rng *rand.Rand) {
	switch rng.IntN(7) {
	case 0:
		t.State = ferry.StateAvailable
	case 1:
		t.State = ferry.StateDownloaded
	case 2:
		t.State, t.Error = ferry.StateRejected, ferry.E(ferry.CodeChecksumMismatch)
	case 3:
		t.State = ferry.StateRecalled
	case 4:
		t.State, t.Error = ferry.StateExpired, ferry.E(ferry.CodeUploadStalled)
	case 5:
		t.State, t.Error = ferry.StateExpired, nil
	case 6:
		t.State = ferry.StateDeclined
	}
}

// countByHand is what Usage must answer, counted from every transfer.
func countByHand(all []*ferry.Transfer, sender int64, now time.Time, sp ferry.UsageSpans) ferry.Usage {
	u := ferry.Usage{Counted: &ferry.Counted{Spans: sp}}
	within := func(t *ferry.Transfer, span time.Duration) bool {
		return !t.CreatedAt.After(now) && now.Sub(t.CreatedAt) < span
	}
	seen := map[string]bool{}
	for _, t := range all {
		if t.SenderID != sender {
			continue
		}
		if t.State.Live() {
			u.StorageBytes += t.Size
		}
		s := ferry.Sent{CreatedAt: t.CreatedAt, Size: t.Size, State: t.State, Network: t.Network}
		if t.Error != nil {
			s.Code = t.Error.Code
		}
		if within(t, ferry.UsageWindow) && s.Counts() {
			u.Recent = append(u.Recent, s)
		}
		if within(t, sp.Burst) {
			if u.Counted.Created == 0 || t.CreatedAt.Before(u.Counted.FirstCreated) {
				u.Counted.FirstCreated = t.CreatedAt
			}
			u.Counted.Created++
		}
		if within(t, sp.Networks) && t.Network != "" && !seen[t.Network] {
			seen[t.Network] = true
			u.Counted.Networks = append(u.Counted.Networks, t.Network)
		}
	}
	slices.Sort(u.Counted.Networks)
	sortSent(u.Recent)
	return u
}

// sortSent orders recent transfers oldest first, ties by their fields.
func sortSent(s []ferry.Sent) {
	slices.SortStableFunc(s, func(a, b ferry.Sent) int {
		return cmp.Or(a.CreatedAt.Compare(b.CreatedAt), cmp.Compare(a.Size, b.Size),
			cmp.Compare(a.State, b.State), cmp.Compare(a.Network, b.Network))
	})
}
