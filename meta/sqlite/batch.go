package sqlite

import (
	"context"
	"errors"
	"fmt"
	"runtime/debug"
	"sync"
	"sync/atomic"
	"time"

	"github.com/ferryhq/ferry"
)

// Group commit. Every write of the store is a function run in a write
// transaction on the one writer connection. Run one by one, each pays for
// its own BEGIN and COMMIT, and a commit writes every page the write
// touched to the WAL — a new transfer touches a dozen index pages — which
// was most of what a create cost. So writes wait in a queue, and the
// writes that wait (up to maxBatch) run in one transaction: each inside its
// own SAVEPOINT, in the order they came, and one COMMIT for all. Nothing
// changes for a caller:
//
//   - writes are serialised exactly as before: each sees every write before
//     it, none sees a later one, and a write's usage check and its insert
//     still run with nothing in between;
//   - a write that fails is rolled back to its savepoint, alone; the others
//     commit;
//   - write returns once the commit that holds the write is done, so what
//     returns nil is as durable as before (WAL, synchronous=NORMAL); when
//     that commit fails, every write of the batch gets its error and none
//     of them is stored;
//   - a writer in another process still waits in SQLite's busy handler.
//
// A batch only holds what was already waiting when the writer became free:
// an idle store commits every write at once, as before.
//
// There is no writer goroutine: the caller that finds the writer free runs
// a batch (its own write and whatever waits), then hands the writer to the
// oldest write still waiting, whose goroutine runs the next batch, and so
// on (leader and followers, as LevelDB's writers do). A goroutine that
// never blocks is preempted every 10 ms and waits behind every runnable
// goroutine to run again; under load that was a third of a dedicated
// writer's time, and every write waited for it.

// maxBatch bounds the writes of one transaction.
const maxBatch = 64

// errClosed is the error of a write after Close.
var errClosed = errors.New("meta/sqlite: the store is closed")

// writeReq is one write waiting for the writer.
type writeReq struct {
	ctx  context.Context
	op   string
	fn   func(*txn) error
	done chan error    // its outcome; buffered 1
	lead chan struct{} // closed when the writer is handed to it
}

// writer runs the writes of a Store.
type writer struct {
	s      *Store
	mu     sync.Mutex
	queue  []*writeReq // waiting, oldest first
	busy   bool        // a goroutine runs a batch, or was handed the writer
	closed bool
	idle   *sync.Cond // signalled when busy turns false

	// What WriterStats reports.
	writes, batches, failed atomic.Int64
	busyNanos               atomic.Int64
}

func newWriter(s *Store) *writer {
	w := &writer{s: s}
	w.idle = sync.NewCond(&w.mu)
	return w
}

// do queues fn and waits for its outcome. A write whose ctx ends before
// its turn comes is not run; once it runs it is not interrupted, since
// interrupting a statement of the shared transaction would roll back the
// others' writes too.
func (w *writer) do(ctx context.Context, op string, fn func(*txn) error) error {
	r := &writeReq{ctx: ctx, op: op, fn: fn, done: make(chan error, 1), lead: make(chan struct{})}
	w.mu.Lock()
	if w.closed {
		w.mu.Unlock()
		return dbErr(op, errClosed)
	}
	w.queue = append(w.queue, r)
	if w.busy {
		w.mu.Unlock()
		select {
		case err := <-r.done:
			return err
		case <-r.lead: // handed the writer; r is still queued
		}
		w.mu.Lock()
	}
	w.busy = true
	w.lead()
	return <-r.done
}

