package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"testing/fstest"
	"time"

	"github.com/ferryhq/ferry"
	"github.com/ferryhq/ferry/meta/metatest"
)

func open(t testing.TB, path string) *Store {
	t.Helper()
	s, err := Open(path)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	return s
}

func TestConformance(t *testing.T) {
	metatest.Run(t, func(t *testing.T) ferry.MetaStore {
		return open(t, filepath.Join(t.TempDir(), "ferry.db"))
	})
}

// migrationRows reads schema_migrations.
func migrationRows(t *testing.T, s *Store) map[int]int64 {
	t.Helper()
	rows, err := s.r.QueryContext(t.Context(), `SELECT version, applied_at FROM schema_migrations`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	m := map[int]int64{}
	for rows.Next() {
		var v int
		var at int64
		if err := rows.Scan(&v, &at); err != nil {
			t.Fatal(err)
		}
		m[v] = at
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return m
}

func TestReopenKeepsDataAndMigrations(t *testing.T) {
	ctx := t.Context()
	path := filepath.Join(t.TempDir(), "nested", "dirs", "ferry.db") // folders are created
	s := open(t, path)
	a := &ferry.Account{Username: "alice", Tier: ferry.TierFree, CreatedAt: time.Unix(1, 0)}
	if err := s.CreateAccount(ctx, a); err != nil {
		t.Fatal(err)
	}
	before := migrationRows(t, s)
	if len(before) == 0 {
		t.Fatal("no migration recorded")
	}
	if err := s.Migrate(ctx); err != nil { // idempotent
		t.Fatalf("Migrate again: %v", err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}

	s = open(t, path)
	defer s.Close()
	got, err := s.Account(ctx, "alice")
	if err != nil || got.ID != a.ID {
		t.Fatalf("after reopening: Account = %+v, %v", got, err)
	}
	after := migrationRows(t, s)
	if fmt.Sprint(after) != fmt.Sprint(before) {
		t.Errorf("reopening changed schema_migrations: %v, then %v", before, after)
	}
}

func TestOddPath(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "a dir?with#odd%20chars")
	path := filepath.Join(dir, "ferry.db")
	s := open(t, path)
	if err := s.CreateAccount(t.Context(), &ferry.Account{Username: "alice", Tier: ferry.TierFree}); err != nil {
		t.Fatal(err)
	}
	s.Close()
	if _, err := os.Stat(path); err != nil {
		t.Fatalf("database not at %s: %v", path, err)
	}
	s = open(t, path)
	defer s.Close()
	if _, err := s.Account(t.Context(), "alice"); err != nil {
		t.Fatalf("after reopening %s: %v", path, err)
	}
}

func TestMigrationIsAtomic(t *testing.T) {
	s := open(t, filepath.Join(t.TempDir(), "ferry.db"))
	defer s.Close()
	// The real migrations, applied by Open, then a good and a broken one
	// numbered past any real one.
	bad := fstest.MapFS{
		"migrations/9001_good.sql": {Data: []byte(`CREATE TABLE extra (x INTEGER) STRICT;`)},
		"migrations/9002_bad.sql":  {Data: []byte(`CREATE TABLE more (x INTEGER); SELECT nope FROM nowhere;`)},
	}
	real, err := fs.Glob(migrationFS, "migrations/*.sql")
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range real {
		b, err := migrationFS.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		bad[name] = &fstest.MapFile{Data: b}
	}
	before := migrationRows(t, s)
	err = s.migrate(t.Context(), bad)
	if ferry.ErrorCode(err) != ferry.CodeDatabaseUnavailable {
		t.Fatalf("migrate with a broken migration = %v, want CodeDatabaseUnavailable", err)
	}
	if m := migrationRows(t, s); fmt.Sprint(m) != fmt.Sprint(before) || len(m) != len(real) {
		t.Errorf("after a failed migration, schema_migrations = %v, want %v", m, before)
	}
	var n int
	if err := s.r.QueryRowContext(t.Context(), `SELECT count(*) FROM sqlite_schema WHERE name IN ('extra', 'more')`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	if n != 0 {
		t.Errorf("a failed migration left %d tables behind", n)
	}
}

func TestNewerSchemaRefused(t *testing.T) {
	path := filepath.Join(t.TempDir(), "ferry.db")
	s := open(t, path)
	if _, err := s.w.ExecContext(t.Context(), `INSERT INTO schema_migrations (version, applied_at) VALUES (9999, 0)`); err != nil {
		t.Fatal(err)
	}
	s.Close()
	if s, err := Open(path); err == nil {
		s.Close()
		t.Fatal("Open accepted a database with a schema newer than the binary")
	}
}

func TestPragmas(t *testing.T) {
	s := open(t, filepath.Join(t.TempDir(), "ferry.db"))
	defer s.Close()
	want := map[string]string{"journal_mode": "wal", "foreign_keys": "1", "synchronous": "1",
		"busy_timeout": fmt.Sprint(busyTimeout.Milliseconds())}
	for name, db := range map[string]*sql.DB{"writer": s.w, "reader": s.r} {
		for pragma, w := range want {
			var got string
			if err := db.QueryRowContext(t.Context(), "PRAGMA "+pragma).Scan(&got); err != nil {
				t.Fatal(err)
			}
			if got != w {
				t.Errorf("%s: PRAGMA %s = %s, want %s", name, pragma, got, w)
			}
		}
	}
	if _, err := s.r.ExecContext(t.Context(), `DELETE FROM accounts`); err == nil {
		t.Error("a reader connection could write")
	}
}

func BenchmarkCreateTransfer(b *testing.B) {
	s := open(b, filepath.Join(b.TempDir(), "ferry.db"))
	defer s.Close()
	ctx := context.Background()
	var accounts [10]*ferry.Account
	for i := range accounts {
		accounts[i] = &ferry.Account{Username: fmt.Sprintf("user%d", i), Tier: ferry.TierFree, CreatedAt: time.Now()}
		if err := s.CreateAccount(ctx, accounts[i]); err != nil {
			b.Fatal(err)
		}
	}
	check := func(u ferry.Usage) error {
		if u.StorageBytes < 0 {
			return ferry.E(ferry.CodeStorageQuotaExceeded)
		}
		return nil
	}
	// The default policy's spans.
	spans := ferry.UsageSpans{Burst: time.Minute, Networks: 15 * time.Minute}
	var n int
	newTransfer := func(i int) *ferry.Transfer { return benchTransfer(accounts[:], i) }
	b.Run("serial", func(b *testing.B) {
		for b.Loop() {
			n++
			if err := s.CreateTransfer(ctx, newTransfer(n), spans, check); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("parallel", func(b *testing.B) {
		var mu sync.Mutex
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				mu.Lock()
				n++
				i := n
				mu.Unlock()
				if err := s.CreateTransfer(ctx, newTransfer(i), spans, check); err != nil {
					b.Error(err)
					return
				}
			}
		})
	})
}

// BenchmarkCreateRecall is the store's part of a create-then-delete
// decision (internal/e2e's BenchmarkCreateDeleteHTTP): a create with its
// usage check, then the sender's recall of it, from 16 goroutines — the
// floor under what the HTTP benchmark can reach, whatever the layers above
// cost. It reports pairs/s (one pair is one decision).
func BenchmarkCreateRecall(b *testing.B) {
	s := open(b, filepath.Join(b.TempDir(), "ferry.db"))
	defer s.Close()
	ctx := context.Background()
	sender := &ferry.Account{Username: "alice", Tier: ferry.TierEnterprise, CreatedAt: time.Now()}
	rcpt := &ferry.Account{Username: "bob", Tier: ferry.TierEnterprise, CreatedAt: time.Now()}
	for _, a := range []*ferry.Account{sender, rcpt} {
		if err := s.CreateAccount(ctx, a); err != nil {
			b.Fatal(err)
		}
	}
	spans := ferry.UsageSpans{Burst: time.Minute, Networks: 15 * time.Minute}
	check := func(u ferry.Usage) error { return nil }
	var next atomic.Int64
	start := time.Now()
	b.SetParallelism(8)
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			i := next.Add(1)
			now := start.Add(time.Duration(i) * time.Microsecond)
			t := &ferry.Transfer{ID: fmt.Sprintf("t%09d", i), SenderID: sender.ID, Name: "report.pdf", Size: 1000,
				State: ferry.StateUploading, Recipients: []ferry.Recipient{{AccountID: rcpt.ID}},
				CreatedAt: now, UpdatedAt: now, UploadExpiresAt: now.Add(time.Hour), Network: "127.0.0.0/24"}
			if err := s.CreateTransfer(ctx, t, spans, check); err != nil {
				b.Error(err)
				return
			}
			t.State, t.UpdatedAt = ferry.StateRecalled, now.Add(time.Millisecond)
			if err := s.UpdateTransfer(ctx, t, ferry.StateUploading); err != nil {
				b.Error(err)
				return
			}
		}
	})
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "pairs/s")
}

// benchTransfer is the i-th transfer of the benchmark, from one of accounts
// to the next.
func benchTransfer(accounts []*ferry.Account, i int) *ferry.Transfer {
	sender, rcpt := accounts[i%len(accounts)], accounts[(i+1)%len(accounts)]
	// Ten minutes apart: each sender has ~15 transfers in the usage window,
	// as a busy user might, while its total keeps growing.
	created := time.Date(2026, 1, 2, 3, 4, 5, 6, time.UTC).Add(time.Duration(i) * 10 * time.Minute)
	return &ferry.Transfer{ID: fmt.Sprintf("t%09d", i), SenderID: sender.ID, Name: "f.bin", Size: 1 << 20,
		State: ferry.StateUploading, Recipients: []ferry.Recipient{{AccountID: rcpt.ID}},
		CreatedAt: created, UpdatedAt: created, UploadExpiresAt: created.Add(time.Hour)}
}
