package metatest

import (
	"fmt"
	"slices"
	"sort"
	"time"

	"github.com/ferryhq/ferry"
)

func listTests() []test {
	return []test{
		{"List/OutboxPages", testOutboxPages},
		{"List/PagesAreStable", testPagesStable},
		{"List/PageLimits", testPageLimits},
		{"List/BadCursor", testBadCursor},
		{"List/Inbox", testInbox},
		{"List/Due", testDue},
		{"List/InState", testInState},
	}
}

// pages walks every page of list with the given limit and returns the IDs
// in the order received. It fails on a page longer than limit, a page
// without cursor before the end, or a cursor on the last page.
func (e *env) pages(list func(ferry.Page) ([]*ferry.Transfer, string, error), limit, total int) []string {
	e.t.Helper()
	var got []string
	cursor := ""
	for i := 0; ; i++ {
		ts, next, err := list(ferry.Page{Limit: limit, Cursor: cursor})
		e.ok(err, fmt.Sprintf("page %d", i))
		if len(ts) > limit {
			e.t.Fatalf("page %d has %d items, limit %d", i, len(ts), limit)
		}
		got = append(got, ids(ts)...)
		if next == "" {
			if len(got) != total {
				e.t.Errorf("pages ended after %d items, want %d", len(got), total)
			}
			return got
		}
		if len(ts) < limit {
			e.t.Errorf("page %d has %d < %d items but a next cursor", i, len(ts), limit)
		}
		if i > total {
			e.t.Fatalf("more pages than items: %q", got)
		}
		cursor = next
	}
}

func testOutboxPages(e *env) {
	alice, bob := e.account("alice"), e.account("bob")
	// Seven transfers, several created at the same instant, every state.
	created := map[string]time.Duration{"o1": 0, "o2": time.Minute, "o3": time.Minute, "o4": time.Minute,
		"o5": 2 * time.Minute, "o6": 3 * time.Minute, "o7": 3 * time.Minute}
	states := []ferry.State{ferry.StateUploading, ferry.StateInspecting, ferry.StateAvailable, ferry.StateDownloaded,
		ferry.StateRejected, ferry.StateRecalled, ferry.StateExpired}
	for i, id := range []string{"o3", "o1", "o7", "o5", "o2", "o6", "o4"} { // created in a shuffled order
		e.create(transfer(id, alice, at(created[id]), 1, states[i], bob))
	}
	e.create(transfer("b1", bob, at(time.Minute), 1, ferry.StateAvailable, alice))
	want := []string{"o7", "o6", "o5", "o4", "o3", "o2", "o1"} // newest first, then by ID descending
	outbox := func(p ferry.Page) ([]*ferry.Transfer, string, error) { return e.s.Outbox(e.ctx, alice.ID, p) }
	for _, limit := range []int{3, 1, 7, 100} {
		if got := e.pages(outbox, limit, 7); !slices.Equal(got, want) {
			e.t.Errorf("Outbox pages of %d = %q, want %q", limit, got, want)
		}
	}
	ts, _, err := e.s.Outbox(e.ctx, alice.ID, ferry.Page{Limit: 1})
	e.ok(err, "Outbox")
	if len(ts) == 1 {
		checkTransfer(e.t, ts[0], transfer("o7", alice, at(3*time.Minute), 1, states[2], bob))
	}
	ts, next, err := e.s.Outbox(e.ctx, alice.ID+1000, ferry.Page{})
	e.ok(err, "Outbox(unknown)")
	if len(ts) != 0 || next != "" {
		e.t.Errorf("Outbox of an account without transfers = %q, %q", ids(ts), next)
	}
}

func testPagesStable(e *env) {
	alice, bob := e.account("alice"), e.account("bob")
	for i := range 6 {
		e.create(transfer(fmt.Sprintf("o%d", i), alice, at(time.Duration(i)*time.Minute), 1, ferry.StateAvailable, bob))
	}
	ts, next, err := e.s.Outbox(e.ctx, alice.ID, ferry.Page{Limit: 3})
	e.ok(err, "Outbox")
	e.checkIDs("page 1", ts, "o5", "o4", "o3")
	// A transfer created meanwhile neither shifts nor repeats the next page.
	e.create(transfer("o9", alice, at(time.Hour), 1, ferry.StateAvailable, bob))
	ts, next, err = e.s.Outbox(e.ctx, alice.ID, ferry.Page{Limit: 3, Cursor: next})
	e.ok(err, "Outbox")
	e.checkIDs("page 2", ts, "o2", "o1", "o0")
	if next != "" {
		e.t.Errorf("a last page that is exactly full returned cursor %q, want none", next)
	}
	// Inbox pages the same way.
	inbox := func(p ferry.Page) ([]*ferry.Transfer, string, error) { return e.s.Inbox(e.ctx, bob.ID, p) }
	want := []string{"o9", "o5", "o4", "o3", "o2", "o1", "o0"}
	if got := e.pages(inbox, 3, 7); !slices.Equal(got, want) {
		e.t.Errorf("Inbox pages = %q, want %q", got, want)
	}
}