// lead runs one batch of what waits and hands the writer on. It is called
// with w.mu held, and returns with it released.
func (w *writer) lead() {
	n := min(len(w.queue), maxBatch)
	batch := make([]*writeReq, n)
	copy(batch, w.queue)
	w.queue = append(w.queue[:0], w.queue[n:]...)
	w.mu.Unlock()

	if w.s.cp.rewind.Swap(false) {
		_, _, _, _ = checkpoint(w.s.w) // see checkpointer
	}
	start := time.Now()
	w.commit(batch)
	w.busyNanos.Add(int64(time.Since(start)))
	w.batches.Add(1)
	w.writes.Add(int64(n))
	w.s.cp.committed()

	w.mu.Lock()
	if len(w.queue) > 0 {
		close(w.queue[0].lead) // stays busy: the writer is theirs
	} else {
		w.busy = false
		w.idle.Broadcast()
	}
	w.mu.Unlock()
}

// close refuses new writes and waits for those under way.
func (w *writer) close() {
	w.mu.Lock()
	w.closed = true
	for w.busy {
		w.idle.Wait()
	}
	w.mu.Unlock()
}

// commit runs batch in one transaction and answers each write.
func (w *writer) commit(batch []*writeReq) {
	ctx := context.Background()
	errs := make([]error, len(batch))
	defer w.s.ws.prepareNoted(ctx)
	tx, err := w.s.w.BeginTx(ctx, nil)
	if err != nil {
		w.answer(batch, errs, err)
		return
	}
	t := &txn{Tx: tx, c: w.s.ws, noCancel: true}
	alone := len(batch) == 1
	for i, r := range batch {
		if err := r.ctx.Err(); err != nil {
			errs[i] = dbErr(r.op, err)
			continue
		}
		if !alone {
			if _, err := t.ExecContext(ctx, `SAVEPOINT w`); err != nil {
				_ = tx.Rollback()
				w.answer(batch, errs, err)
				return
			}
		}
		err := run(r.fn, t)
		if err != nil {
			errs[i] = ferry.Wrap(ferry.CodeDatabaseUnavailable, r.op, err)
			if alone {
				_ = tx.Rollback()
				w.answer(batch, errs, nil)
				return
			}
			// Undo this write alone. When SQLite has rolled back the whole
			// transaction (an I/O error, a full disk), there is no savepoint
			// left, and no write of the batch stands.
			if _, err := t.ExecContext(ctx, `ROLLBACK TO w`); err != nil {
				_ = tx.Rollback()
				w.answer(batch, errs, err)
				return
			}
		}
		if !alone {
			if _, err := t.ExecContext(ctx, `RELEASE w`); err != nil {
				_ = tx.Rollback()
				w.answer(batch, errs, err)
				return
			}
		}
	}
	w.answer(batch, errs, tx.Commit())
}

// run runs fn; a panic is its error, so that it neither leaves the writer
// busy for ever nor fails the other writes of the batch.
func run(fn func(*txn) error, t *txn) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = ferry.E(ferry.CodeInternal).WithErr(fmt.Errorf("panic in a write: %v\n%s", p, debug.Stack()))
		}
	}()
	return fn(t)
}

// WriterStats are the counters of a store's writer: what the one writer
// connection did, for /metrics and benchmarks. Busy over wall time is how
// near the writer is to being what limits the node's writes.
type WriterStats struct {
	Writes  int64         // writes run (each a savepoint of a batch, or a transaction alone)
	Batches int64         // transactions committed or rolled back
	Failed  int64         // writes that returned an error (their own, or their batch's)
	Busy    time.Duration // time spent running batches
}

// WriterStats returns the writer's counters since Open.
func (s *Store) WriterStats() WriterStats {
	w := s.wr
	return WriterStats{Writes: w.writes.Load(), Batches: w.batches.Load(), Failed: w.failed.Load(),
		Busy: time.Duration(w.busyNanos.Load())}
}

// answer tells each write of batch its outcome: its own error, or else
// failed, the error of the whole transaction (nil when it committed).
func (w *writer) answer(batch []*writeReq, errs []error, failed error) {
	for i, r := range batch {
		switch {
		case errs[i] != nil:
			w.failed.Add(1)
			r.done <- errs[i]
		case failed != nil:
			w.failed.Add(1)
			r.done <- dbErr(r.op, failed)
		default:
			r.done <- nil
		}
	}
}
