package transfer

import (
	"context"
	"sync"
	"time"

	"github.com/ferryhq/ferry"
)

// settling tracks transfers whose content is being committed and
// inspected in the background, and who waits for them.
type settling struct {
	mu      sync.Mutex
	waiters map[string][]chan struct{}
	active  map[string]bool
	wg      sync.WaitGroup
}

// begin marks transfer id as settling here; false if it already is.
func (s *settling) begin(id string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.active == nil {
		s.active = map[string]bool{}
	}
	if s.active[id] {
		return false
	}
	s.active[id] = true
	return true
}

// subscribe returns a channel closed at the next change of transfer id.
func (s *settling) subscribe(id string) chan struct{} {
	ch := make(chan struct{})
	s.mu.Lock()
	if s.waiters == nil {
		s.waiters = map[string][]chan struct{}{}
	}
	s.waiters[id] = append(s.waiters[id], ch)
	s.mu.Unlock()
	return ch
}

// end unmarks transfer id and wakes everyone waiting on it.
func (s *settling) end(id string) {
	s.mu.Lock()
	chs := s.waiters[id]
	delete(s.waiters, id)
	delete(s.active, id)
	s.mu.Unlock()
	for _, ch := range chs {
		close(ch)
	}
}

// settle commits and inspects t (inspecting) in the background, so that
// an upload is acknowledged as soon as its bytes are in — like any tus
// server — while the fsync of its blob and its inspection, which take long
// for large files, run on. The result arrives on the returned channel. It
// needs no upload lock: t has left uploading, and every later change is a
// compare-and-set on its state (a recall meanwhile wins). With a
// TryLocker it holds t's settle lock meanwhile, so that no other node
// inspects the same content again beside it (see Resume); when another
// node holds it, settle does nothing and says so.
func (s *Service) settle(t *ferry.Transfer) <-chan settled {
	done := make(chan settled, 1)
	if !s.settling.begin(t.ID) {
		done <- settled{t: t}
		return done
	}
	ctx, release := context.Background(), func() {}
	if tl, ok := s.locks.(TryLocker); ok {
		lctx, rel, err := tl.TryLock(ctx, settleKey(t.ID))
		if err != nil || rel == nil { // another node settles it, or cannot tell: it stays inspecting
			s.settling.end(t.ID)
			done <- settled{t: t, err: err, elsewhere: err == nil}
			return done
		}
		ctx, release = lctx, rel
	}
	s.settling.wg.Add(1)
	go func() {
		defer s.settling.wg.Done()
		defer s.settling.end(t.ID)
		defer release()
		var res settled
		res.t, res.err = s.commitAndInspect(ctx, t)
		if res.t == nil {
			res.t = t
		}
		if res.t.State != ferry.StateInspecting {
			s.auditTransfer(ferry.AuditUpload, nil, res.t, res.err)
		}
		done <- res
	}()
	return done
}

type settled struct {
	t   *ferry.Transfer
	err error
	// elsewhere: another node holds the transfer's settle lock, and is
	// settling it.
	elsewhere bool
}

// settleKey is the lock a node holds while it settles transfer id (see
// TryLocker): one node at a time commits and inspects it, and when that
// node dies another takes over (Resume).
func settleKey(id string) string { return "settle/" + id }

// Wait blocks until every background commit and inspection has finished,
// for a clean shutdown.
func (s *Service) Wait() { s.settling.wg.Wait() }

// WaitSettled returns transfer id as account may see it, waiting up to
// wait while its content is being inspected — so that a client learns the
// verdict without polling.
func (s *Service) WaitSettled(ctx context.Context, account *ferry.Account, id string, wait time.Duration) (*ferry.Transfer, error) {
	timer := time.NewTimer(wait)
	defer timer.Stop()
	for {
		ch := s.settling.subscribe(id)
		t, err := s.Get(ctx, account, id)
		if err != nil || t.State != ferry.StateInspecting {
			return t, err
		}
		select {
		case <-ch:
		case <-timer.C:
			return t, nil
		case <-ctx.Done():
			return t, nil
		case <-time.After(time.Second): // another node may settle it
		}
	}
}
