package metatest

import (
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/ferryhq/ferry"
)

func usageTests() []test {
	return []test{
		{"Usage/StatesAndWindow", testUsage},
		{"Usage/SeenByCreate", testUsageSeenByCreate},
		{"Usage/ConcurrentQuota", testConcurrentQuota},
		{"Usage/Counts", testUsageCounts},
		{"Usage/NetworksToTheNanosecond", testNetworksExact},
	}
}

// fixtureSpans are the spans the fixture's usage is counted over.
var fixtureSpans = ferry.UsageSpans{Burst: time.Hour, Networks: 2 * time.Hour}

// usageFixture creates alice's transfers around base() and returns the
// Usage as of base() over fixtureSpans they add up to.
func usageFixture(e *env) (*ferry.Account, ferry.Usage) {
	alice, bob := e.account("alice"), e.account("bob")
	old := transfer("a-old", alice, at(-25*time.Hour), 400, ferry.StateDownloaded, bob) // live, before the window
	old.Network = "192.0.2.0/24"
	e.create(old)
	e.create(transfer("a-edge", alice, at(-ferry.UsageWindow), 500, ferry.StateExpired, bob)) // exactly a window ago: out
	e.create(transfer("a-in", alice, at(-ferry.UsageWindow+time.Nanosecond), 600, ferry.StateRecalled, bob))
	e.create(transfer("a-up", alice, at(-2*time.Hour), 100, ferry.StateUploading, bob))
	rej := transfer("a-rej", alice, at(-time.Hour), 200, ferry.StateRejected, bob)
	rej.Error, rej.Network = ferry.E(ferry.CodeChecksumMismatch), "198.51.100.0/24"
	e.create(rej)
	avail := transfer("a-avail", alice, at(-30*time.Minute), 300, ferry.StateAvailable, bob)
	avail.Network = "203.0.113.0/24"
	e.create(avail)
	insp := transfer("a-insp", alice, at(-20*time.Minute), 50, ferry.StateInspecting, bob)
	insp.Network = "198.51.100.0/24"
	e.create(insp)
	e.create(transfer("a-now", alice, base(), 800, ferry.StateDeclined, bob)) // created at now: in
	// Created later than now (a node whose clock is ahead), from a network
	// that a-avail, within the spans, came from too.
	future := transfer("a-future", alice, at(time.Nanosecond), 700, ferry.StateInspecting, bob)
	future.Network = "203.0.113.0/24"
	e.create(future)
	e.create(transfer("b-1", bob, at(-time.Minute), 10000, ferry.StateAvailable, alice)) // another sender
	return alice, ferry.Usage{
		// live: downloaded, uploading, available, inspecting, inspecting (future)
		StorageBytes: 400 + 100 + 300 + 50 + 700,
		// counting: not the recalled a-in nor the rejected a-rej
		Recent: []ferry.Sent{
			{CreatedAt: at(-2 * time.Hour), Size: 100, State: ferry.StateUploading},
			{CreatedAt: at(-30 * time.Minute), Size: 300, State: ferry.StateAvailable, Network: "203.0.113.0/24"},
			{CreatedAt: at(-20 * time.Minute), Size: 50, State: ferry.StateInspecting, Network: "198.51.100.0/24"},
			{CreatedAt: base(), Size: 800, State: ferry.StateDeclined},
		},
		Counted: &ferry.Counted{Spans: fixtureSpans,
			// within the hour: a-avail, a-insp, a-now (a-rej is exactly an hour old)
			Created: 3, FirstCreated: at(-30 * time.Minute),
			// within two hours, any state: a-rej, a-avail, a-insp
			Networks: []string{"198.51.100.0/24", "203.0.113.0/24"}},
	}
}

func checkUsage(e *env, what string, got, want ferry.Usage) {
	e.t.Helper()
	var d diff
	d.eq("StorageBytes", got.StorageBytes, want.StorageBytes)
	if len(got.Recent) != len(want.Recent) {
		d = append(d, fmt.Sprintf("Recent = %+v, want %+v", got.Recent, want.Recent))
	} else {
		for i, w := range want.Recent {
			g := got.Recent[i]
			d.time(fmt.Sprintf("Recent[%d].CreatedAt", i), g.CreatedAt, w.CreatedAt)
			d.eq(fmt.Sprintf("Recent[%d].Size", i), g.Size, w.Size)
			d.eq(fmt.Sprintf("Recent[%d].State", i), g.State, w.State)
			d.eq(fmt.Sprintf("Recent[%d].Code", i), g.Code, w.Code)
			d.eq(fmt.Sprintf("Recent[%d].Network", i), g.Network, w.Network)
		}
	}
	switch g, w := got.Counted, want.Counted; {
	case g == nil:
		d = append(d, "Counted = nil")
	case w != nil:
		d.eq("Counted.Spans", g.Spans, w.Spans)
		d.eq("Counted.Created", g.Created, w.Created)
		d.time("Counted.FirstCreated", g.FirstCreated, w.FirstCreated)
		if !slices.Equal(g.Networks, w.Networks) {
			d = append(d, fmt.Sprintf("Counted.Networks = %q, want %q", g.Networks, w.Networks))
		}
	}
	d.report(e.t, what)
}

