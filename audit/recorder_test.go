package audit_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ferryhq/ferry"
	"github.com/ferryhq/ferry/audit"
	"github.com/ferryhq/ferry/meta/sqlite"
)

// openStore opens a real SQLite store in a temporary folder.
func openStore(tb testing.TB) *sqlite.Store {
	tb.Helper()
	s, err := sqlite.Open(filepath.Join(tb.TempDir(), "ferry.db"))
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { s.Close() })
	return s
}

// logBuffer collects what a recorder logs.
type logBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *logBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *logBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

func newLog() (*slog.Logger, *logBuffer) {
	var buf logBuffer
	return slog.New(slog.NewTextHandler(&buf, nil)), &buf
}

// rec is a record named name.
func rec(name string) *ferry.AuditRecord {
	return &ferry.AuditRecord{At: time.Date(2026, 5, 6, 7, 8, 9, 0, time.UTC), AccountID: 1, Account: "alice",
		Action: ferry.AuditCreate, Name: name, Size: 42, Verdict: ferry.VerdictAccepted, IP: "192.0.2.1"}
}

// stored reads every record of the store, oldest first.
func stored(t *testing.T, s ferry.AuditStore) []*ferry.AuditRecord {
	t.Helper()
	var all []*ferry.AuditRecord
	q := ferry.AuditQuery{Page: ferry.Page{Limit: 500}}
	for {
		recs, next, err := s.Audit(t.Context(), q)
		if err != nil {
			t.Fatal(err)
		}
		all = append(all, recs...)
		if next == "" {
			slices.Reverse(all)
			return all
		}
		q.Page.Cursor = next
	}
}

func names(recs []*ferry.AuditRecord) []string {
	out := make([]string, len(recs))
	for i, r := range recs {
		out[i] = r.Name
	}
	return out
}

func TestConcurrentRecordsArriveOnce(t *testing.T) {
	const goroutines = 8
	for _, c := range []struct {
		name string
		each int
		opts audit.Options
	}{
		{"defaults", 1250, audit.Options{}},                                           // 10,000 records
		{"small queue and batches", 250, audit.Options{QueueSize: 16, BatchSize: 50}}, // Record waits for room
	} {
		each := c.each
		t.Run(c.name, func(t *testing.T) {
			s := openStore(t)
			r := audit.NewRecorder(s, nil, c.opts)
			defer r.Close(t.Context())
			var wg sync.WaitGroup
			for g := range goroutines {
				wg.Go(func() {
					for i := range each {
						r.Record(rec(fmt.Sprintf("%d/%d", g, i)))
					}
				})
			}
			wg.Wait()
			if err := r.Flush(t.Context()); err != nil {
				t.Fatalf("Flush: %v", err)
			}
			seen := map[string]int{}
			for _, n := range names(stored(t, s)) {
				seen[n]++
			}
			for g := range goroutines {
				for i := range each {
					if n := seen[fmt.Sprintf("%d/%d", g, i)]; n != 1 {
						t.Fatalf("record %d/%d stored %d times", g, i, n)
					}
				}
			}
			if len(seen) != goroutines*each {
				t.Errorf("%d distinct records stored, want %d", len(seen), goroutines*each)
			}
			if st := r.Stats(); st.Written != int64(goroutines*each) || st.Pending != 0 || st.Lost != 0 || st.Failures != 0 {
				t.Errorf("Stats = %+v, want %d written and nothing pending, lost or failed", st, goroutines*each)
			}
		})
	}
}

// Records are copied: the caller's record is left alone, and a record
// without a time is stamped with the recorder's clock.
func TestRecordCopiesAndStamps(t *testing.T) {
	s := openStore(t)
	now := time.Date(2026, 7, 8, 9, 10, 11, 12, time.UTC)
	r := audit.NewRecorder(s, nil, audit.Options{Clock: fixedClock(now)})
	defer r.Close(t.Context())
	timed, untimed := rec("timed"), rec("untimed")
	untimed.At = time.Time{}
	untimed.Code, untimed.Verdict, untimed.Rule = ferry.CodeFileTooLarge, ferry.VerdictRejected, "tiers.free.max_file_size"
	untimed.Details = map[string]any{"limit": float64(5 << 30)}
	r.Record(timed)
	r.Record(untimed)
	untimed.Name = "changed after Record"
	if err := r.Flush(t.Context()); err != nil {
		t.Fatal(err)
	}
	got := stored(t, s)
	if len(got) != 2 {
		t.Fatalf("stored %q, want 2 records", names(got))
	}
	if !got[0].At.Equal(timed.At) || got[0].Name != "timed" {
		t.Errorf("timed record stored as %+v", got[0])
	}
	u := got[1]
	if !u.At.Equal(now) || u.Name != "untimed" || u.Code != ferry.CodeFileTooLarge || u.Rule != "tiers.free.max_file_size" ||
		u.Details["limit"] != float64(5<<30) {
		t.Errorf("untimed record stored as %+v, want it stamped %v and unchanged by the caller", u, now)
	}
	if timed.ID != 0 || untimed.ID != 0 {
		t.Errorf("Record changed the caller's records: IDs %d, %d", timed.ID, untimed.ID)
	}
}

type fixedClock time.Time

func (c fixedClock) Now() time.Time { return time.Time(c) }

