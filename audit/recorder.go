package audit

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/ferryhq/ferry"
)

// Options configure a Recorder. Zero fields take the defaults.
type Options struct {
	// QueueSize is how many records may wait to be stored before Record
	// waits for room; default 8192.
	QueueSize int
	// BatchSize is the most records stored in one transaction; default 512.
	BatchSize int
	// MaxDelay is the longest a record waits for its batch to fill before
	// the batch is stored anyway; default 100 ms.
	MaxDelay time.Duration
	// RetryMin and RetryMax bound the backoff between attempts to store a
	// batch the store refused: it starts at RetryMin and doubles up to
	// RetryMax; defaults 100 ms and 10 s.
	RetryMin, RetryMax time.Duration
	// Clock stamps records that come without a time; default the system
	// clock.
	Clock ferry.Clock
}

func (o Options) withDefaults() Options {
	def := func(v *int, d int) {
		if *v <= 0 {
			*v = d
		}
	}
	defDur := func(v *time.Duration, d time.Duration) {
		if *v <= 0 {
			*v = d
		}
	}
	def(&o.QueueSize, 8192)
	def(&o.BatchSize, 512)
	defDur(&o.MaxDelay, 100*time.Millisecond)
	defDur(&o.RetryMin, 100*time.Millisecond)
	defDur(&o.RetryMax, 10*time.Second)
	o.RetryMax = max(o.RetryMax, o.RetryMin)
	if o.Clock == nil {
		o.Clock = ferry.SystemClock{}
	}
	return o
}

// Recorder writes audit records to a store in batches, off the request
// path. It is safe for concurrent use. Create it with NewRecorder and stop
// it with Close.
type Recorder struct {
	store ferry.AuditStore
	log   *slog.Logger
	opts  Options

	q chan item
	// mu guards closed. Record and Flush hold it for reading while they
	// put an item on q, so that once Close has held it for writing nothing
	// more arrives after the writer's stop item.
	mu        sync.RWMutex
	closed    bool
	closeOnce sync.Once
	// ctx is the writer's: an aborted Close cancels it, and the writer then
	// logs what it holds instead of storing it.
	ctx    context.Context
	cancel context.CancelFunc
	done   chan struct{} // closed when the writer has returned

	written, failures, waits, lost atomic.Int64
	batched                        atomic.Int64 // records the writer holds
}

// item is what the queue carries: a record, a Flush's marker, or the stop
// of Close.
type item struct {
	rec   *ferry.AuditRecord
	flush chan error
	stop  bool
}

// NewRecorder starts a recorder that stores into store; log receives its
// failures (nil discards them).
func NewRecorder(store ferry.AuditStore, log *slog.Logger, opts Options) *Recorder {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	opts = opts.withDefaults()
	ctx, cancel := context.WithCancel(context.Background())
	r := &Recorder{store: store, log: log, opts: opts, q: make(chan item, opts.QueueSize),
		ctx: ctx, cancel: cancel, done: make(chan struct{})}
	go r.run()
	return r
}

// Record queues a copy of rec to be stored, stamped with the recorder's
// clock when rec.At is zero. It returns as soon as the record is queued;
// when the queue is full it waits for room, however long the store takes
// to recover, rather than drop the decision. rec's Details must not change
// afterwards. A record that comes after Close is logged, not stored.
func (r *Recorder) Record(rec *ferry.AuditRecord) {
	c := *rec
	if c.At.IsZero() {
		c.At = r.opts.Clock.Now()
	}
	r.mu.RLock()
	defer r.mu.RUnlock()
	if r.closed {
		r.giveUp("recorded after close", &c)
		return
	}
	select {
	case r.q <- item{rec: &c}:
		return
	default:
	}
	r.waits.Add(1)
	r.q <- item{rec: &c}
}

// ErrClosed is the error of a Flush whose records could not all be
// stored because Close gave up on them.
var ErrClosed = errors.New("audit: recorder closed before the records were stored")

