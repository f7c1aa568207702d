package postgres

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"testing/fstest"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/ferryhq/ferry"
	"github.com/ferryhq/ferry/meta/internal/sqlstore"
	"github.com/ferryhq/ferry/meta/postgres/pgtest"
)

// Tests of what only a shared database has: several nodes, each with a
// Store (a pool of its own), on one database.

var base = time.Date(2026, 1, 2, 3, 4, 5, 6, time.UTC)

// nodes opens n stores on one fresh database, as n ferry nodes would.
func nodes(t *testing.T, n int) []*Store {
	t.Helper()
	dsn := pgtest.Shared(t).NewDatabase(t)
	ss := make([]*Store, n)
	for i := range ss {
		ss[i] = openDSN(t, dsn)
		t.Cleanup(func() { ss[i].Close() })
	}
	return ss
}

func account(t *testing.T, s *Store, name string) *ferry.Account {
	t.Helper()
	a := &ferry.Account{Username: name, Tier: ferry.TierFree, PasswordHash: "x", CreatedAt: base, UpdatedAt: base}
	if err := s.CreateAccount(t.Context(), a); err != nil {
		t.Fatalf("CreateAccount(%s): %v", name, err)
	}
	return a
}

func newTransfer(id string, from, to *ferry.Account, created time.Time, size int64) *ferry.Transfer {
	return &ferry.Transfer{ID: id, SenderID: from.ID, Name: id, Size: size, State: ferry.StateUploading,
		Recipients: []ferry.Recipient{{AccountID: to.ID}}, CreatedAt: created, UpdatedAt: created}
}

// Nodes that start at once against an empty database all open it, and the
// schema is made once: a second run of 0001 would fail on its tables.
func TestConcurrentOpensMigrateOnce(t *testing.T) {
	dsn := pgtest.Shared(t).NewDatabase(t)
	const n = 8
	stores := make([]*Store, n)
	errs := make([]error, n)
	start := make(chan struct{})
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			<-start
			stores[i], errs[i] = Open(t.Context(), dsn)
		})
	}
	close(start)
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Errorf("Open %d: %v", i, err)
			continue
		}
		defer stores[i].Close()
	}
	if t.Failed() {
		return
	}
	ms, err := sqlstore.LoadMigrations(migrationFS)
	if err != nil {
		t.Fatal(err)
	}
	var rows, versions int
	if err := stores[0].pool.QueryRow(t.Context(), `SELECT count(*), count(DISTINCT version) FROM schema_migrations`).
		Scan(&rows, &versions); err != nil {
		t.Fatal(err)
	}
	if rows != len(ms) || versions != len(ms) {
		t.Errorf("schema_migrations holds %d rows of %d versions, want %d of each", rows, versions, len(ms))
	}
	// And the schema works from every node.
	for i, s := range stores {
		account(t, s, fmt.Sprint("user", i))
	}
}

// CreateTransfer excludes every other create for the same sender on every
// node: 50 creates through two stores against a quota that fits 10 admit
// exactly 10.
func TestCreateExclusiveAcrossNodes(t *testing.T) {
	ss := nodes(t, 2)
	alice, bob := account(t, ss[0], "alice"), account(t, ss[1], "bob")
	const (
		n     = 50
		fit   = 10
		size  = int64(1000)
		quota = fit * size
	)
	errQuota := ferry.E(ferry.CodeStorageQuotaExceeded)
	errs := make([]error, n)
	start := make(chan struct{})
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			tr := newTransfer(fmt.Sprintf("q%02d", i), alice, bob, base.Add(time.Duration(i)*time.Millisecond), size)
			<-start
			errs[i] = ss[i%2].CreateTransfer(t.Context(), tr, ferry.UsageSpans{Burst: time.Hour}, func(u ferry.Usage) error {
				if u.StorageBytes+size > quota {
					return errQuota
				}
				return nil
			})
		})
	}
	close(start)
	wg.Wait()
	created := 0
	for i, err := range errs {
		switch {
		case err == nil:
			created++
		case err != errQuota:
			t.Errorf("create %d: %v, want nil or the check's error", i, err)
		}
	}
	if created != fit {
		t.Errorf("%d creates succeeded, want exactly %d", created, fit)
	}
	// The ranks the creates kept count them all, whichever node stored them.
	for _, s := range ss {
		u, err := s.Usage(t.Context(), alice.ID, base.Add(time.Hour), ferry.UsageSpans{Burst: 2 * time.Hour})
		if err != nil {
			t.Fatal(err)
		}
		if u.StorageBytes != quota || len(u.Recent) != fit || u.Counted.Created != fit {
			t.Errorf("Usage = %d bytes, %d recent, %d created; want %d, %d, %d",
				u.StorageBytes, len(u.Recent), u.Counted.Created, quota, fit, fit)
		}
	}
}

