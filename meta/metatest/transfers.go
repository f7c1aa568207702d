package metatest

import (
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/ferryhq/ferry"
)

func transferTests() []test {
	return []test{
		{"Transfer/RoundTrip", testTransferRoundTrip},
		{"Transfer/ZeroTimes", testTransferZeroTimes},
		{"Transfer/CreateErrors", testCreateTransferErrors},
		{"Transfer/CheckRejects", testCreateCheckRejects},
		{"Transfer/Update", testUpdateTransfer},
		{"Transfer/UpdateClears", testUpdateTransferClears},
		{"Transfer/UpdateConflictWritesNothing", testUpdateConflict},
		{"Transfer/ConcurrentCompareAndSet", testConcurrentCAS},
		{"Transfer/UpdateRecipient", testUpdateRecipient},
		{"Transfer/FreshCopies", testTransferFreshCopies},
	}
}

func hex64(c byte) string { return strings.Repeat(string(c), 64) }

// fullTransfer sets every field of a transfer to a non-zero value.
func fullTransfer(id string, sender, r1, r2 *ferry.Account) *ferry.Transfer {
	return &ferry.Transfer{
		ID: id, SenderID: sender.ID, Network: "2001:db8:1:2::/64",
		Recipients: []ferry.Recipient{ // r2 first: the order is kept
			{AccountID: r2.ID, Status: ferry.RecipientAccepted, DecidedAt: at(time.Minute), DownloadedAt: at(2 * time.Minute)},
			{AccountID: r1.ID}, // Status "" is stored as pending
		},
		Name: "Résumé 2026 (final).pdf", Size: 5_000_000_123, DeclaredSHA256: hex64('a'), SHA256: hex64('b'),
		State: ferry.StateRejected,
		Error: ferry.E(ferry.CodeMalwareDetected).WithRule("inspect.malware").With("signature", "EICAR-Test").
			With("size", float64(1234)).WithRetryAfter(90 * time.Second),
		Offset:          4096,
		Challenge:       &ferry.Challenge{Ranges: []ferry.ByteRange{{Offset: 0, Length: 16}, {Offset: 1 << 40, Length: 32}}},
		UploadState:     []byte("sha\x03 any bytes\x00\xff"),
		CreatedAt:       base(),
		UpdatedAt:       at(3 * time.Minute),
		UploadExpiresAt: at(time.Hour),
		AvailableAt:     at(4 * time.Minute),
		ExpiresAt:       at(7 * 24 * time.Hour),
		DownloadedAt:    at(5 * time.Minute),
	}
}

// withNames returns a copy of t as reads return it: with the sender's and
// recipients' usernames, and pending for an empty status.
func withNames(t *ferry.Transfer, names map[int64]string) *ferry.Transfer {
	c := *t
	c.Sender = names[t.SenderID]
	c.Recipients = append([]ferry.Recipient(nil), t.Recipients...)
	for i := range c.Recipients {
		c.Recipients[i].Username = names[c.Recipients[i].AccountID]
		if c.Recipients[i].Status == "" {
			c.Recipients[i].Status = ferry.RecipientPending
		}
	}
	return &c
}

func names(as ...*ferry.Account) map[int64]string {
	m := map[int64]string{}
	for _, a := range as {
		m[a.ID] = a.Username
	}
	return m
}

func testTransferRoundTrip(e *env) {
	alice, bob, carol := e.account("alice"), e.account("bob"), e.account("carol")
	tr := fullTransfer("t-full", alice, bob, carol)
	want := withNames(tr, names(alice, bob, carol))
	e.create(tr)
	checkTransfer(e.t, e.get("t-full"), want)
	_, err := e.s.Transfer(e.ctx, "t-missing")
	e.wantCode(err, ferry.CodeNotFound, "Transfer(unknown)")
}