func testPageLimits(e *env) {
	alice, bob := e.account("alice"), e.account("bob")
	for i := range 501 {
		e.create(transfer(fmt.Sprintf("o%03d", i), alice, at(time.Duration(i)*time.Second), 1, ferry.StateAvailable, bob))
	}
	for _, c := range []struct{ limit, want int }{{0, 50}, {-1, 50}, {1000, 500}, {500, 500}} {
		ts, next, err := e.s.Outbox(e.ctx, alice.ID, ferry.Page{Limit: c.limit})
		e.ok(err, "Outbox")
		if len(ts) != c.want || next == "" {
			e.t.Errorf("Outbox(limit %d) = %d items, cursor %q; want %d and a cursor", c.limit, len(ts), next, c.want)
		}
		ts, _, err = e.s.Inbox(e.ctx, bob.ID, ferry.Page{Limit: c.limit})
		e.ok(err, "Inbox")
		if len(ts) != c.want {
			e.t.Errorf("Inbox(limit %d) = %d items, want %d", c.limit, len(ts), c.want)
		}
	}
}

func testBadCursor(e *env) {
	alice, bob := e.account("alice"), e.account("bob")
	e.create(transfer("o1", alice, base(), 1, ferry.StateAvailable, bob))
	for _, c := range []string{"%%% not a cursor %%%", "AAAA", "bm9wZQ"} {
		_, _, err := e.s.Outbox(e.ctx, alice.ID, ferry.Page{Cursor: c})
		e.wantCode(err, ferry.CodeBadRequest, fmt.Sprintf("Outbox(cursor %q)", c))
		_, _, err = e.s.Inbox(e.ctx, bob.ID, ferry.Page{Cursor: c})
		e.wantCode(err, ferry.CodeBadRequest, fmt.Sprintf("Inbox(cursor %q)", c))
	}
}

func testInbox(e *env) {
	alice, bob, carol, dave := e.account("alice"), e.account("bob"), e.account("carol"), e.account("dave")
	for i, st := range []ferry.State{ferry.StateUploading, ferry.StateInspecting, ferry.StateAvailable, ferry.StateDownloaded,
		ferry.StateRejected, ferry.StateRecalled, ferry.StateDeclined, ferry.StateExpired} {
		e.create(transfer(string(st), alice, at(time.Duration(i)*time.Minute), 1, st, bob, carol))
	}
	declined := transfer("bob-declined", alice, at(time.Hour), 1, ferry.StateAvailable, bob, carol)
	declined.Recipients[0].Status = ferry.RecipientDeclined
	e.create(declined)
	accepted := transfer("bob-accepted", alice, at(2*time.Hour), 1, ferry.StateDownloaded, carol, bob)
	accepted.Recipients[1].Status = ferry.RecipientAccepted
	e.create(accepted)
	e.create(transfer("from-bob", bob, at(3*time.Hour), 1, ferry.StateAvailable, carol))

	inbox := func(a *ferry.Account) []*ferry.Transfer {
		ts, next, err := e.s.Inbox(e.ctx, a.ID, ferry.Page{})
		e.ok(err, "Inbox("+a.Username+")")
		if next != "" {
			e.t.Errorf("Inbox(%s) returned cursor %q for a single page", a.Username, next)
		}
		return ts
	}
	e.checkIDs("Inbox(bob)", inbox(bob), "bob-accepted", "downloaded", "available")
	e.checkIDs("Inbox(carol)", inbox(carol), "from-bob", "bob-accepted", "bob-declined", "downloaded", "available")
	e.checkIDs("Inbox(alice)", inbox(alice))
	e.checkIDs("Inbox(dave)", inbox(dave))
	if ts := inbox(bob); len(ts) > 0 {
		checkTransfer(e.t, ts[0], accepted)
	}

	// Declining later hides it too; so does recalling.
	e.ok(e.s.UpdateRecipient(e.ctx, "available", &ferry.Recipient{AccountID: bob.ID, Status: ferry.RecipientDeclined, DecidedAt: at(5 * time.Hour)}), "UpdateRecipient")
	recalled := e.get("downloaded")
	recalled.State = ferry.StateRecalled
	e.update(recalled)
	e.checkIDs("Inbox(bob) after decline and recall", inbox(bob), "bob-accepted")
	e.checkIDs("Inbox(carol) after recall", inbox(carol), "from-bob", "bob-accepted", "bob-declined", "available")
}