func testUsage(e *env) {
	alice, want := usageFixture(e)
	u, err := e.s.Usage(e.ctx, alice.ID, base(), fixtureSpans)
	e.ok(err, "Usage")
	checkUsage(e, "Usage(alice, now)", u, want)

	// Leaving the live states frees storage but stays in the window.
	up := e.get("a-up")
	up.State = ferry.StateExpired
	e.update(up)
	u, err = e.s.Usage(e.ctx, alice.ID, base(), fixtureSpans)
	e.ok(err, "Usage")
	if u.StorageBytes != want.StorageBytes-100 || len(u.Recent) != len(want.Recent) {
		e.t.Errorf("after expiring a-up: Usage = %d bytes, %d recent; want %d, %d",
			u.StorageBytes, len(u.Recent), want.StorageBytes-100, len(want.Recent))
	}
	// Given back: recalled, rejected, abandoned. The counts over the spans
	// keep them: they count what was created.
	for _, id := range []string{"a-avail", "a-insp", "a-up"} {
		t := e.get(id)
		switch id {
		case "a-avail":
			t.State = ferry.StateRecalled
		case "a-insp":
			t.State, t.Error = ferry.StateRejected, ferry.E(ferry.CodeMalwareDetected)
		case "a-up":
			t.State, t.Error = ferry.StateExpired, ferry.E(ferry.CodeUploadStalled)
		}
		e.update(t)
	}
	u, err = e.s.Usage(e.ctx, alice.ID, base(), fixtureSpans)
	e.ok(err, "Usage")
	given := want
	given.StorageBytes = 400 + 700
	given.Recent = want.Recent[3:]
	checkUsage(e, "after giving back a-avail, a-insp and a-up", u, given)

	nobody, err := e.s.Usage(e.ctx, alice.ID+1000, base(), fixtureSpans)
	e.ok(err, "Usage(unknown account)")
	checkUsage(e, "Usage of an account without transfers", nobody, ferry.Usage{Counted: &ferry.Counted{Spans: fixtureSpans}})
	if u, err := e.s.Usage(e.ctx, alice.ID, base(), ferry.UsageSpans{}); err != nil || u.Counted == nil ||
		u.Counted.Created != 0 || len(u.Counted.Networks) != 0 {
		e.t.Errorf("Usage over no spans = %+v, %v; want nothing counted", u.Counted, err)
	}
}

func testUsageSeenByCreate(e *env) {
	alice, want := usageFixture(e)
	bob, err := e.s.Account(e.ctx, "bob")
	e.ok(err, "Account")
	var seen ferry.Usage
	e.ok(e.s.CreateTransfer(e.ctx, transfer("a-new", alice, base(), 1, ferry.StateUploading, bob), fixtureSpans, func(u ferry.Usage) error {
		seen = u
		return nil
	}), "CreateTransfer")
	// As of the new transfer's CreatedAt, and without the new transfer.
	checkUsage(e, "usage seen by CreateTransfer", seen, want)
	// a-future, created after it, is in no count, but the create learns when it was.
	if !seen.Latest.Equal(at(time.Nanosecond)) {
		e.t.Errorf("usage seen by CreateTransfer: Latest %v, want a-future's %v", seen.Latest, at(time.Nanosecond))
	}

	// A day later the window (base(), base()+UsageWindow] holds only
	// a-future: a-new was created at base() exactly. Storage is what is live.
	e.ok(e.s.CreateTransfer(e.ctx, transfer("a-later", alice, at(ferry.UsageWindow), 2, ferry.StateUploading, bob), fixtureSpans, func(u ferry.Usage) error {
		seen = u
		return nil
	}), "CreateTransfer")
	if !seen.Latest.IsZero() {
		e.t.Errorf("usage seen by CreateTransfer a day later: Latest %v, want none (nothing is later)", seen.Latest)
	}
	checkUsage(e, "usage seen by CreateTransfer a day later", seen, ferry.Usage{
		StorageBytes: want.StorageBytes + 1,
		Recent: []ferry.Sent{
			{CreatedAt: at(time.Nanosecond), Size: 700, State: ferry.StateInspecting, Network: "203.0.113.0/24"},
		},
		Counted: &ferry.Counted{Spans: fixtureSpans},
	})
}

