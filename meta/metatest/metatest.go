package metatest

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/ferryhq/ferry"
)

// Run runs the conformance suite against the stores open returns. Each
// subtest opens a fresh, empty store and closes it when it ends.
func Run(t *testing.T, open func(t *testing.T) ferry.MetaStore) {
	t.Helper()
	for _, tc := range suite() {
		t.Run(tc.name, func(t *testing.T) {
			s := open(t)
			t.Cleanup(func() {
				if err := s.Close(); err != nil {
					t.Errorf("Close: %v", err)
				}
			})
			tc.fn(&env{t: t, s: s, ctx: t.Context()})
		})
	}
}

type test struct {
	name string
	fn   func(e *env)
}

func suite() []test {
	return slices.Concat(accountTests(), riskTests(), transferTests(), usageTests(), listTests(), blobTests(), auditTests())
}

// env is what a test works with: its store and a few helpers.
type env struct {
	t   *testing.T
	s   ferry.MetaStore
	ctx context.Context
}

// base is the fixed "now" of the suite; at(d) is base+d.
func base() time.Time { return time.Date(2026, 1, 2, 3, 4, 5, 6, time.UTC) }

func at(d time.Duration) time.Time { return base().Add(d) }

// allow is a usage check that accepts everything.
func allow(ferry.Usage) error { return nil }

// account creates an account with that username.
func (e *env) account(name string) *ferry.Account {
	e.t.Helper()
	a := &ferry.Account{Username: name, Tier: ferry.TierFree, PasswordHash: "$argon2id$v=19$m=65536,t=3,p=4$c2FsdA$aGFzaA",
		CreatedAt: base(), UpdatedAt: base()}
	if err := e.s.CreateAccount(e.ctx, a); err != nil {
		e.t.Fatalf("CreateAccount(%s): %v", name, err)
	}
	return a
}

// transfer returns a transfer of size bytes from sender to recipients,
// created and updated at created, in state st. Sender and recipient names
// are filled in as reads return them.
func transfer(id string, sender *ferry.Account, created time.Time, size int64, st ferry.State, recipients ...*ferry.Account) *ferry.Transfer {
	t := &ferry.Transfer{ID: id, SenderID: sender.ID, Sender: sender.Username, Name: id + ".bin", Size: size,
		State: st, CreatedAt: created, UpdatedAt: created}
	for _, r := range recipients {
		t.Recipients = append(t.Recipients, ferry.Recipient{AccountID: r.ID, Username: r.Username, Status: ferry.RecipientPending})
	}
	return t
}

// create stores t with a check that accepts everything.
func (e *env) create(t *ferry.Transfer) *ferry.Transfer {
	e.t.Helper()
	if err := e.s.CreateTransfer(e.ctx, t, ferry.UsageSpans{}, allow); err != nil {
		e.t.Fatalf("CreateTransfer(%s): %v", t.ID, err)
	}
	return t
}

// get reads transfer id.
func (e *env) get(id string) *ferry.Transfer {
	e.t.Helper()
	t, err := e.s.Transfer(e.ctx, id)
	if err != nil {
		e.t.Fatalf("Transfer(%s): %v", id, err)
	}
	return t
}

// update stores t, from any state.
func (e *env) update(t *ferry.Transfer) {
	e.t.Helper()
	if err := e.s.UpdateTransfer(e.ctx, t); err != nil {
		e.t.Fatalf("UpdateTransfer(%s): %v", t.ID, err)
	}
}

// wantCode fails unless err carries code.
func (e *env) wantCode(err error, code ferry.Code, what string) {
	e.t.Helper()
	if got := ferry.ErrorCode(err); got != code {
		e.t.Errorf("%s: error %v (code %d), want code %d", what, err, got, code)
	}
}

// ok fails the test now when err is not nil.
func (e *env) ok(err error, what string) {
	e.t.Helper()
	if err != nil {
		e.t.Fatalf("%s: %v", what, err)
	}
}

