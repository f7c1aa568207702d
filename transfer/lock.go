package transfer

import (
	"context"
	"sync"
	"time"

	"github.com/ferryhq/ferry"
)

// Locker gives one request at a time the right to write an upload.
type Locker interface {
	// Lock takes upload id. When another request holds it, that holder is
	// asked to let go — its context is cancelled and its interrupt called,
	// which unblocks a read from a stalled connection — and Lock waits for
	// it. A mobile client that reconnects is never locked out by its own
	// dead connection. The returned context is cancelled when a later
	// request takes over; release must be called exactly once.
	Lock(ctx context.Context, id string, interrupt func()) (context.Context, func(), error)
}

// TryLocker is the optional capability of a Locker to take a lock only
// when no one holds it, without waiting or asking the holder to let go:
// release is nil when it is taken. The context is cancelled when the lock
// is lost (its holder's node can no longer keep it). It is how one node at
// a time settles a transfer, while a node that died gives the work up.
type TryLocker interface {
	TryLock(ctx context.Context, key string) (context.Context, func(), error)
}

// TryLock implements TryLocker.
func (l *MemLocker) TryLock(ctx context.Context, key string) (context.Context, func(), error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.held[key] != nil {
		return nil, nil, nil
	}
	lctx, cancel := context.WithCancel(ctx)
	h := &holder{cancel: cancel, done: make(chan struct{})}
	l.held[key] = h
	var once sync.Once
	return lctx, func() {
		once.Do(func() {
			l.mu.Lock()
			delete(l.held, key)
			l.mu.Unlock()
			cancel()
			close(h.done)
		})
	}, nil
}

// MemLocker is a Locker for a single process.
type MemLocker struct {
	wait time.Duration
	mu   sync.Mutex
	held map[string]*holder
}

type holder struct {
	cancel    context.CancelFunc
	interrupt func()
	done      chan struct{}
}

// NewMemLocker returns a MemLocker that waits up to wait for a holder to
// let go before answering 2006 UPLOAD_LOCKED.
func NewMemLocker(wait time.Duration) *MemLocker {
	return &MemLocker{wait: wait, held: map[string]*holder{}}
}

// Lock implements Locker.
func (l *MemLocker) Lock(ctx context.Context, id string, interrupt func()) (context.Context, func(), error) {
	timer := time.NewTimer(l.wait)
	defer timer.Stop()
	for {
		l.mu.Lock()
		h := l.held[id]
		if h == nil {
			lctx, cancel := context.WithCancel(ctx)
			h = &holder{cancel: cancel, interrupt: interrupt, done: make(chan struct{})}
			l.held[id] = h
			l.mu.Unlock()
			var once sync.Once
			return lctx, func() {
				once.Do(func() {
					l.mu.Lock()
					delete(l.held, id)
					l.mu.Unlock()
					cancel()
					close(h.done)
				})
			}, nil
		}
		l.mu.Unlock()
		h.cancel()
		if h.interrupt != nil {
			h.interrupt()
		}
		select {
		case <-h.done:
		case <-ctx.Done():
			return nil, nil, ctx.Err()
		case <-timer.C:
			return nil, nil, ferry.E(ferry.CodeUploadLocked)
		}
	}
}