// Flush returns once every record recorded before it was called is stored,
// or with ctx's error when ctx ends first (the records stay queued).
func (r *Recorder) Flush(ctx context.Context) error {
	reply := make(chan error, 1)
	r.mu.RLock()
	if r.closed {
		r.mu.RUnlock()
		select {
		case <-r.done:
			return r.closeErr()
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	select {
	case r.q <- item{flush: reply}:
		r.mu.RUnlock()
	case <-ctx.Done():
		r.mu.RUnlock()
		return ctx.Err()
	}
	select {
	case err := <-reply:
		return err
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Close stores every record recorded before it and stops the recorder;
// later records are logged instead. When ctx ends first, Close stops
// retrying, logs each record not yet stored at level ERROR, and returns an
// error. Close may be called more than once.
func (r *Recorder) Close(ctx context.Context) error {
	r.closeOnce.Do(func() {
		go func() {
			r.mu.Lock() // waits for Records that wait for room
			r.closed = true
			r.mu.Unlock()
			r.q <- item{stop: true}
		}()
	})
	select {
	case <-r.done:
		return r.closeErr()
	case <-ctx.Done():
	}
	r.cancel()
	<-r.done // quick now: the writer only logs what is left
	if err := r.closeErr(); err != nil {
		return fmt.Errorf("audit: close: %w: %w", ctx.Err(), err)
	}
	return nil
}

func (r *Recorder) closeErr() error {
	if n := r.lost.Load(); n > 0 {
		return fmt.Errorf("%w: %d records not stored (logged instead)", ErrClosed, n)
	}
	return nil
}

// Stats are a recorder's counters since it started.
type Stats struct {
	Written  int64 // records stored
	Pending  int64 // records recorded but not yet stored
	Failures int64 // attempts to store a batch that failed (each retried)
	Waits    int64 // Records that found the queue full and waited
	Lost     int64 // records given up and logged instead (only after Close)
}

// Stats returns the recorder's counters.
func (r *Recorder) Stats() Stats {
	return Stats{Written: r.written.Load(), Pending: int64(len(r.q)) + r.batched.Load(),
		Failures: r.failures.Load(), Waits: r.waits.Load(), Lost: r.lost.Load()}
}

// run is the writer: it gathers records into batches and stores each when
// it is full, when its oldest record has waited MaxDelay, or when a Flush
// or Close asks.
func (r *Recorder) run() {
	defer close(r.done)
	batch := make([]*ferry.AuditRecord, 0, r.opts.BatchSize)
	timer := time.NewTimer(time.Hour)
	timer.Stop()
	armed := false
	store := func() {
		if armed {
			timer.Stop()
			armed = false
		}
		if len(batch) == 0 {
			return
		}
		r.write(batch)
		clear(batch)
		batch = batch[:0]
		r.batched.Store(0)
	}
	for {
		select {
		case <-timer.C:
			armed = false
			store()
		case it := <-r.q:
			switch {
			case it.rec != nil:
				batch = append(batch, it.rec)
				r.batched.Add(1)
				if len(batch) >= r.opts.BatchSize {
					store()
				} else if !armed {
					timer.Reset(r.opts.MaxDelay)
					armed = true
				}
			case it.flush != nil:
				store()
				if r.ctx.Err() != nil {
					it.flush <- ErrClosed
				} else {
					it.flush <- nil
				}
			case it.stop:
				store()
				return
			}
		}
	}
}

// write stores batch, retrying with backoff until the store takes it or
// Close gives up.
func (r *Recorder) write(batch []*ferry.AuditRecord) {
	wait := r.opts.RetryMin
	for attempt := 1; ; attempt++ {
		if r.ctx.Err() != nil {
			r.giveUp("close gave up", batch...)
			return
		}
		err := r.store.AppendAudit(r.ctx, batch)
		if err == nil {
			r.written.Add(int64(len(batch)))
			if attempt > 1 {
				r.log.Warn("audit: records stored after failures", "records", len(batch), "attempts", attempt)
			}
			return
		}
		if r.ctx.Err() != nil {
			continue // gives up above
		}
		r.failures.Add(1)
		r.log.Error("audit: storing records failed; retrying", "records", len(batch), "attempt", attempt,
			"retry_in", wait, "err", err)
		t := time.NewTimer(wait)
		select {
		case <-t.C:
		case <-r.ctx.Done():
			t.Stop()
		}
		wait = min(2*wait, r.opts.RetryMax)
	}
}

// giveUp logs records that will not be stored, each with every field, so
// that the log keeps what the audit log could not.
func (r *Recorder) giveUp(why string, recs ...*ferry.AuditRecord) {
	r.lost.Add(int64(len(recs)))
	for _, rec := range recs {
		r.log.Error("audit: record not stored", "why", why, "at", rec.At, "account_id", rec.AccountID,
			"account", rec.Account, "action", rec.Action, "transfer", rec.TransferID, "name", rec.Name,
			"size", rec.Size, "verdict", rec.Verdict, "code", int(rec.Code), "rule", rec.Rule, "ip", rec.IP,
			"details", rec.Details)
	}
}
