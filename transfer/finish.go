package transfer

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"runtime/debug"
	"time"

	"github.com/ferryhq/ferry"
)

// finish completes an upload whose every byte arrived: the transfer
// moves to inspecting and its content is verified, committed and inspected
// in the background. finish waits for the verdict when that can come
// quickly (see Config.VerdictWait), and otherwise returns the transfer
// still inspecting: the upload is acknowledged as soon as its bytes are
// in, as by any tus server, while SHA-256, fsync and inspection — which
// take a while for large files — run on.
func (s *Service) finish(ctx context.Context, t *ferry.Transfer) (*ferry.Transfer, error) {
	t.State, t.Challenge, t.UpdatedAt = ferry.StateInspecting, nil, s.clock.Now()
	if err := s.meta.UpdateTransfer(ctx, t, ferry.StateUploading); err != nil {
		return nil, err
	}
	copied := *t
	done := s.settle(&copied)
	if s.cfg.VerdictWait < 0 || t.Size > s.cfg.VerdictWaitMaxSize {
		return t, nil
	}
	timer := time.NewTimer(s.cfg.VerdictWait)
	defer timer.Stop()
	select {
	case res := <-done:
		return res.t, res.err
	case <-timer.C:
		return t, nil
	}
}

// verify hashes the staged content of t (inspecting) — unless it was
// hashed as it arrived (see hash.go) — checks it against the declared
// SHA-256 (1007), and records the blob it will become. A
// stage that lost bytes (a machine that lost power keeps only what reached
// its disk) puts the transfer back into uploading, to be resumed.
func (s *Service) verify(ctx context.Context, t *ferry.Transfer) (*ferry.Transfer, error) {
	staged, err := s.blobs.UploadSize(ctx, t.ID)
	if err != nil {
		return nil, err
	}
	if staged != t.Size {
		return s.reopen(ctx, t, staged)
	}
	if h := decodeUploadState(t.UploadState, staged).hash; h != nil { // hashed as it arrived
		return s.verified(ctx, t, hex.EncodeToString(h.Sum(nil)))
	}
	synced := make(chan struct{})
	go func() { // the disk flushes while the CPU hashes; Commit reports errors
		defer close(synced)
		if syncer, ok := s.blobs.(ferry.UploadSyncer); ok {
			_ = syncer.SyncUpload(ctx, t.ID)
		}
	}()
	sum, err := s.hashUpload(ctx, t.ID)
	<-synced
	if err != nil {
		return nil, err
	}
	return s.verified(ctx, t, sum)
}

// verified checks the SHA-256 of t's staged content against the declared
// one (1007), and records the blob it will become.
func (s *Service) verified(ctx context.Context, t *ferry.Transfer, sum string) (*ferry.Transfer, error) {
	if t.DeclaredSHA256 != "" && sum != t.DeclaredSHA256 {
		return s.reject(ctx, t, ferry.E(ferry.CodeChecksumMismatch).With("declared", t.DeclaredSHA256).With("actual", sum))
	}
	t.SHA256, t.UpdatedAt = sum, s.clock.Now()
	blob := &ferry.Blob{SHA256: sum, Size: t.Size, CreatedAt: t.UpdatedAt}
	if err := s.meta.AttachBlob(ctx, t, blob, ferry.StateInspecting); err != nil {
		return nil, err
	}
	return t, nil
}

// commitAndInspect verifies t (inspecting), moves its staged upload into
// its blob and inspects it. It is also how a node resumes a transfer that
// another left in the inspecting state.
func (s *Service) commitAndInspect(ctx context.Context, t *ferry.Transfer) (*ferry.Transfer, error) {
	if t.SHA256 == "" {
		var err error
		if t, err = s.verify(ctx, t); err != nil || t.State != ferry.StateInspecting {
			return t, err
		}
	}
	staged, err := s.blobs.UploadSize(ctx, t.ID)
	if err != nil {
		return nil, err
	}
	if staged == t.Size {
		if err := s.blobs.Commit(ctx, t.ID, t.SHA256); err != nil {
			return nil, err
		}
	} else if rc, _, err := s.blobs.Open(ctx, t.SHA256); err == nil {
		rc.Close() // committed before a stop; nothing staged is left
	} else if ferry.ErrorCode(err) == ferry.CodeNotFound {
		return s.reopen(ctx, t, staged)
	} else {
		return nil, err
	}
	blob, err := s.meta.Blob(ctx, t.SHA256)
	if err != nil {
		return nil, err
	}
	version := s.version()
	fresh := blob.Inspected != version
	if err := s.inspect(ctx, t, fresh); err != nil {
		return s.reject(ctx, t, err)
	}
	if fresh {
		if err := s.meta.MarkInspected(ctx, t.SHA256, version); err != nil {
			return nil, err
		}
	}
	return s.deliver(ctx, t, ferry.StateInspecting)
}