func testTransferZeroTimes(e *env) {
	alice, bob := e.account("alice"), e.account("bob")
	tr := &ferry.Transfer{ID: "t-zero", SenderID: alice.ID, Name: "a", Size: 0, State: ferry.StateUploading,
		Recipients: []ferry.Recipient{{AccountID: bob.ID}}, CreatedAt: base()}
	e.create(tr)
	got := e.get("t-zero")
	checkTransfer(e.t, got, withNames(tr, names(alice, bob)))
	for name, ts := range map[string]time.Time{"UpdatedAt": got.UpdatedAt, "UploadExpiresAt": got.UploadExpiresAt,
		"AvailableAt": got.AvailableAt, "ExpiresAt": got.ExpiresAt, "DownloadedAt": got.DownloadedAt,
		"DecidedAt": got.Recipients[0].DecidedAt, "Recipient.DownloadedAt": got.Recipients[0].DownloadedAt} {
		if !ts.IsZero() {
			e.t.Errorf("zero %s read back as %v", name, ts)
		}
	}
	if got.Error != nil || got.Challenge != nil {
		e.t.Errorf("unset Error, Challenge read back as %v, %v", got.Error, got.Challenge)
	}
}

func testCreateTransferErrors(e *env) {
	alice, bob := e.account("alice"), e.account("bob")
	first := transfer("t1", alice, base(), 10, ferry.StateUploading, bob)
	e.create(first)
	dup := transfer("t1", bob, at(time.Minute), 20, ferry.StateAvailable, alice)
	e.wantCode(e.s.CreateTransfer(e.ctx, dup, ferry.UsageSpans{}, allow), ferry.CodeAlreadyExists, "CreateTransfer(duplicate ID)")
	checkTransfer(e.t, e.get("t1"), first)

	ghost := &ferry.Account{ID: bob.ID + 1000, Username: "ghost"}
	e.wantCode(e.s.CreateTransfer(e.ctx, transfer("t2", ghost, base(), 1, ferry.StateUploading, bob), ferry.UsageSpans{}, allow),
		ferry.CodeNotFound, "CreateTransfer(unknown sender)")
	e.wantCode(e.s.CreateTransfer(e.ctx, transfer("t3", alice, base(), 1, ferry.StateUploading, bob, ghost), ferry.UsageSpans{}, allow),
		ferry.CodeNotFound, "CreateTransfer(unknown recipient)")
	for _, id := range []string{"t2", "t3"} {
		_, err := e.s.Transfer(e.ctx, id)
		e.wantCode(err, ferry.CodeNotFound, "Transfer after a failed create")
	}
}

func testCreateCheckRejects(e *env) {
	alice, bob := e.account("alice"), e.account("bob")
	e.create(transfer("t0", alice, at(-time.Hour), 100, ferry.StateAvailable, bob))
	errNo := errors.New("no, thank you") // not an *ferry.Error: returned unchanged all the same
	calls := 0
	tr := transfer("t1", alice, base(), 10, ferry.StateUploading, bob)
	err := e.s.CreateTransfer(e.ctx, tr, ferry.UsageSpans{}, func(u ferry.Usage) error {
		calls++
		if u.StorageBytes != 100 || len(u.Recent) != 1 {
			e.t.Errorf("check saw %+v, want 100 bytes and one recent transfer", u)
		}
		return errNo
	})
	if err != errNo {
		e.t.Errorf("CreateTransfer returned %v, want the check's error unchanged", err)
	}
	if calls != 1 {
		e.t.Errorf("check called %d times, want 1", calls)
	}
	_, err = e.s.Transfer(e.ctx, "t1")
	e.wantCode(err, ferry.CodeNotFound, "Transfer after a rejected create")
	ts, _, err := e.s.Outbox(e.ctx, alice.ID, ferry.Page{})
	e.ok(err, "Outbox")
	e.checkIDs("Outbox after a rejected create", ts, "t0")
	// The same ID can be created once the check passes.
	e.create(tr)
}

