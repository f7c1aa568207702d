package transfer

import (
	"context"
	"encoding/hex"
	"hash"
	"io"

	"github.com/ferryhq/ferry"
)

// finish completes an upload whose every byte arrived: it verifies the
// declared SHA-256, records and commits the blob, and inspects it.
func (s *Service) finish(ctx context.Context, t *ferry.Transfer, h hash.Hash) (*ferry.Transfer, error) {
	sum := hex.EncodeToString(h.Sum(nil))
	if t.DeclaredSHA256 != "" && sum != t.DeclaredSHA256 {
		return s.reject(ctx, t, ferry.E(ferry.CodeChecksumMismatch).With("declared", t.DeclaredSHA256).With("actual", sum))
	}
	t.SHA256, t.State, t.Challenge = sum, ferry.StateInspecting, nil
	t.UpdatedAt = s.clock.Now()
	blob := &ferry.Blob{SHA256: sum, Size: t.Size, CreatedAt: t.UpdatedAt}
	if err := s.meta.AttachBlob(ctx, t, blob, ferry.StateUploading); err != nil {
		return nil, err
	}
	return s.commitAndInspect(ctx, t)
}

// commitAndInspect moves the staged upload of t (inspecting) into its blob
// and inspects it. It is also how a node resumes a transfer that another
// left in the inspecting state.
func (s *Service) commitAndInspect(ctx context.Context, t *ferry.Transfer) (*ferry.Transfer, error) {
	if staged, err := s.blobs.UploadSize(ctx, t.ID); err != nil {
		return nil, err
	} else if staged == t.Size {
		if err := s.blobs.Commit(ctx, t.ID, t.SHA256); err != nil {
			return nil, err
		}
	}
	blob, err := s.meta.Blob(ctx, t.SHA256)
	if err != nil {
		return nil, err
	}
	if blob.Inspected != s.cfg.InspectVersion {
		if err := s.inspect(ctx, t); err != nil {
			return s.reject(ctx, t, err)
		}
		if err := s.meta.MarkInspected(ctx, t.SHA256, s.cfg.InspectVersion); err != nil {
			return nil, err
		}
	}
	return s.deliver(ctx, t, ferry.StateInspecting)
}

// inspect runs the inspectors in order. A verdict is an *ferry.Error; any
// other failure means the content could not be inspected, and fails closed
// as 5005 SCAN_UNAVAILABLE.
func (s *Service) inspect(ctx context.Context, t *ferry.Transfer) error {
	f := &ferry.File{Name: t.Name, Size: t.Size, SHA256: t.SHA256,
		Open: func(ctx context.Context) (io.ReadSeekCloser, error) {
			rc, _, err := s.blobs.Open(ctx, t.SHA256)
			return rc, err
		}}
	for _, in := range s.inspectors {
		err := in.Inspect(ctx, f)
		if err == nil {
			continue
		}
		if code := ferry.ErrorCode(err); code != ferry.CodeInternal && code != ferry.CodeStorageUnavailable {
			return err
		}
		s.log.Error("inspection failed; failing closed", "id", t.ID, "err", err)
		return ferry.E(ferry.CodeScanUnavailable).WithErr(err).WithRetryAfter(60e9)
	}
	return nil
}

// deliver makes t available to its recipients for the sender's retention.
func (s *Service) deliver(ctx context.Context, t *ferry.Transfer, from ferry.State) (*ferry.Transfer, error) {
	sender, err := s.meta.AccountByID(ctx, t.SenderID)
	if err != nil {
		return nil, err
	}
	now := s.clock.Now()
	t.State, t.Error, t.Challenge = ferry.StateAvailable, nil, nil
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

// completeEmpty completes a transfer of zero bytes, which needs no upload.
func (s *Service) completeEmpty(ctx context.Context, t *ferry.Transfer) (*ferry.Transfer, error) {
	if _, err := s.blobs.Append(ctx, t.ID, 0, eofReader{}); err != nil {
		return nil, err
	}
	h, err := s.hashAt(ctx, t, 0)
	if err != nil {
		return nil, err
	}
	return s.finish(ctx, t, h)
}

type eofReader struct{}

func (eofReader) Read([]byte) (int, error) { return 0, io.EOF }