// ids lists the IDs of ts.
func ids(ts []*ferry.Transfer) []string {
	out := make([]string, len(ts))
	for i, t := range ts {
		out[i] = t.ID
	}
	return out
}

// sameTime reports whether got is want, read back in UTC (or both zero).
func sameTime(got, want time.Time) bool {
	if want.IsZero() {
		return got.IsZero()
	}
	return got.Equal(want) && got.Location() == time.UTC
}

// diff collects field mismatches.
type diff []string

func (d *diff) eq(field string, got, want any) {
	if got != want {
		*d = append(*d, fmt.Sprintf("%s = %#v, want %#v", field, got, want))
	}
}

func (d *diff) time(field string, got, want time.Time) {
	if !sameTime(got, want) {
		*d = append(*d, fmt.Sprintf("%s = %v (%v), want %v", field, got, got.Location(), want))
	}
}

func (d diff) report(t *testing.T, what string) {
	t.Helper()
	if len(d) > 0 {
		t.Errorf("%s:\n\t%s", what, strings.Join(d, "\n\t"))
	}
}

// checkTransfer compares every field of got with want.
func checkTransfer(t *testing.T, got, want *ferry.Transfer) {
	t.Helper()
	if got == nil {
		t.Fatalf("transfer %s: got nil", want.ID)
	}
	var d diff
	d.eq("ID", got.ID, want.ID)
	d.eq("SenderID", got.SenderID, want.SenderID)
	d.eq("Sender", got.Sender, want.Sender)
	d.eq("Network", got.Network, want.Network)
	d.eq("Name", got.Name, want.Name)
	d.eq("Size", got.Size, want.Size)
	d.eq("DeclaredSHA256", got.DeclaredSHA256, want.DeclaredSHA256)
	d.eq("SHA256", got.SHA256, want.SHA256)
	d.eq("State", got.State, want.State)
	d.eq("Error", string(ferry.EncodeError(got.Error)), string(ferry.EncodeError(want.Error)))
	d.eq("Offset", got.Offset, want.Offset)
	d.eq("Challenge", fmt.Sprint(got.Challenge), fmt.Sprint(want.Challenge))
	d.eq("UploadState", fmt.Sprintf("%x (nil %v)", got.UploadState, got.UploadState == nil),
		fmt.Sprintf("%x (nil %v)", want.UploadState, want.UploadState == nil))
	d.time("CreatedAt", got.CreatedAt, want.CreatedAt)
	d.time("UpdatedAt", got.UpdatedAt, want.UpdatedAt)
	d.time("UploadExpiresAt", got.UploadExpiresAt, want.UploadExpiresAt)
	d.time("AvailableAt", got.AvailableAt, want.AvailableAt)
	d.time("ExpiresAt", got.ExpiresAt, want.ExpiresAt)
	d.time("DownloadedAt", got.DownloadedAt, want.DownloadedAt)
	if len(got.Recipients) != len(want.Recipients) {
		d = append(d, fmt.Sprintf("Recipients = %+v, want %+v", got.Recipients, want.Recipients))
	} else {
		for i, w := range want.Recipients {
			g := got.Recipients[i]
			f := fmt.Sprintf("Recipients[%d].", i)
			d.eq(f+"AccountID", g.AccountID, w.AccountID)
			d.eq(f+"Username", g.Username, w.Username)
			d.eq(f+"Status", g.Status, w.Status)
			d.time(f+"DecidedAt", g.DecidedAt, w.DecidedAt)
			d.time(f+"DownloadedAt", g.DownloadedAt, w.DownloadedAt)
		}
	}
	d.report(t, "transfer "+want.ID)
}

// checkIDs compares the IDs of ts with want, in order.
func (e *env) checkIDs(what string, ts []*ferry.Transfer, want ...string) {
	e.t.Helper()
	if got := ids(ts); !slices.Equal(got, want) {
		e.t.Errorf("%s = %q, want %q", what, got, want)
	}
}
