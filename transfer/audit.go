package transfer

import (
	"context"

	"github.com/ferryhq/ferry"
)

// RiskChecker is the account risk control the lifecycle consults before a
// create (4002, 4003) and tells of signs of abuse.
type RiskChecker interface {
	CheckSend(ctx context.Context, a *ferry.Account) error
	RiskEvent(ctx context.Context, a *ferry.Account, kind string) error
}

// audit records a decision about a transfer of sender's.
func (s *Service) audit(ctx context.Context, action string, sender *ferry.Account, req CreateRequest, t *ferry.Transfer, err error) {
	if s.auditor == nil {
		return
	}
	rec := &ferry.AuditRecord{At: s.clock.Now(), AccountID: sender.ID, Account: sender.Username, Action: action,
		Name: req.Name, Size: req.Size, Verdict: ferry.VerdictAccepted}
	if req.Client.IP.IsValid() {
		rec.IP = req.Client.IP.String()
	}
	if t != nil {
		rec.TransferID, rec.Name, rec.Size = t.ID, t.Name, t.Size
	}
	if err != nil {
		fe := ferry.AsError(err)
		rec.Verdict, rec.Code, rec.Rule = ferry.VerdictRejected, fe.Code, fe.Rule
	}
	s.auditor.Record(rec)
}

// auditTransfer records what became of a transfer: its upload's verdict,
// a recall, a download.
func (s *Service) auditTransfer(action string, a *ferry.Account, t *ferry.Transfer, err error) {
	if s.auditor == nil {
		return
	}
	rec := &ferry.AuditRecord{At: s.clock.Now(), Action: action, TransferID: t.ID, Name: t.Name, Size: t.Size,
		AccountID: t.SenderID, Account: t.Sender, Verdict: ferry.VerdictAccepted}
	if a != nil {
		rec.AccountID, rec.Account = a.ID, a.Username
	}
	if t.State == ferry.StateRejected && t.Error != nil && err == nil {
		err = t.Error
	}
	if err != nil {
		fe := ferry.AsError(err)
		rec.Verdict, rec.Code, rec.Rule = ferry.VerdictRejected, fe.Code, fe.Rule
	}
	s.auditor.Record(rec)
}