func testUpdateTransfer(e *env) {
	alice, bob, carol := e.account("alice"), e.account("bob"), e.account("carol")
	tr := transfer("t1", alice, base(), 1000, ferry.StateUploading, bob, carol)
	e.create(tr)
	full := fullTransfer("t1", alice, bob, carol)
	// Every mutable field changes; the immutable ones stay as created.
	upd := *tr
	upd.State, upd.Error, upd.SHA256 = ferry.StateInspecting, full.Error, full.SHA256
	upd.Offset, upd.Challenge, upd.UploadState = 1000, full.Challenge, full.UploadState
	upd.UpdatedAt, upd.UploadExpiresAt, upd.AvailableAt = at(time.Hour), at(2*time.Hour), at(3*time.Hour)
	upd.ExpiresAt, upd.DownloadedAt = at(4*time.Hour), at(5*time.Hour)
	e.ok(e.s.UpdateTransfer(e.ctx, &upd, ferry.StateUploading), "UpdateTransfer(from uploading)")
	checkTransfer(e.t, e.get("t1"), &upd)

	upd.State = ferry.StateAvailable // one of several from states
	e.ok(e.s.UpdateTransfer(e.ctx, &upd, ferry.StateUploading, ferry.StateInspecting), "UpdateTransfer(from uploading, inspecting)")
	checkTransfer(e.t, e.get("t1"), &upd)
	upd.State = ferry.StateRecalled // no from: any state
	e.ok(e.s.UpdateTransfer(e.ctx, &upd), "UpdateTransfer(from any)")
	checkTransfer(e.t, e.get("t1"), &upd)

	ghost := upd
	ghost.ID = "t-missing"
	e.wantCode(e.s.UpdateTransfer(e.ctx, &ghost), ferry.CodeNotFound, "UpdateTransfer(unknown)")
	e.wantCode(e.s.UpdateTransfer(e.ctx, &ghost, ferry.StateUploading), ferry.CodeNotFound, "UpdateTransfer(unknown, from)")
}

func testUpdateTransferClears(e *env) {
	alice, bob, carol := e.account("alice"), e.account("bob"), e.account("carol")
	tr := fullTransfer("t1", alice, bob, carol)
	e.create(tr)
	upd := withNames(tr, names(alice, bob, carol))
	upd.Error, upd.Challenge, upd.SHA256 = nil, nil, ""
	upd.Offset = 0
	upd.UploadExpiresAt, upd.AvailableAt, upd.ExpiresAt, upd.DownloadedAt = time.Time{}, time.Time{}, time.Time{}, time.Time{}
	e.update(upd)
	got := e.get("t1")
	checkTransfer(e.t, got, upd)
	if got.Error != nil || got.Challenge != nil {
		e.t.Errorf("cleared fields read back as %v, %v", got.Error, got.Challenge)
	}
}

func testUpdateConflict(e *env) {
	alice, bob := e.account("alice"), e.account("bob")
	tr := transfer("t1", alice, base(), 10, ferry.StateInspecting, bob)
	e.create(tr)
	upd := *tr
	upd.State, upd.SHA256, upd.Offset, upd.UpdatedAt = ferry.StateAvailable, hex64('c'), 10, at(time.Hour)
	upd.Error = ferry.E(ferry.CodeInternal)
	err := e.s.UpdateTransfer(e.ctx, &upd, ferry.StateUploading, ferry.StateDownloaded)
	e.wantCode(err, ferry.CodeStateConflict, "UpdateTransfer(wrong from)")
	if fe := ferry.AsError(err); fe == nil || fmt.Sprint(fe.Details["state"]) != string(ferry.StateInspecting) {
		e.t.Errorf("StateConflict details = %v, want state=inspecting", ferry.AsError(err).Details)
	}
	checkTransfer(e.t, e.get("t1"), tr) // nothing written
}