// UpdateRisk excludes every other UpdateRisk of the account on every node:
// concurrent increments through two stores lose none.
func TestUpdateRiskExclusiveAcrossNodes(t *testing.T) {
	ss := nodes(t, 2)
	alice := account(t, ss[0], "alice")
	const n = 40
	var wg sync.WaitGroup
	errs := make([]error, n)
	for i := range n {
		wg.Go(func() {
			errs[i] = ss[i%2].UpdateRisk(t.Context(), alice.ID, func(r *ferry.Risk) error {
				r.FailedLogins++
				r.Events = append(r.Events, ferry.RiskEvent{Kind: "login_failures", At: base.Add(time.Duration(i))})
				return nil
			})
		})
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Errorf("UpdateRisk %d: %v", i, err)
		}
	}
	r, err := ss[1].Risk(t.Context(), alice.ID)
	if err != nil {
		t.Fatal(err)
	}
	if r.FailedLogins != n || len(r.Events) != n {
		t.Errorf("after %d increments: %d failed logins, %d events", n, r.FailedLogins, len(r.Events))
	}
}

// A ShareBlob on one node that starts while DeleteBlob on another holds the
// blob waits for it, and then finds the blob gone.
func TestDeleteBlobExcludesShareAcrossNodes(t *testing.T) {
	ss := nodes(t, 2)
	ctx := t.Context()
	alice, bob := account(t, ss[0], "alice"), account(t, ss[0], "bob")
	sha := strings.Repeat("b", 64)
	old := newTransfer("old", alice, bob, base, 1)
	late := newTransfer("late", bob, alice, base.Add(time.Hour), 1)
	for _, tr := range []*ferry.Transfer{old, late} {
		if err := ss[0].CreateTransfer(ctx, tr, ferry.UsageSpans{}, nil); err != nil {
			t.Fatal(err)
		}
	}
	old.SHA256, old.State = sha, ferry.StateInspecting
	if err := ss[0].AttachBlob(ctx, old, &ferry.Blob{SHA256: sha, Size: 1, CreatedAt: base, Inspected: "v1"}); err != nil {
		t.Fatal(err)
	}
	old.State = ferry.StateRejected
	if err := ss[0].UpdateTransfer(ctx, old); err != nil {
		t.Fatal(err)
	}
	shared := make(chan error, 1)
	finished := make(chan struct{})
	ok, err := ss[0].DeleteBlob(ctx, sha, func(context.Context) error {
		go func() {
			upd := *late
			upd.SHA256, upd.State = sha, ferry.StateAvailable
			shared <- ss[1].ShareBlob(ctx, &upd, "v1", ferry.StateUploading)
			close(finished)
		}()
		// Hold the blob until the other node's ShareBlob waits for it.
		return waitForLock(ctx, ss[0], finished)
	})
	if !ok || err != nil {
		t.Fatalf("DeleteBlob = %v, %v", ok, err)
	}
	if err := <-shared; ferry.ErrorCode(err) != ferry.CodeNotFound {
		t.Errorf("ShareBlob during DeleteBlob on another node: %v, want code %d", err, ferry.CodeNotFound)
	}
	if got, err := ss[1].Transfer(ctx, "late"); err != nil || got.State != ferry.StateUploading || got.SHA256 != "" {
		t.Errorf("a transfer took a deleted blob: %+v, %v", got, err)
	}
}

