package transfer

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"io"

	"github.com/ferryhq/ferry"
	"github.com/ferryhq/ferry/policy"
)

// Prove answers the proof-of-possession challenge of transfer id with
// proof, the hex SHA-256 over the challenge's byte ranges. When the server
// holds content of the declared SHA-256 that passed inspection under the
// current rules, and the proof matches that content, the transfer is
// delivered without an upload and Prove returns true. Otherwise — a wrong
// proof, content the server does not hold, content inspected under older
// rules — it returns false, alike in every case, and the sender uploads as
// usual. A challenge answers one proof only.
func (s *Service) Prove(ctx context.Context, sender *ferry.Account, id, proof string) (*ferry.Transfer, bool, error) {
	t, err := s.meta.Transfer(ctx, id)
	if err != nil {
		return nil, false, err
	}
	if t.SenderID != sender.ID {
		return nil, false, ferry.E(ferry.CodeNotFound)
	}
	if t.State != ferry.StateUploading {
		return t, false, stateError(t)
	}
	ch := t.Challenge
	if ch == nil {
		return t, false, nil
	}
	t.Challenge = nil // one attempt per challenge
	if err := s.meta.UpdateTransfer(ctx, t, ferry.StateUploading); err != nil {
		return nil, false, err
	}
	if held, right := s.holds(ctx, t, ch, proof); !right {
		if held { // knows the hash of content here, but not the content
			s.riskEvent(ctx, sender, "wrong_proof")
		}
		return t, false, nil
	}
	// The content passed inspection, perhaps under another name: what
	// depends on the name is judged again.
	t.SHA256 = t.DeclaredSHA256
	err = s.checkBlobHead(ctx, t)
	if err == nil {
		err = s.inspect(ctx, t, false)
	}
	if err != nil {
		if ferry.ErrorCode(err) == ferry.CodeStorageUnavailable {
			return nil, false, err
		}
		t, err := s.reject(ctx, t, err)
		if t != nil {
			s.auditTransfer(ferry.AuditUpload, sender, t, nil)
		}
		return t, false, err
	}
	now := s.clock.Now()
	t.Offset = t.Size
	sender, err = s.meta.AccountByID(ctx, t.SenderID)
	if err != nil {
		return nil, false, err
	}
	t.State, t.UpdatedAt, t.AvailableAt, t.ExpiresAt = ferry.StateAvailable, now, now, now.Add(s.retention(sender))
	if err := s.meta.ShareBlob(ctx, t, s.version(), ferry.StateUploading); err != nil {
		if ferry.ErrorCode(err) == ferry.CodeNotFound { // deleted or re-versioned meanwhile
			t, err := s.reload(ctx, id)
			return t, false, err
		}
		return nil, false, err
	}
	if err := s.blobs.DeleteUpload(ctx, t.ID); err != nil {
		s.log.Warn("staged bytes of an instant transfer not deleted", "id", t.ID, "err", err)
	}
	s.auditTransfer(ferry.AuditUpload, sender, t, nil)
	s.log.Info("instant transfer", "id", t.ID, "sha256", t.SHA256)
	return t, true, nil
}

// holds reports whether the server holds inspected content of t's declared
// SHA-256 and size, and whether proof is right for it.
func (s *Service) holds(ctx context.Context, t *ferry.Transfer, ch *ferry.Challenge, proof string) (held, right bool) {
	b, err := s.meta.Blob(ctx, t.DeclaredSHA256)
	if err != nil || b.Inspected != s.version() || b.Size != t.Size {
		return false, false
	}
	rc, _, err := s.blobs.Open(ctx, b.SHA256)
	if err != nil {
		return false, false
	}
	defer rc.Close()
	got, err := hex.DecodeString(proof)
	if err != nil || len(got) != sha256.Size {
		return true, false
	}
	want, err := ProofOf(rc, ch)
	return true, err == nil && subtle.ConstantTimeCompare(want, got) == 1
}

// ProofOf returns the SHA-256 over the challenge's ranges of r, in order.
func ProofOf(r io.ReadSeeker, ch *ferry.Challenge) ([]byte, error) {
	h := sha256.New()
	for _, br := range ch.Ranges {
		if _, err := r.Seek(br.Offset, io.SeekStart); err != nil {
			return nil, err
		}
		if _, err := io.CopyN(h, r, br.Length); err != nil {
			return nil, err
		}
	}
	return h.Sum(nil), nil
}

// checkBlobHead judges the first bytes of the content an instant transfer
// would share against the transfer's name, as an upload's are (1002): the
// same content may have been sent before under another name.
func (s *Service) checkBlobHead(ctx context.Context, t *ferry.Transfer) error {
	rc, _, err := s.blobs.Open(ctx, t.DeclaredSHA256)
	if err != nil {
		return err
	}
	defer rc.Close()
	head := make([]byte, policy.HeadLen(t.Size))
	if _, err := io.ReadFull(rc, head); err != nil {
		return ferry.Wrap(ferry.CodeStorageUnavailable, "transfer: read blob head", err)
	}
	if fe := s.policy().CheckContent(t.Name, head); fe != nil {
		return fe
	}
	return nil
}