func testDue(e *env) {
	alice, bob := e.account("alice"), e.account("bob")
	mk := func(id string, st ferry.State, expires, uploadExpires time.Time) {
		t := transfer(id, alice, at(-48*time.Hour), 1, st, bob)
		t.ExpiresAt, t.UploadExpiresAt = expires, uploadExpires
		e.create(t)
	}
	var zero time.Time
	mk("avail-past", ferry.StateAvailable, at(-time.Hour), zero)
	mk("avail-now", ferry.StateAvailable, base(), zero) // at now: due
	mk("avail-future", ferry.StateAvailable, at(time.Nanosecond), zero)
	mk("avail-never", ferry.StateAvailable, zero, zero)
	mk("down-past", ferry.StateDownloaded, at(-2*time.Hour), at(-3*time.Hour))
	mk("up-past", ferry.StateUploading, zero, at(-time.Minute))
	mk("up-now", ferry.StateUploading, at(time.Hour), base())
	mk("up-expires-only", ferry.StateUploading, at(-time.Hour), zero) // ExpiresAt does not apply to uploads
	mk("up-future", ferry.StateUploading, zero, at(time.Hour))
	mk("up-never", ferry.StateUploading, zero, zero)
	mk("insp-past", ferry.StateInspecting, at(-time.Hour), at(-time.Hour))
	mk("rej-past", ferry.StateRejected, at(-time.Hour), at(-time.Hour))
	mk("exp-past", ferry.StateExpired, at(-time.Hour), at(-time.Hour))
	mk("rec-past", ferry.StateRecalled, at(-time.Hour), at(-time.Hour))

	want := []string{"avail-now", "avail-past", "down-past", "up-now", "up-past"}
	ts, err := e.s.Due(e.ctx, base(), 100)
	e.ok(err, "Due")
	got := ids(ts)
	sort.Strings(got) // the order of Due is not part of the contract
	if !slices.Equal(got, want) {
		e.t.Errorf("Due(now) = %q, want %q", got, want)
	}
	ts, err = e.s.Due(e.ctx, base(), 2)
	e.ok(err, "Due(limit 2)")
	if len(ts) != 2 || !slices.Contains(want, ts[0].ID) || !slices.Contains(want, ts[1].ID) || ts[0].ID == ts[1].ID {
		e.t.Errorf("Due(now, 2) = %q, want two of %q", ids(ts), want)
	}
	ts, err = e.s.Due(e.ctx, at(-24*time.Hour), 100)
	e.ok(err, "Due(yesterday)")
	e.checkIDs("Due(yesterday)", ts)
	if ts, err := e.s.Due(e.ctx, base(), 1); err == nil && len(ts) == 1 && len(ts[0].Recipients) != 1 {
		e.t.Errorf("Due returned a transfer without its recipients: %+v", ts[0])
	}
}

func testInState(e *env) {
	alice, bob := e.account("alice"), e.account("bob")
	mk := func(id string, st ferry.State, updated time.Time) {
		t := transfer(id, alice, at(-48*time.Hour), 1, st, bob)
		t.UpdatedAt = updated
		e.create(t)
	}
	mk("i2", ferry.StateInspecting, at(-2*time.Hour))
	mk("i3", ferry.StateInspecting, at(-time.Hour))
	mk("i1", ferry.StateInspecting, at(-3*time.Hour))
	mk("i-now", ferry.StateInspecting, base()) // updated at the bound: not before it
	mk("a1", ferry.StateAvailable, at(-5*time.Hour))

	ts, err := e.s.InState(e.ctx, ferry.StateInspecting, base(), 10)
	e.ok(err, "InState")
	e.checkIDs("InState(inspecting, now)", ts, "i1", "i2", "i3")
	ts, err = e.s.InState(e.ctx, ferry.StateInspecting, base(), 2)
	e.ok(err, "InState(limit 2)")
	e.checkIDs("InState(inspecting, now, 2)", ts, "i1", "i2")
	ts, err = e.s.InState(e.ctx, ferry.StateInspecting, at(time.Nanosecond), 10)
	e.ok(err, "InState")
	e.checkIDs("InState(inspecting, now+1ns)", ts, "i1", "i2", "i3", "i-now")
	ts, err = e.s.InState(e.ctx, ferry.StateUploading, base(), 10)
	e.ok(err, "InState(uploading)")
	e.checkIDs("InState(uploading)", ts)
	ts, err = e.s.InState(e.ctx, ferry.StateAvailable, base(), 10)
	e.ok(err, "InState(available)")
	if len(ts) == 1 {
		checkTransfer(e.t, ts[0], func() *ferry.Transfer {
			t := transfer("a1", alice, at(-48*time.Hour), 1, ferry.StateAvailable, bob)
			t.UpdatedAt = at(-5 * time.Hour)
			return t
		}())
	} else {
		e.t.Errorf("InState(available) = %q, want [a1]", ids(ts))
	}
}