// testConcurrentQuota is why CreateTransfer takes a check: 50 concurrent
// creates against a quota that fits 10 must admit exactly 10, while readers
// run alongside, and no call may fail.
func testConcurrentQuota(e *env) {
	alice, bob := e.account("alice"), e.account("bob")
	const (
		n     = 50
		fit   = 10
		size  = int64(1000)
		quota = fit * size
	)
	errQuota := ferry.E(ferry.CodeStorageQuotaExceeded).WithRule("tiers.free.storage")
	errs := make([]error, n)
	start := make(chan struct{}) // released at once, for the most contention
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			tr := transfer(fmt.Sprintf("q%02d", i), alice, at(time.Duration(i)*time.Millisecond), size, ferry.StateUploading, bob)
			<-start
			errs[i] = e.s.CreateTransfer(e.ctx, tr, fixtureSpans, func(u ferry.Usage) error {
				if u.StorageBytes+size > quota {
					return errQuota
				}
				return nil
			})
		})
	}
	readErrs := e.readAlong(&wg, start, alice.ID)
	close(start)
	wg.Wait()
	created := 0
	for i, err := range errs {
		switch {
		case err == nil:
			created++
		case err != errQuota:
			e.t.Errorf("create %d: %v, want nil or the check's error", i, err)
		}
	}
	for _, err := range readErrs {
		if err != nil {
			e.t.Errorf("concurrent read: %v", err)
		}
	}
	if created != fit {
		e.t.Errorf("%d creates succeeded, want exactly %d", created, fit)
	}
	// Stored in any order, the creates are counted all the same.
	u, err := e.s.Usage(e.ctx, alice.ID, at(time.Hour), ferry.UsageSpans{Burst: 2 * time.Hour})
	e.ok(err, "Usage")
	if u.StorageBytes != quota || len(u.Recent) != fit || u.Counted.Created != fit {
		e.t.Errorf("Usage after the race = %d bytes, %d recent, %d created; want %d, %d, %d",
			u.StorageBytes, len(u.Recent), u.Counted.Created, quota, fit, fit)
	}
}

// readAlong starts readers of account's outbox and usage that begin when
// start is closed; each leaves its first error in the returned slice.
func (e *env) readAlong(wg *sync.WaitGroup, start <-chan struct{}, account int64) []error {
	errs := make([]error, 10)
	for i := range errs {
		wg.Go(func() {
			<-start
			for range 10 {
				if _, _, err := e.s.Outbox(e.ctx, account, ferry.Page{}); err != nil {
					errs[i] = err
					return
				}
				if _, err := e.s.Usage(e.ctx, account, base(), fixtureSpans); err != nil {
					errs[i] = err
					return
				}
			}
		})
	}
	return errs
}

// testNetworksExact: the networks of a span are those of the transfers
// created in it, to the nanosecond, however close together the creates
// from one network came (a store may keep the latest creation from each
// network coarsely, but must count exactly).
func testNetworksExact(e *env) {
	alice, bob := e.account("alice"), e.account("bob")
	const netA, netB = "198.51.100.0/24", "203.0.113.0/24"
	for _, c := range []struct {
		id  string
		at  time.Duration
		net string
	}{
		{"n1", 0, netA}, {"n2", 300 * time.Millisecond, netB}, {"n3", 400 * time.Millisecond, netA},
		{"n4", 800 * time.Millisecond, netA},
	} {
		tr := transfer(c.id, alice, at(c.at), 1, ferry.StateUploading, bob)
		tr.Network = c.net
		e.ok(e.s.CreateTransfer(e.ctx, tr, fixtureSpans, allow), "CreateTransfer "+c.id)
	}
	span := fixtureSpans.Networks
	for _, c := range []struct {
		from time.Duration // the span is (from, from+span]
		want []string
	}{
		{-time.Nanosecond, []string{netA, netB}},
		{200 * time.Millisecond, []string{netA, netB}},
		{300 * time.Millisecond, []string{netA}}, // n2 at the start: out
		{500 * time.Millisecond, []string{netA}}, // n4 only
		{800*time.Millisecond - time.Nanosecond, []string{netA}},
		{800 * time.Millisecond, nil},
		{2 * time.Second, nil},
	} {
		now := at(c.from + span)
		u, err := e.s.Usage(e.ctx, alice.ID, now, fixtureSpans)
		e.ok(err, "Usage")
		if !slices.Equal(u.Counted.Networks, c.want) {
			e.t.Errorf("networks in (%v, %v] = %q, want %q", c.from, c.from+span, u.Counted.Networks, c.want)
		}
		// A create sees the same.
		var seen []string
		tr := transfer(fmt.Sprint("probe", c.from), alice, now, 1, ferry.StateUploading, bob)
		err = e.s.CreateTransfer(e.ctx, tr, fixtureSpans, func(u ferry.Usage) error {
			seen = u.Counted.Networks
			return errProbe
		})
		if err != errProbe || !slices.Equal(seen, c.want) {
			e.t.Errorf("a create at %v saw networks %q (%v), want %q", c.from+span, seen, err, c.want)
		}
	}
}

// errProbe refuses a create whose check only looks.
var errProbe = ferry.E(ferry.CodeStorageQuotaExceeded)