// inspect runs the inspectors: all of them for content not inspected
// under the rules in force, else only those whose verdict depends on the
// name (ferry.PerName). They run at once — type sniffing, archives and
// keywords read the blob beside clamd, which scans in a process of its
// own — and the verdict is the one the first of them in their order gives,
// as if they had run one after another: once one refuses, those after it
// are stopped, since their verdicts no longer matter; the call returns when
// every one has ended. A verdict is an *ferry.Error; any other failure
// means the content could not be inspected, and fails closed as 5005
// SCAN_UNAVAILABLE.
func (s *Service) inspect(ctx context.Context, t *ferry.Transfer, all bool) error {
	f := &ferry.File{Name: t.Name, Size: t.Size, SHA256: t.SHA256,
		Open: func(ctx context.Context) (io.ReadSeekCloser, error) {
			rc, _, err := s.blobs.Open(ctx, t.SHA256)
			return rc, err
		}}
	judged := s.streamJudged(t)
	var run []ferry.Inspector
	for _, in := range s.inspectors {
		if pn, ok := in.(ferry.PerName); !all && (!ok || !pn.PerName()) {
			continue
		}
		if judged && in == ferry.Inspector(s.streamer) { // as the bytes arrived
			continue
		}
		run = append(run, in)
	}
	errs := make([]error, len(run))
	inspectAll(ctx, run, f, errs)
	for _, err := range errs {
		if err == nil {
			continue
		}
		if !isFault(err) {
			return err
		}
		s.log.Error("inspection failed; failing closed", "id", t.ID, "err", err)
		return ferry.E(ferry.CodeScanUnavailable).WithErr(err).WithRetryAfter(60e9)
	}
	return nil
}

// inspectAll runs every inspector of run on f at once, each with a context
// of its own, and puts each one's outcome in errs. When one ends with an
// error, the ones after it are cancelled: the first error in the order of
// run is the verdict, whatever the later ones would say.
func inspectAll(ctx context.Context, run []ferry.Inspector, f *ferry.File, errs []error) {
	cancels := make([]context.CancelFunc, len(run))
	done := make(chan int, len(run))
	for i, in := range run {
		ictx, cancel := context.WithCancel(ctx)
		cancels[i] = cancel
		go func() {
			defer func() {
				// An inspector's panic fails closed, as any fault, rather
				// than ending the process from a goroutine of its own.
				if p := recover(); p != nil {
					errs[i] = ferry.E(ferry.CodeInternal).WithErr(fmt.Errorf("panic in inspector %T: %v\n%s", in, p, debug.Stack()))
				}
				done <- i
			}()
			errs[i] = in.Inspect(ictx, f)
		}()
	}
	for range run {
		if i := <-done; errs[i] != nil {
			for _, cancel := range cancels[i+1:] {
				cancel()
			}
		}
	}
	for _, cancel := range cancels {
		cancel()
	}
}

// deliver makes t available to its recipients for the sender's retention.
func (s *Service) deliver(ctx context.Context, t *ferry.Transfer, from ferry.State) (*ferry.Transfer, error) {
	sender, err := s.meta.AccountByID(ctx, t.SenderID)
	if err != nil {
		return nil, err
	}
	now := s.clock.Now()
	t.State, t.Error, t.Challenge, t.UploadState = ferry.StateAvailable, nil, nil, nil
	t.UpdatedAt, t.AvailableAt, t.ExpiresAt = now, now, now.Add(s.retention(sender))
	if err := s.meta.UpdateTransfer(ctx, t, from); err != nil {
		return nil, err
	}
	s.log.Info("transfer available", "id", t.ID, "sha256", t.SHA256)
	return t, nil
}

// reject ends an upload or inspection with err: the transfer is rejected,
// its reservation released, its staged bytes deleted. It returns the
// transfer and err (as an *ferry.Error) for the caller to pass on.
func (s *Service) reject(ctx context.Context, t *ferry.Transfer, err error) (*ferry.Transfer, error) {
	fe := ferry.AsError(err)
	from := t.State
	t.State, t.Error, t.UpdatedAt, t.Challenge = ferry.StateRejected, fe, s.clock.Now(), nil
	if uerr := s.meta.UpdateTransfer(ctx, t, from); uerr != nil {
		return nil, uerr
	}
	if derr := s.blobs.DeleteUpload(ctx, t.ID); derr != nil {
		s.log.Warn("rejected upload not deleted; the sweeper will retry", "id", t.ID, "err", derr)
	}
	s.log.Info("transfer rejected", "id", t.ID, "code", int(fe.Code), "rule", fe.Rule)
	return t, fe
}

// reopen puts back into uploading a transfer whose acknowledged bytes were
// lost before they were committed (a machine that lost power keeps only
// what reached its disk): the sender's client resumes from what is left.
func (s *Service) reopen(ctx context.Context, t *ferry.Transfer, staged int64) (*ferry.Transfer, error) {
	now := s.clock.Now()
	t.State, t.SHA256, t.Offset = ferry.StateUploading, "", staged
	t.UpdatedAt, t.UploadExpiresAt = now, now.Add(s.cfg.AbandonAfter)
	if err := s.meta.UpdateTransfer(ctx, t, ferry.StateInspecting); err != nil {
		return nil, err
	}
	s.log.Warn("upload lost its tail before commit; reopened for resume", "id", t.ID, "offset", staged)
	return t, nil
}

// hashUpload returns the hex SHA-256 of the staged bytes of upload id.
func (s *Service) hashUpload(ctx context.Context, id string) (string, error) {
	rc, err := s.blobs.OpenUpload(ctx, id)
	if err != nil {
		return "", err
	}
	defer rc.Close()
	h := sha256.New()
	if _, err := io.CopyBuffer(h, rc, make([]byte, 1<<20)); err != nil {
		return "", ferry.Wrap(ferry.CodeStorageUnavailable, "transfer: hash upload", err)
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// completeEmpty completes a transfer of zero bytes, which needs no upload.
func (s *Service) completeEmpty(ctx context.Context, t *ferry.Transfer) (*ferry.Transfer, error) {
	if _, err := s.blobs.Append(ctx, t.ID, 0, eofReader{}); err != nil {
		return nil, err
	}
	return s.finish(ctx, t)
}

type eofReader struct{}

func (eofReader) Read([]byte) (int, error) { return 0, io.EOF }