func TestCloseFlushes(t *testing.T) {
	s := openStore(t)
	log, buf := newLog()
	// Neither the batch size nor the delay is reached: only Close stores.
	r := audit.NewRecorder(s, log, audit.Options{BatchSize: 1000, MaxDelay: time.Hour})
	for i := range 100 {
		r.Record(rec(fmt.Sprint(i)))
	}
	if err := r.Close(t.Context()); err != nil {
		t.Fatalf("Close: %v", err)
	}
	if got := stored(t, s); len(got) != 100 {
		t.Fatalf("after Close, %d records stored, want 100", len(got))
	}
	if err := r.Flush(t.Context()); err != nil {
		t.Errorf("Flush after Close: %v", err)
	}
	// A record after Close is logged, not stored, and not silently.
	r.Record(rec("late"))
	if got := stored(t, s); len(got) != 100 {
		t.Errorf("a record after Close was stored")
	}
	if !strings.Contains(buf.String(), "name=late") || r.Stats().Lost != 1 {
		t.Errorf("a record after Close was not logged: Lost %d, log %q", r.Stats().Lost, buf.String())
	}
	if err := r.Close(t.Context()); !errors.Is(err, audit.ErrClosed) {
		t.Errorf("Close again = %v, want ErrClosed counting the late record", err)
	}
}

// Batches are as large as BatchSize allows; a Flush stores a partial one.
func TestBatches(t *testing.T) {
	s := &spyStore{AuditStore: openStore(t)}
	r := audit.NewRecorder(s, nil, audit.Options{BatchSize: 10, MaxDelay: time.Hour})
	defer r.Close(t.Context())
	for i := range 25 {
		r.Record(rec(fmt.Sprint(i)))
	}
	if err := r.Flush(t.Context()); err != nil {
		t.Fatal(err)
	}
	if got := s.sizes(); !slices.Equal(got, []int{10, 10, 5}) {
		t.Errorf("batches of %v, want [10 10 5]", got)
	}
	if err := r.Flush(t.Context()); err != nil || len(s.sizes()) != 3 {
		t.Errorf("an empty Flush = %v and wrote batches %v", err, s.sizes())
	}
}

// A partial batch is stored once its first record has waited MaxDelay,
// without a Flush.
func TestMaxDelay(t *testing.T) {
	s := &spyStore{AuditStore: openStore(t), appended: make(chan int, 1)}
	r := audit.NewRecorder(s, nil, audit.Options{MaxDelay: time.Millisecond})
	defer r.Close(t.Context())
	r.Record(rec("alone"))
	if n := <-s.appended; n != 1 {
		t.Errorf("stored a batch of %d, want 1", n)
	}
}

// A store that fails is retried until it takes the batch; the failures are
// logged.
func TestRetry(t *testing.T) {
	s := &spyStore{AuditStore: openStore(t), failures: 3}
	log, buf := newLog()
	r := audit.NewRecorder(s, log, audit.Options{RetryMin: time.Microsecond, RetryMax: 10 * time.Microsecond})
	defer r.Close(t.Context())
	for i := range 5 {
		r.Record(rec(fmt.Sprint(i)))
	}
	if err := r.Flush(t.Context()); err != nil {
		t.Fatalf("Flush: %v", err)
	}
	if got := names(stored(t, s)); !slices.Equal(got, []string{"0", "1", "2", "3", "4"}) {
		t.Errorf("stored %q, want each record once", got)
	}
	if st := r.Stats(); st.Failures != 3 || st.Written != 5 || st.Lost != 0 {
		t.Errorf("Stats = %+v, want 3 failures, 5 written", st)
	}
	if n := strings.Count(buf.String(), "storing records failed"); n != 3 || !strings.Contains(buf.String(), "disk on fire") {
		t.Errorf("logged %d failures, want 3 with the cause: %s", n, buf.String())
	}
}

// While the store is down, Flush waits until its context ends; Close
// whose context ends gives the records up, and logs every one of them.
func TestCloseGivesUpOnADeadStore(t *testing.T) {
	s := &spyStore{AuditStore: openStore(t), failures: -1}
	log, buf := newLog()
	r := audit.NewRecorder(s, log, audit.Options{RetryMin: time.Microsecond, RetryMax: time.Millisecond})
	for i := range 3 {
		r.Record(rec(fmt.Sprintf("kept-in-log-%d", i)))
	}
	ended, cancel := context.WithCancel(t.Context())
	cancel()
	if err := r.Flush(ended); !errors.Is(err, context.Canceled) {
		t.Errorf("Flush while the store is down = %v, want context.Canceled", err)
	}
	err := r.Close(ended)
	if !errors.Is(err, context.Canceled) || !errors.Is(err, audit.ErrClosed) {
		t.Errorf("Close = %v, want context.Canceled and ErrClosed", err)
	}
	for i := range 3 {
		if !strings.Contains(buf.String(), fmt.Sprintf("name=kept-in-log-%d", i)) {
			t.Errorf("record %d given up without a log line: %s", i, buf.String())
		}
	}
	if st := r.Stats(); st.Lost != 3 || st.Written != 0 {
		t.Errorf("Stats = %+v, want 3 lost", st)
	}
	if err := r.Flush(t.Context()); !errors.Is(err, audit.ErrClosed) {
		t.Errorf("Flush after a Close that gave up = %v, want ErrClosed", err)
	}
}

// spyStore records the size of each batch appended, can fail the first
// appends (all of them when failures < 0), and reports appends on a
// channel when one is given.
type spyStore struct {
	ferry.AuditStore
	mu       sync.Mutex
	batches  []int
	failures int
	appended chan int
}

func (s *spyStore) AppendAudit(ctx context.Context, recs []*ferry.AuditRecord) error {
	s.mu.Lock()
	if s.failures != 0 {
		s.failures--
		s.mu.Unlock()
		return ferry.E(ferry.CodeDatabaseUnavailable).WithErr(errors.New("disk on fire"))
	}
	s.batches = append(s.batches, len(recs))
	s.mu.Unlock()
	err := s.AuditStore.AppendAudit(ctx, recs)
	if s.appended != nil {
		select {
		case s.appended <- len(recs):
		default:
		}
	}
	return err
}

func (s *spyStore) sizes() []int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.batches)
}