func testConcurrentCAS(e *env) {
	alice, bob := e.account("alice"), e.account("bob")
	tr := transfer("t1", alice, base(), 10, ferry.StateUploading, bob)
	e.create(tr)
	const n = 20
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			upd := *tr
			upd.State, upd.Offset, upd.UpdatedAt = ferry.StateInspecting, int64(i), at(time.Duration(i+1)*time.Second)
			errs[i] = e.s.UpdateTransfer(e.ctx, &upd, ferry.StateUploading)
		})
	}
	wg.Wait()
	won := -1
	for i, err := range errs {
		switch ferry.ErrorCode(err) {
		case 0:
			if won >= 0 {
				e.t.Errorf("UpdateTransfer succeeded twice from uploading (calls %d and %d)", won, i)
			}
			won = i
		case ferry.CodeStateConflict:
		default:
			e.t.Errorf("concurrent UpdateTransfer: %v", err)
		}
	}
	if won < 0 {
		e.t.Fatal("no concurrent UpdateTransfer succeeded")
	}
	if got := e.get("t1"); got.Offset != int64(won) || got.State != ferry.StateInspecting {
		e.t.Errorf("stored offset %d state %s, want the winner's %d, inspecting", got.Offset, got.State, won)
	}
}

func testUpdateRecipient(e *env) {
	alice, bob, carol := e.account("alice"), e.account("bob"), e.account("carol")
	tr := transfer("t1", alice, base(), 10, ferry.StateAvailable, bob, carol)
	e.create(tr)
	r := ferry.Recipient{AccountID: bob.ID, Status: ferry.RecipientDeclined, DecidedAt: at(time.Hour), DownloadedAt: at(2 * time.Hour)}
	e.ok(e.s.UpdateRecipient(e.ctx, "t1", &r), "UpdateRecipient")
	want := *tr
	want.Recipients = []ferry.Recipient{r, tr.Recipients[1]}
	want.Recipients[0].Username = "bob"
	checkTransfer(e.t, e.get("t1"), &want)
	// Back to pending with zero times.
	r = ferry.Recipient{AccountID: bob.ID, Status: ferry.RecipientPending}
	e.ok(e.s.UpdateRecipient(e.ctx, "t1", &r), "UpdateRecipient")
	checkTransfer(e.t, e.get("t1"), tr)

	e.wantCode(e.s.UpdateRecipient(e.ctx, "t-missing", &r), ferry.CodeNotFound, "UpdateRecipient(unknown transfer)")
	stranger := ferry.Recipient{AccountID: alice.ID, Status: ferry.RecipientAccepted}
	e.wantCode(e.s.UpdateRecipient(e.ctx, "t1", &stranger), ferry.CodeNotFound, "UpdateRecipient(not a recipient)")
	checkTransfer(e.t, e.get("t1"), tr)
}

func testTransferFreshCopies(e *env) {
	alice, bob, carol := e.account("alice"), e.account("bob"), e.account("carol")
	tr := fullTransfer("t1", alice, bob, carol)
	tr.State = ferry.StateAvailable // so that it is in bob's inbox too
	want := withNames(tr, names(alice, bob, carol))
	want.Challenge = &ferry.Challenge{Ranges: append([]ferry.ByteRange(nil), tr.Challenge.Ranges...)}
	e.create(tr)
	// The store keeps nothing of the caller's values...
	tr.Challenge.Ranges[0].Length, tr.Recipients[0].Status = 99, ferry.RecipientDeclined
	got := e.get("t1")
	checkTransfer(e.t, got, want)
	// ...nor hands out its own.
	got.Challenge.Ranges[0].Length, got.Recipients[0].Status = 98, ferry.RecipientDeclined
	got.Error.Details["signature"] = "changed"
	checkTransfer(e.t, e.get("t1"), want)
	for _, list := range []func() ([]*ferry.Transfer, string, error){
		func() ([]*ferry.Transfer, string, error) { return e.s.Outbox(e.ctx, alice.ID, ferry.Page{}) },
		func() ([]*ferry.Transfer, string, error) { return e.s.Inbox(e.ctx, bob.ID, ferry.Page{}) },
	} {
		ts, _, err := list()
		e.ok(err, "list")
		if len(ts) == 1 {
			ts[0].Challenge.Ranges[0].Offset = 12345
		}
	}
	checkTransfer(e.t, e.get("t1"), want)
}
