package transfer

import (
	"context"
	"time"

	"github.com/ferryhq/ferry"
)

// SweepReport counts what a sweep did.
type SweepReport struct {
	Expired   int // delivered transfers past their retention
	Abandoned int // uploads without progress for AbandonAfter
	Blobs     int // blobs deleted because nothing referenced them
	Tokens    int // expired sessions removed
	Resumed   int // transfers left inspecting by a stopped node, finished
}

const sweepBatch = 100

// Sweep expires transfers whose retention passed, abandons stalled uploads
// (releasing their reservations and deleting their bytes), deletes blobs no
// live transfer references, removes expired sessions, and finishes
// inspections a stopped node left behind. It is safe to run on every node
// at once: each change is a compare-and-set, and a blob is deleted only
// while the store holds it exclusively and finds it unreferenced.
func (s *Service) Sweep(ctx context.Context) (SweepReport, error) {
	var rep SweepReport
	now := s.clock.Now()
	for {
		due, err := s.meta.Due(ctx, now, sweepBatch)
		if err != nil {
			return rep, err
		}
		progressed := false
		for _, t := range due {
			ok, err := s.expire(ctx, t, now)
			if err != nil {
				return rep, err
			}
			if ok {
				progressed = true
				if t.Error != nil {
					rep.Abandoned++
				} else {
					rep.Expired++
				}
			}
		}
		if len(due) < sweepBatch || !progressed {
			break
		}
	}
	var err error
	if rep.Blobs, err = s.sweepBlobs(ctx); err != nil {
		return rep, err
	}
	if rep.Tokens, err = s.meta.DeleteExpiredTokens(ctx, now); err != nil {
		return rep, err
	}
	rep.Resumed, err = s.Resume(ctx, now.Add(-s.cfg.LockWait))
	return rep, err
}

// expire ends one due transfer; false when another node got there first,
// or when a request is writing the upload right now.
func (s *Service) expire(ctx context.Context, t *ferry.Transfer, now time.Time) (bool, error) {
	from := t.State
	if tl, ok := s.locks.(TryLocker); ok && from == ferry.StateUploading {
		// A request is writing it (one PATCH may stream for longer than
		// AbandonAfter): not abandoned.
		lctx, release, err := tl.TryLock(ctx, t.ID)
		if err != nil || release == nil {
			return false, err
		}
		defer release()
		ctx = lctx
	}
	t.State, t.UpdatedAt, t.Challenge = ferry.StateExpired, now, nil
	if from == ferry.StateUploading {
		t.Error = ferry.E(ferry.CodeUploadStalled).WithRule("uploads.abandon_after").
			With("limit", s.cfg.AbandonAfter.String())
	}
	err := s.meta.UpdateTransfer(ctx, t, from)
	if ferry.ErrorCode(err) == ferry.CodeStateConflict {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	if from == ferry.StateUploading {
		if err := s.blobs.DeleteUpload(ctx, t.ID); err != nil {
			return true, err
		}
	}
	s.log.Info("transfer expired", "id", t.ID, "was", string(from))
	return true, nil
}

// sweepBlobs deletes blobs that no live transfer references.
func (s *Service) sweepBlobs(ctx context.Context) (int, error) {
	deleted := 0
	for {
		blobs, err := s.meta.UnreferencedBlobs(ctx, sweepBatch)
		if err != nil {
			return deleted, err
		}
		progressed := false
		for _, b := range blobs {
			ok, err := s.meta.DeleteBlob(ctx, b.SHA256, func(ctx context.Context) error {
				return s.blobs.Delete(ctx, b.SHA256)
			})
			if err != nil {
				return deleted, err
			}
			if ok {
				deleted++
				progressed = true
			}
		}
		if len(blobs) < sweepBatch || !progressed {
			return deleted, nil
		}
	}
}

// Resume finishes transfers left in the inspecting state (by a node that
// stopped between receiving the last byte and delivering) that were last
// touched before the given time.
func (s *Service) Resume(ctx context.Context, before time.Time) (int, error) {
	ts, err := s.meta.InState(ctx, ferry.StateInspecting, before, sweepBatch)
	if err != nil {
		return 0, err
	}
	n := 0
	for _, t := range ts {
		res := <-s.settle(t) // skips what this node, or another, is settling already
		if res.err != nil && isFault(res.err) {
			return n, res.err
		}
		if !res.elsewhere {
			n++
		}
	}
	return n, nil
}

// isFault reports whether err is a failure of the server (storage,
// database, internal) rather than a verdict on a transfer.
func isFault(err error) bool {
	switch ferry.ErrorCode(err) {
	case ferry.CodeInternal, ferry.CodeStorageUnavailable, ferry.CodeDatabaseUnavailable:
		return true
	}
	return false
}

// SweepOrphans removes what the stores hold without a record: staged
// uploads whose transfer ended or is unknown, and blob files with no blob
// record, older than OrphanGrace. It lists the whole blob store, so it runs
// less often than Sweep. Stores without ferry.BlobLister are skipped.
func (s *Service) SweepOrphans(ctx context.Context) (int, error) {
	lister, ok := s.blobs.(ferry.BlobLister)
	if !ok {
		return 0, nil
	}
	cutoff := s.clock.Now().Add(-s.cfg.OrphanGrace)
	n := 0
	err := lister.Uploads(ctx, func(id string, mod time.Time) error {
		if mod.After(cutoff) {
			return nil
		}
		t, err := s.meta.Transfer(ctx, id)
		if err == nil && (t.State == ferry.StateUploading || t.State == ferry.StateInspecting) {
			return nil
		}
		if err != nil && ferry.ErrorCode(err) != ferry.CodeNotFound {
			return err
		}
		n++
		return s.blobs.DeleteUpload(ctx, id)
	})
	if err != nil {
		return n, err
	}
	err = lister.Blobs(ctx, func(sha string, mod time.Time) error {
		if mod.After(cutoff) {
			return nil
		}
		_, err := s.meta.Blob(ctx, sha)
		if ferry.ErrorCode(err) != ferry.CodeNotFound {
			return err
		}
		n++
		return s.blobs.Delete(ctx, sha)
	})
	return n, err
}
