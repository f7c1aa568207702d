package metatest

import (
	"fmt"
	"sync"
	"time"

	"github.com/ferryhq/ferry"
)

func usageTests() []test {
	return []test{
		{"Usage/StatesAndWindow", testUsage},
		{"Usage/SeenByCreate", testUsageSeenByCreate},
		{"Usage/ConcurrentQuota", testConcurrentQuota},
	}
}

// usageFixture creates alice's transfers around base() and returns the
// Usage as of base() they add up to.
func usageFixture(e *env) (*ferry.Account, ferry.Usage) {
	alice, bob := e.account("alice"), e.account("bob")
	e.create(transfer("a-old", alice, at(-25*time.Hour), 400, ferry.StateDownloaded, bob))    // live, before the window
	e.create(transfer("a-edge", alice, at(-ferry.UsageWindow), 500, ferry.StateExpired, bob)) // exactly a window ago: out
	e.create(transfer("a-in", alice, at(-ferry.UsageWindow+time.Nanosecond), 600, ferry.StateRecalled, bob))
	e.create(transfer("a-up", alice, at(-2*time.Hour), 100, ferry.StateUploading, bob))
	rej := transfer("a-rej", alice, at(-time.Hour), 200, ferry.StateRejected, bob)
	rej.Error, rej.Network = ferry.E(ferry.CodeChecksumMismatch), "198.51.100.0/24"
	e.create(rej)
	e.create(transfer("a-avail", alice, at(-30*time.Minute), 300, ferry.StateAvailable, bob))
	e.create(transfer("a-insp", alice, at(-20*time.Minute), 50, ferry.StateInspecting, bob))
	e.create(transfer("a-now", alice, base(), 800, ferry.StateDeclined, bob)) // created at now: in
	e.create(transfer("a-future", alice, at(time.Nanosecond), 700, ferry.StateInspecting, bob))
	e.create(transfer("b-1", bob, at(-time.Minute), 10000, ferry.StateAvailable, alice)) // another sender
	return alice, ferry.Usage{
		// live: downloaded, uploading, available, inspecting, inspecting (future)
		StorageBytes: 400 + 100 + 300 + 50 + 700,
		Recent: []ferry.Sent{
			{CreatedAt: at(-ferry.UsageWindow + time.Nanosecond), Size: 600, State: ferry.StateRecalled},
			{CreatedAt: at(-2 * time.Hour), Size: 100, State: ferry.StateUploading},
			{CreatedAt: at(-time.Hour), Size: 200, State: ferry.StateRejected, Code: ferry.CodeChecksumMismatch, Network: "198.51.100.0/24"},
			{CreatedAt: at(-30 * time.Minute), Size: 300, State: ferry.StateAvailable},
			{CreatedAt: at(-20 * time.Minute), Size: 50, State: ferry.StateInspecting},
			{CreatedAt: base(), Size: 800, State: ferry.StateDeclined},
		},
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
	d.report(e.t, what)
}

func testUsage(e *env) {
	alice, want := usageFixture(e)
	u, err := e.s.Usage(e.ctx, alice.ID, base())
	e.ok(err, "Usage")
	checkUsage(e, "Usage(alice, now)", u, want)

	// Leaving the live states frees storage but stays in the window.
	up := e.get("a-up")
	up.State = ferry.StateExpired
	e.update(up)
	u, err = e.s.Usage(e.ctx, alice.ID, base())
	e.ok(err, "Usage")
	if u.StorageBytes != want.StorageBytes-100 || len(u.Recent) != len(want.Recent) {
		e.t.Errorf("after expiring a-up: Usage = %d bytes, %d recent; want %d, %d",
			u.StorageBytes, len(u.Recent), want.StorageBytes-100, len(want.Recent))
	}

	nobody, err := e.s.Usage(e.ctx, alice.ID+1000, base())
	e.ok(err, "Usage(unknown account)")
	if nobody.StorageBytes != 0 || len(nobody.Recent) != 0 {
		e.t.Errorf("Usage of an account without transfers = %+v", nobody)
	}
}

func testUsageSeenByCreate(e *env) {
	alice, want := usageFixture(e)
	bob, err := e.s.Account(e.ctx, "bob")
	e.ok(err, "Account")
	var seen ferry.Usage
	e.ok(e.s.CreateTransfer(e.ctx, transfer("a-new", alice, base(), 1, ferry.StateUploading, bob), func(u ferry.Usage) error {
		seen = u
		return nil
	}), "CreateTransfer")
	// As of the new transfer's CreatedAt, and without the new transfer.
	checkUsage(e, "usage seen by CreateTransfer", seen, want)

	// A day later the window (base(), base()+UsageWindow] holds only
	// a-future: a-new was created at base() exactly. Storage is what is live.
	e.ok(e.s.CreateTransfer(e.ctx, transfer("a-later", alice, at(ferry.UsageWindow), 2, ferry.StateUploading, bob), func(u ferry.Usage) error {
		seen = u
		return nil
	}), "CreateTransfer")
	checkUsage(e, "usage seen by CreateTransfer a day later", seen, ferry.Usage{
		StorageBytes: want.StorageBytes + 1,
		Recent: []ferry.Sent{
			{CreatedAt: at(time.Nanosecond), Size: 700, State: ferry.StateInspecting},
		},
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
			errs[i] = e.s.CreateTransfer(e.ctx, tr, func(u ferry.Usage) error {
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
	u, err := e.s.Usage(e.ctx, alice.ID, at(time.Hour))
	e.ok(err, "Usage")
	if u.StorageBytes != quota || len(u.Recent) != fit {
		e.t.Errorf("Usage after the race = %d bytes, %d recent; want %d, %d", u.StorageBytes, len(u.Recent), quota, fit)
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
				if _, err := e.s.Usage(e.ctx, account, base()); err != nil {
					errs[i] = err
					return
				}
			}
		})
	}
	return errs
}
