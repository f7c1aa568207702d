package postgres

import (
	"context"
	"testing"
	"time"

	"github.com/ferryhq/ferry"
	"github.com/ferryhq/ferry/transfer"
)

// The assertion lives in a test: meta/postgres does not import transfer,
// which sits above it.
var _ transfer.Locker = (*Locker)(nil)

// lockers returns a Locker on each of n nodes sharing one database.
func lockers(t *testing.T, n int, wait time.Duration) []*Locker {
	t.Helper()
	var ls []*Locker
	for _, s := range nodes(t, n) {
		l, err := s.Locker(t.Context(), wait)
		if err != nil {
			t.Fatalf("Locker: %v", err)
		}
		t.Cleanup(func() { l.Close() })
		ls = append(ls, l)
	}
	return ls
}

// A writer on another node takes an upload over: the holder is
// interrupted and its context cancelled, and the newcomer gets the lock
// once the holder lets go.
func TestLockerTakeoverAcrossNodes(t *testing.T) {
	ls := lockers(t, 2, time.Minute)
	interrupted := make(chan struct{})
	ctx1, release1, err := ls[0].Lock(t.Context(), "u", func() { close(interrupted) })
	if err != nil {
		t.Fatal(err)
	}
	got := make(chan error, 1)
	go func() {
		_, release2, err := ls[1].Lock(t.Context(), "u", nil)
		if err == nil {
			release2()
		}
		got <- err
	}()
	<-interrupted
	<-ctx1.Done() // the first holder is told to stop
	release1()
	if err := <-got; err != nil {
		t.Fatalf("takeover: %v", err)
	}
	// Other IDs are independent, and a released ID is free again.
	for _, id := range []string{"v", "u"} {
		_, r, err := ls[0].Lock(t.Context(), id, nil)
		if err != nil {
			t.Fatalf("Lock(%s): %v", id, err)
		}
		r()
	}
}

// On one node, where one session holds every lock (and advisory locks are
// re-entrant per session), a second writer still waits for the first.
func TestLockerTakeoverOnOneNode(t *testing.T) {
	l := lockers(t, 1, time.Minute)[0]
	ctx1, release1, err := l.Lock(t.Context(), "u", nil)
	if err != nil {
		t.Fatal(err)
	}
	got := make(chan func(), 1)
	go func() {
		_, release2, err := l.Lock(t.Context(), "u", nil)
		if err != nil {
			t.Errorf("second Lock: %v", err)
		}
		got <- release2
	}()
	<-ctx1.Done()
	select {
	case <-got:
		t.Fatal("a second writer got the lock while the first held it")
	default:
	}
	release1()
	if r := <-got; r != nil {
		r()
	}
}

// A holder that never lets go makes the newcomer on another node fail with
// 2006, not hang.
func TestLockerGivesUpAcrossNodes(t *testing.T) {
	ls := lockers(t, 2, 50*time.Millisecond)
	_, release, err := ls[0].Lock(t.Context(), "u", nil)
	if err != nil {
		t.Fatal(err)
	}
	defer release()
	if _, _, err := ls[1].Lock(t.Context(), "u", nil); ferry.ErrorCode(err) != ferry.CodeUploadLocked {
		t.Fatalf("got %v, want %d", err, ferry.CodeUploadLocked)
	}
}

// A node that dies takes its locks with it: its connection drops, and a
// waiter on another node gets the lock, though no one released it.
func TestLockerDeadNodeReleases(t *testing.T) {
	ls := lockers(t, 2, time.Minute)
	asked := make(chan struct{})
	if _, _, err := ls[0].Lock(t.Context(), "u", func() { close(asked) }); err != nil {
		t.Fatal(err)
	}
	got := make(chan error, 1)
	go func() {
		_, release, err := ls[1].Lock(t.Context(), "u", nil)
		if err == nil {
			release()
		}
		got <- err
	}()
	<-asked // the holder's node is asked to let go, and dies instead
	ls[0].mu.Lock()
	ls[0].conn.PgConn().Conn().Close() // the connection drops, as a dead node's does
	ls[0].mu.Unlock()
	if err := <-got; err != nil {
		t.Fatalf("Lock after the holder's node died: %v", err)
	}
}

// A caller whose context ends while it waits gets the context's error.
func TestLockerContextEnds(t *testing.T) {
	ls := lockers(t, 2, time.Minute)
	_, release, err := ls[0].Lock(t.Context(), "u", nil)
	if err != nil {
		t.Fatal(err)
	}
	defer release()
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	if _, _, err := ls[1].Lock(ctx, "u", nil); err != context.Canceled {
		t.Fatalf("got %v, want %v", err, context.Canceled)
	}
}

var _ transfer.TryLocker = (*Locker)(nil)

// TryLock takes a key only when no node holds it, without asking the
// holder to let go; a dead node's keys are free again.
func TestLockerTryLockAcrossNodes(t *testing.T) {
	ls := lockers(t, 2, time.Minute)
	ctx0, release0, err := ls[0].TryLock(t.Context(), "settle/x")
	if err != nil || release0 == nil {
		t.Fatalf("TryLock on a free key: %v", err)
	}
	for i, l := range ls { // held: neither node gets it, on its own or the other
		if _, r, err := l.TryLock(t.Context(), "settle/x"); err != nil || r != nil {
			t.Fatalf("node %d took a held key (%v)", i, err)
		}
	}
	if ctx0.Err() != nil {
		t.Fatal("a TryLock asked the holder to let go")
	}
	release0()
	_, release1, err := ls[1].TryLock(t.Context(), "settle/x")
	if err != nil || release1 == nil {
		t.Fatalf("TryLock after release: %v", err)
	}
	// Node 1 dies: its key is free for node 0, and its holder is told.
	ls[1].mu.Lock()
	ls[1].conn.PgConn().Conn().Close()
	ls[1].mu.Unlock()
	var r func()
	deadline := time.Now().Add(30 * time.Second) // the server notices the closed connection
	for tick := time.NewTicker(50 * time.Millisecond); r == nil; <-tick.C {
		if _, r, err = ls[0].TryLock(t.Context(), "settle/x"); err != nil {
			t.Fatal(err)
		}
		if r == nil && time.Now().After(deadline) {
			t.Fatal("a dead node's key is still held after 30s")
		}
	}
	r()
	release1()
}
