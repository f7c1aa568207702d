package transfer

import (
	"context"

	"github.com/ferryhq/ferry"
	"github.com/ferryhq/ferry/policy"
)

// Precheck answers "would this be accepted?" without creating or reserving
// anything: every content-free rule with its outcome — the same rules, in
// the same order, over the same usage as Create — and the recipients.
// The first failed check is the code a real create would return now.
func (s *Service) Precheck(ctx context.Context, sender *ferry.Account, req CreateRequest) ([]policy.Check, error) {
	checks, err := s.precheck(ctx, sender, req)
	var verdict error
	if err == nil {
		verdict = policy.Verdict(checks)
	}
	s.audit(ctx, ferry.AuditPrecheck, sender, req, nil, verdict)
	return checks, err
}

func (s *Service) precheck(ctx context.Context, sender *ferry.Account, req CreateRequest) ([]policy.Check, error) {
	pol := s.policy()
	facts, err := s.facts(ctx, sender, req)
	if err != nil {
		return nil, err
	}
	u, err := s.meta.Usage(ctx, sender.ID, facts.Now, pol.UsageSpans(sender.Tier))
	if err != nil {
		return nil, err
	}
	// In the order a create checks them: the rules without usage, the
	// request, the recipients, then the usage rules (which a create checks
	// in the transaction that reserves), so that the first failure is the
	// create's code.
	checks := pol.Evaluate(facts)
	if _, err := checkRequest(req); err != nil {
		checks = append(checks, policy.Check{Rule: "request", Code: ferry.ErrorCode(err), Err: ferry.AsError(err)})
	}
	var rerr *ferry.Error
	if _, err := s.recipients(ctx, req.To); err != nil {
		if code := ferry.ErrorCode(err); code != ferry.CodeRecipientUnavailable && code != ferry.CodeBadRequest {
			return nil, err
		}
		rerr = ferry.AsError(err)
	}
	c := policy.Check{Rule: "recipients", Passed: rerr == nil, Err: rerr}
	if rerr != nil {
		c.Code = rerr.Code
	}
	checks = append(checks, c)
	facts.Usage = &u
	return append(checks, pol.EvaluateUsage(facts)...), nil
}
