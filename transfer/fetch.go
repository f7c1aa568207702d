package transfer

import (
	"context"
	"io"

	"github.com/ferryhq/ferry"
)

// Get returns transfer id as account may see it: its sender always; a
// recipient once it was delivered. Anyone else gets 8003 NOT_FOUND, as if
// it did not exist.
func (s *Service) Get(ctx context.Context, account *ferry.Account, id string) (*ferry.Transfer, error) {
	t, err := s.meta.Transfer(ctx, id)
	if err != nil {
		return nil, err
	}
	if t.SenderID == account.ID {
		return t, nil
	}
	if t.Recipient(account.ID) != nil && !t.AvailableAt.IsZero() {
		return t, nil
	}
	return nil, ferry.E(ferry.CodeNotFound)
}

// Content opens the content of transfer id for account: a recipient who
// has not declined it, or its sender, while it is available or downloaded.
// The caller closes the reader and calls Downloaded once every byte was
// sent.
func (s *Service) Content(ctx context.Context, account *ferry.Account, id string) (*ferry.Transfer, io.ReadSeekCloser, int64, error) {
	t, err := s.Fetchable(ctx, account, id)
	if err != nil {
		return t, nil, 0, err
	}
	rc, size, err := s.blobs.Open(ctx, t.SHA256)
	if err != nil {
		return t, nil, 0, err
	}
	return t, rc, size, nil
}

// Fetchable returns transfer id when account may fetch its content now, as
// Content would open it: for a download that the blob store serves itself
// (a presigned URL).
func (s *Service) Fetchable(ctx context.Context, account *ferry.Account, id string) (*ferry.Transfer, error) {
	t, err := s.Get(ctx, account, id)
	if err != nil {
		return nil, err
	}
	if !t.State.Delivered() {
		return t, stateError(t)
	}
	if r := t.Recipient(account.ID); r != nil && r.Status == ferry.RecipientDeclined && t.SenderID != account.ID {
		return t, ferry.E(ferry.CodeTransferGone).With("state", string(ferry.StateDeclined))
	}
	return t, nil
}

// Downloaded records that account received the whole content of t. Only a
// recipient's download counts (once): the first moves t to downloaded,
// after which the sender can no longer recall it.
func (s *Service) Downloaded(ctx context.Context, account *ferry.Account, t *ferry.Transfer) error {
	r := t.Recipient(account.ID)
	if r == nil || !r.DownloadedAt.IsZero() {
		return nil
	}
	now := s.clock.Now()
	r.DownloadedAt = now
	if err := s.meta.UpdateRecipient(ctx, t.ID, r); err != nil {
		return err
	}
	s.auditTransfer(ferry.AuditDownload, account, t, nil)
	if t.State != ferry.StateAvailable {
		return nil
	}
	t.State, t.DownloadedAt, t.UpdatedAt = ferry.StateDownloaded, now, now
	err := s.meta.UpdateTransfer(ctx, t, ferry.StateAvailable)
	if ferry.ErrorCode(err) == ferry.CodeStateConflict { // another recipient was first
		return nil
	}
	return err
}

// Accept records that a recipient accepts transfer id.
func (s *Service) Accept(ctx context.Context, account *ferry.Account, id string) (*ferry.Transfer, error) {
	return s.answer(ctx, account, id, ferry.RecipientAccepted)
}

// Decline records that a recipient declines transfer id. When every
// recipient declined, the transfer ends (declined) and its storage is
// released.
func (s *Service) Decline(ctx context.Context, account *ferry.Account, id string) (*ferry.Transfer, error) {
	return s.answer(ctx, account, id, ferry.RecipientDeclined)
}

func (s *Service) answer(ctx context.Context, account *ferry.Account, id string, status ferry.RecipientStatus) (*ferry.Transfer, error) {
	t, err := s.Get(ctx, account, id)
	if err != nil {
		return nil, err
	}
	r := t.Recipient(account.ID)
	if r == nil {
		return nil, ferry.E(ferry.CodeForbidden).With("reason", "only a recipient can accept or decline")
	}
	if !t.State.Delivered() {
		return nil, stateError(t)
	}
	now := s.clock.Now()
	r.Status, r.DecidedAt = status, now
	if err := s.meta.UpdateRecipient(ctx, t.ID, r); err != nil {
		return nil, err
	}
	if status != ferry.RecipientDeclined || !allDeclined(t) {
		return t, nil
	}
	from := t.State
	t.State, t.UpdatedAt = ferry.StateDeclined, now
	if err := s.meta.UpdateTransfer(ctx, t, from); err != nil {
		return nil, err
	}
	s.log.Info("transfer declined by every recipient", "id", t.ID)
	return t, nil
}

func allDeclined(t *ferry.Transfer) bool {
	for _, r := range t.Recipients {
		if r.Status != ferry.RecipientDeclined {
			return false
		}
	}
	return true
}

// Recall withdraws transfer id, which only its sender may do, until a
// recipient downloaded it. An upload in progress is stopped and its bytes
// deleted; the reservation is released. Recalling twice is harmless.
func (s *Service) Recall(ctx context.Context, sender *ferry.Account, id string) (*ferry.Transfer, error) {
	_, release, err := s.locks.Lock(ctx, id, nil)
	if err != nil {
		return nil, err
	}
	defer release()
	t, err := s.meta.Transfer(ctx, id)
	if err != nil {
		return nil, err
	}
	if t.SenderID != sender.ID {
		if t.Recipient(sender.ID) != nil && !t.AvailableAt.IsZero() {
			return nil, ferry.E(ferry.CodeForbidden).With("reason", "only the sender can recall a transfer")
		}
		return nil, ferry.E(ferry.CodeNotFound)
	}
	switch t.State {
	case ferry.StateRecalled:
		return t, nil
	case ferry.StateUploading, ferry.StateInspecting, ferry.StateAvailable:
	default:
		return t, stateError(t)
	}
	from := t.State
	t.State, t.UpdatedAt, t.Challenge = ferry.StateRecalled, s.clock.Now(), nil
	if err := s.meta.UpdateTransfer(ctx, t, from); err != nil {
		return nil, err
	}
	if err := s.blobs.DeleteUpload(ctx, t.ID); err != nil {
		s.log.Warn("recalled upload not deleted; the sweeper will retry", "id", t.ID, "err", err)
	}
	s.auditTransfer(ferry.AuditRecall, sender, t, nil)
	s.log.Debug("transfer recalled", "id", t.ID)
	return t, nil
}

// Inbox lists what account can fetch, newest first.
func (s *Service) Inbox(ctx context.Context, account *ferry.Account, page ferry.Page) ([]*ferry.Transfer, string, error) {
	return s.meta.Inbox(ctx, account.ID, page)
}

// Outbox lists what account sent, newest first.
func (s *Service) Outbox(ctx context.Context, account *ferry.Account, page ferry.Page) ([]*ferry.Transfer, string, error) {
	return s.meta.Outbox(ctx, account.ID, page)
}

// Usage returns what account holds and recently sent (no short spans
// counted: GET /api/v1/me shows the storage).
func (s *Service) Usage(ctx context.Context, account *ferry.Account) (ferry.Usage, error) {
	return s.meta.Usage(ctx, account.ID, s.clock.Now(), ferry.UsageSpans{})
}
