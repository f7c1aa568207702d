package sqlite

import (
	"context"
	"errors"
	"path/filepath"
	"runtime"
	"sync"
	"testing"

	"github.com/ferryhq/ferry"
)

// queued waits until n writes wait for the writer (spinning, not sleeping:
// the writes are queued by goroutines that run at once).
func queued(w *writer, n int) {
	for {
		w.mu.Lock()
		k := len(w.queue)
		w.mu.Unlock()
		if k >= n {
			return
		}
		runtime.Gosched()
	}
}

// Writes that wait while another runs share one transaction; one that fails
// is undone alone, and each caller learns its own outcome.
func TestWritesShareATransaction(t *testing.T) {
	s := open(t, filepath.Join(t.TempDir(), "ferry.db"))
	defer s.Close()
	ctx := t.Context()
	before := s.WriterStats()
	release := make(chan struct{})
	first := make(chan error, 1)
	go func() { // holds the writer until the others wait
		first <- s.write(ctx, "hold", func(*txn) error { <-release; return nil })
	}()
	for { // until it runs
		s.wr.mu.Lock()
		busy := s.wr.busy
		s.wr.mu.Unlock()
		if busy {
			break
		}
		runtime.Gosched()
	}

	insert := func(name string, fail error) func(*txn) error {
		return func(tx *txn) error {
			if _, err := tx.ExecContext(ctx, `INSERT INTO accounts (username, tier, password_hash, created_at, updated_at)
				VALUES (?, 'free', '', 0, 0)`, name); err != nil {
				return err
			}
			return fail
		}
	}
	errRefused := ferry.E(ferry.CodeStorageQuotaExceeded)
	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	writes := []struct {
		ctx  context.Context
		name string
		fail error
		want ferry.Code // 0: stored
	}{
		{ctx, "a", nil, 0},
		{ctx, "b", errRefused, ferry.CodeStorageQuotaExceeded}, // wrote, then refused: undone
		{ctx, "c", nil, 0},
		{ctx, "a", nil, ferry.CodeAlreadyExists},             // the first "a" is seen: same transaction
		{cancelled, "d", nil, ferry.CodeDatabaseUnavailable}, // gone before its turn: not run
		{ctx, "e", nil, 0},
	}
	errs := make([]error, len(writes))
	var wg sync.WaitGroup
	for i, w := range writes {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = s.write(w.ctx, "insert "+w.name, func(tx *txn) error {
				err := insert(w.name, w.fail)(tx)
				if err != nil && w.fail == nil {
					return insertErr("insert", err)
				}
				return err
			})
		}()
		queued(s.wr, i+1) // in this order
	}
	close(release)
	wg.Wait()
	if err := <-first; err != nil {
		t.Fatal(err)
	}
	for i, w := range writes {
		if got := ferry.ErrorCode(errs[i]); got != w.want {
			t.Errorf("write %d (%s): %v, want code %d", i, w.name, errs[i], w.want)
		}
	}
	for name, want := range map[string]bool{"a": true, "b": false, "c": true, "d": false, "e": true} {
		_, err := s.Account(ctx, name)
		if stored := err == nil; stored != want {
			t.Errorf("account %s stored: %v, want %v (%v)", name, stored, want, err)
		}
	}
	// The hold ran alone, the six in one transaction; b, the second a and
	// d failed.
	st := s.WriterStats()
	if w, b, f := st.Writes-before.Writes, st.Batches-before.Batches, st.Failed-before.Failed; w != 7 || b != 2 || f != 3 || st.Busy <= before.Busy {
		t.Errorf("writer stats: %d writes, %d transactions, %d failed, busy %v → %v; want 7, 2, 3 and more busy",
			w, b, f, before.Busy, st.Busy)
	}
}

// Many writers at once: every write is stored exactly once, and what each
// read-modify-write saw was the state after every write before it.
func TestConcurrentWritesSerialise(t *testing.T) {
	s := open(t, filepath.Join(t.TempDir(), "ferry.db"))
	defer s.Close()
	ctx := t.Context()
	if _, err := s.w.ExecContext(ctx, `CREATE TABLE counter (n INTEGER NOT NULL) STRICT; INSERT INTO counter VALUES (0)`); err != nil {
		t.Fatal(err)
	}
	const n = 200
	seen := make([]int, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			err := s.write(ctx, "count", func(tx *txn) error {
				if err := tx.QueryRowContext(ctx, `SELECT n FROM counter`).Scan(&seen[i]); err != nil {
					return err
				}
				if i%7 == 0 { // some refuse after writing: undone alone
					if _, err := tx.ExecContext(ctx, `UPDATE counter SET n = n + 1000`); err != nil {
						return err
					}
					return errors.New("refused")
				}
				_, err := tx.ExecContext(ctx, `UPDATE counter SET n = n + 1`)
				return err
			})
			if (err != nil) != (i%7 == 0) {
				t.Errorf("write %d: %v", i, err)
			}
		})
	}
	wg.Wait()
	var total int
	if err := s.r.QueryRowContext(ctx, `SELECT n FROM counter`).Scan(&total); err != nil {
		t.Fatal(err)
	}
	want := n - (n+6)/7
	if total != want {
		t.Fatalf("counter %d, want %d", total, want)
	}
	// Each write that counted saw a distinct value: no two ran side by side.
	got := map[int]bool{}
	for i, v := range seen {
		if i%7 == 0 {
			continue
		}
		if got[v] {
			t.Fatalf("two writes saw the counter at %d", v)
		}
		got[v] = true
	}
	if len(got) != want {
		t.Fatalf("%d distinct values seen, want %d", len(got), want)
	}
}

// A write after Close fails with 9002 instead of waiting forever.
func TestWriteAfterClose(t *testing.T) {
	s := open(t, filepath.Join(t.TempDir(), "ferry.db"))
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	err := s.CreateAccount(t.Context(), &ferry.Account{Username: "late", Tier: ferry.TierFree})
	if ferry.ErrorCode(err) != ferry.CodeDatabaseUnavailable {
		t.Fatalf("write after Close: %v, want 9002", err)
	}
	if err := s.Close(); err != nil {
		t.Fatalf("Close again: %v", err)
	}
}

// A write that panics fails alone, and the writer goes on.
func TestPanickingWrite(t *testing.T) {
	s := open(t, filepath.Join(t.TempDir(), "ferry.db"))
	defer s.Close()
	ctx := t.Context()
	err := s.write(ctx, "panic", func(tx *txn) error {
		if _, err := tx.ExecContext(ctx, `INSERT INTO accounts (username, tier, password_hash, created_at, updated_at)
			VALUES ('half', 'free', '', 0, 0)`); err != nil {
			return err
		}
		panic("a bug")
	})
	if ferry.ErrorCode(err) != ferry.CodeInternal {
		t.Fatalf("panicking write: %v, want 9000", err)
	}
	if err := s.CreateAccount(ctx, &ferry.Account{Username: "after", Tier: ferry.TierFree}); err != nil {
		t.Fatalf("the next write: %v", err)
	}
	if _, err := s.Account(ctx, "half"); ferry.ErrorCode(err) != ferry.CodeNotFound {
		t.Fatalf("the panicking write's insert was kept: %v", err)
	}
}