// waitForLock returns once some session of the database waits for an
// advisory lock, as PostgreSQL reports it (pg_locks), or done is closed:
// it returns at an event, without sleeping a guessed time. A ShareBlob
// that did not wait closes done, and then fails the test.
func waitForLock(ctx context.Context, s *Store, done <-chan struct{}) error {
	for {
		select {
		case <-done:
			return nil
		default:
		}
		var waiting bool
		err := s.pool.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM pg_locks
			WHERE locktype = 'advisory' AND NOT granted AND database = (SELECT oid FROM pg_database WHERE datname = current_database()))`).
			Scan(&waiting)
		if err != nil || waiting {
			return err
		}
	}
}

func TestMigrationIsAtomic(t *testing.T) {
	s := open(t)
	defer s.Close()
	fsys := fstest.MapFS{
		"migrations/0001_init.sql": &fstest.MapFile{Data: mustRead(t, "migrations/0001_init.sql")},
		"migrations/9000_good.sql": &fstest.MapFile{Data: []byte(`CREATE TABLE good (x int);`)},
		"migrations/9001_bad.sql":  &fstest.MapFile{Data: []byte(`CREATE TABLE bad (x int); SELECT no_such_function();`)},
	}
	err := s.migrate(t.Context(), fsys)
	if ferry.ErrorCode(err) != ferry.CodeDatabaseUnavailable || !strings.Contains(err.Error(), "9001_bad.sql") {
		t.Fatalf("migrate with a broken migration = %v, want 9002 naming it", err)
	}
	var tables int
	if err := s.pool.QueryRow(t.Context(), `SELECT count(*) FROM pg_tables WHERE tablename IN ('good', 'bad')`).Scan(&tables); err != nil {
		t.Fatal(err)
	}
	var versions int
	if err := s.pool.QueryRow(t.Context(), `SELECT count(*) FROM schema_migrations WHERE version >= 9000`).Scan(&versions); err != nil {
		t.Fatal(err)
	}
	if tables != 0 || versions != 0 {
		t.Errorf("after a failed migration: %d of its tables, %d of its versions; want none", tables, versions)
	}
	if err := s.Migrate(t.Context()); err != nil { // the real ones again: nothing to do
		t.Errorf("Migrate again: %v", err)
	}
}

func mustRead(t *testing.T, name string) []byte {
	t.Helper()
	b, err := migrationFS.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestNewerSchemaRefused(t *testing.T) {
	dsn := pgtest.Shared(t).NewDatabase(t)
	s := openDSN(t, dsn)
	if _, err := s.pool.Exec(t.Context(), `INSERT INTO schema_migrations (version, applied_at) VALUES (9999, 0)`); err != nil {
		t.Fatal(err)
	}
	s.Close()
	_, err := Open(t.Context(), dsn)
	if ferry.ErrorCode(err) != ferry.CodeDatabaseUnavailable || !strings.Contains(err.Error(), "newer") {
		t.Errorf("Open of a newer schema = %v, want 9002 saying it is newer", err)
	}
}

// A DSN that does not parse is refused without its text, which may hold a
// password.
func TestOpenBadDSN(t *testing.T) {
	_, err := Open(t.Context(), "postgres://ferry:s3cret@[::1/db")
	if ferry.ErrorCode(err) != ferry.CodeDatabaseUnavailable || strings.Contains(err.Error(), "s3cret") {
		t.Errorf("Open(bad DSN) = %v, want 9002 without the password", err)
	}
}

// What a text column cannot hold (NUL, bytes that are not UTF-8): the
// audit log records it as U+FFFD rather than refusing the record, lookups
// by such a key find nothing rather than failing, and details keep
// \u0000 (json, not jsonb).
func TestTextPostgresCannotHold(t *testing.T) {
	s := open(t)
	defer s.Close()
	ctx := t.Context()
	rec := &ferry.AuditRecord{At: base, Account: "mal\x00lory", Action: ferry.AuditCreate, Name: "a\x00b\xffc.exe",
		Verdict: ferry.VerdictRejected, Code: ferry.CodeFileNameInvalid, Details: map[string]any{"name": "a\x00b"}}
	if err := s.AppendAudit(ctx, []*ferry.AuditRecord{rec}); err != nil {
		t.Fatalf("AppendAudit: %v", err)
	}
	recs, _, err := s.Audit(ctx, ferry.AuditQuery{Account: "mal\x00lory"})
	if err != nil || len(recs) != 1 {
		t.Fatalf("Audit(account with NUL) = %d records, %v", len(recs), err)
	}
	if got := recs[0]; got.Name != "a\uFFFDb\uFFFDc.exe" || got.Account != "mal\uFFFDlory" || got.Details["name"] != "a\x00b" {
		t.Errorf("stored as name %q, account %q, details %q", got.Name, got.Account, got.Details)
	}
	for what, err := range map[string]error{
		"Account":         second(s.Account(ctx, "a\x00")),
		"Transfer":        second(s.Transfer(ctx, "\xff")),
		"Blob":            second(s.Blob(ctx, "\x00")),
		"UpdateRecipient": s.UpdateRecipient(ctx, "\xff", &ferry.Recipient{AccountID: 1}),
	} {
		if ferry.ErrorCode(err) != ferry.CodeNotFound {
			t.Errorf("%s(unstorable key) = %v, want code %d", what, err, ferry.CodeNotFound)
		}
	}
	if _, _, err := s.Outbox(ctx, 1, ferry.Page{Cursor: "MTI6AA"}); ferry.ErrorCode(err) != ferry.CodeBadRequest { // "12:\x00"
		t.Errorf("Outbox(cursor with NUL) = %v, want code %d", err, ferry.CodeBadRequest)
	}
	// A transfer's error keeps a detail with NUL.
	alice, bob := account(t, s, "alice"), account(t, s, "bob")
	tr := newTransfer("t1", alice, bob, base, 1)
	tr.State, tr.Error = ferry.StateRejected, ferry.E(ferry.CodeSensitiveContent).With("path", "dir/a\x00b.txt")
	if err := s.CreateTransfer(ctx, tr, ferry.UsageSpans{}, nil); err != nil {
		t.Fatal(err)
	}
	got, err := s.Transfer(ctx, "t1")
	if err != nil || got.Error == nil || got.Error.Details["path"] != "dir/a\x00b.txt" {
		t.Errorf("Transfer = %+v, %v; want the error's path kept", got, err)
	}
}

func second[T any](_ T, err error) error { return err }

func TestRetryable(t *testing.T) {
	for _, c := range []struct {
		err  error
		want bool
	}{
		{&pgconn.PgError{Code: "40001"}, true},
		{fmt.Errorf("wrapped: %w", &pgconn.PgError{Code: "40P01"}), true},
		{&pgconn.PgError{Code: "23505"}, false},
		{errors.New("plain"), false},
		{pgx.ErrNoRows, false},
	} {
		if got := retryable(c.err); got != c.want {
			t.Errorf("retryable(%v) = %v, want %v", c.err, got, c.want)
		}
	}
}
