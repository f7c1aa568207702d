package account

import (
	"context"
	"fmt"
	"time"

	"github.com/ferryhq/ferry"
)

// RiskPolicy holds the thresholds of account risk control. The policy file
// feeds it (Config.Risk); a zero field takes its default.
type RiskPolicy struct {
	// LoginFailures consecutive failed logins raise an account to level 2,
	// and record a risk event (default 3). So does every further run of
	// as many.
	LoginFailures int
	// StepUpCooldown lifts level 2 by itself for an account without a
	// confirmed one-time code (default 30 minutes).
	StepUpCooldown time.Duration
	// MaxEvents risk events within ferry.RiskWindow are allowed; one more
	// raises the account to level 3 (default 5).
	MaxEvents int
	// RestrictFor is how long level 3 lasts unless an admin clears it
	// (default 24 hours).
	RestrictFor time.Duration
}

// DefaultRiskPolicy returns the thresholds of the default policy.
func DefaultRiskPolicy() RiskPolicy {
	return RiskPolicy{LoginFailures: 3, StepUpCooldown: 30 * time.Minute, MaxEvents: 5, RestrictFor: 24 * time.Hour}
}

// complete fills zero and negative fields with their defaults.
func (p RiskPolicy) complete() RiskPolicy {
	d := DefaultRiskPolicy()
	if p.LoginFailures <= 0 {
		p.LoginFailures = d.LoginFailures
	}
	if p.StepUpCooldown <= 0 {
		p.StepUpCooldown = d.StepUpCooldown
	}
	if p.MaxEvents <= 0 {
		p.MaxEvents = d.MaxEvents
	}
	if p.RestrictFor <= 0 {
		p.RestrictFor = d.RestrictFor
	}
	return p
}

// The rules that raise an account's level, as error rules name them.
const (
	RuleLoginFailures = "risk.login_failures"
	RuleMaxEvents     = "risk.max_events"
)

// Kinds of risk events this package records. Other parts of ferry report
// their own ("burst", "rate_anomaly", "session_anomaly", "wrong_proof").
const (
	EventLoginFailures = "login_failures"
	EventStepUpFailed  = "step_up_failed"
)

// The state machine. Stored state is brought up to date (settle) at the
// start of every read and of every change, so decay needs no background
// job and a read decides exactly as a write would.

// until returns when r's level lapses by itself: level 2 after the
// cool-down, or after ferry.RiskWindow when a one-time code is enrolled
// (the way out is a step-up); level 3 after RestrictFor. Zero at level 1.
func (p RiskPolicy) until(r *ferry.Risk) time.Time {
	switch r.Level {
	case ferry.RiskStepUp:
		if r.TOTPConfirmed {
			return r.LevelSince.Add(ferry.RiskWindow)
		}
		return r.LevelSince.Add(p.StepUpCooldown)
	case ferry.RiskRestricted:
		return r.LevelSince.Add(p.RestrictFor)
	}
	return time.Time{}
}

// settle applies the decay due at now: a level whose time has come goes
// back to 1 (level 3 also forgets its events and failed logins), and events
// older than ferry.RiskWindow drop out.
func (p RiskPolicy) settle(r *ferry.Risk, now time.Time) {
	if r.Level != ferry.RiskStepUp && r.Level != ferry.RiskRestricted {
		r.Level, r.LevelSince = ferry.RiskNormal, time.Time{}
	}
	if r.Level != ferry.RiskNormal && !now.Before(p.until(r)) {
		if r.Level == ferry.RiskRestricted {
			r.Events, r.FailedLogins = nil, 0
		}
		r.Level, r.LevelSince = ferry.RiskNormal, time.Time{}
	}
	from := now.Add(-ferry.RiskWindow)
	kept := r.Events[:0]
	for _, e := range r.Events {
		if e.At.After(from) {
			kept = append(kept, e)
		}
	}
	if len(kept) == 0 {
		kept = nil
	}
	r.Events = kept
}

// event records a risk event at now; more than MaxEvents within the window
// raise level 3. While level 3 holds nothing is recorded: its end clears
// the history anyway.
func (p RiskPolicy) event(r *ferry.Risk, kind string, now time.Time) {
	if r.Level == ferry.RiskRestricted {
		return
	}
	r.Events = append(r.Events, ferry.RiskEvent{Kind: kind, At: now})
	if len(r.Events) > p.MaxEvents {
		r.Level, r.LevelSince = ferry.RiskRestricted, now
	}
}

// loginFailed counts a failed login: each run of LoginFailures raises
// level 2 (from now) and is a risk event.
func (p RiskPolicy) loginFailed(r *ferry.Risk, now time.Time) {
	r.FailedLogins++
	if r.FailedLogins%p.LoginFailures != 0 || r.Level == ferry.RiskRestricted {
		return
	}
	r.Level, r.LevelSince = ferry.RiskStepUp, now
	p.event(r, EventLoginFailures, now)
}

// standing returns the error sending meets at now: nil at level 1, 4002
// at level 2, 4003 at level 3. r must be settled.
func (p RiskPolicy) standing(r *ferry.Risk, now time.Time) error {
	until := p.until(r)
	switch r.Level {
	case ferry.RiskStepUp:
		e := ferry.E(ferry.CodeStepUpRequired).WithRule(RuleLoginFailures).With("totp_enrolled", r.TOTPConfirmed)
		if !r.TOTPConfirmed {
			e.WithRetryAfter(until.Sub(now))
		}
		return e
	case ferry.RiskRestricted:
		return ferry.E(ferry.CodeAccountRestricted).WithRule(RuleMaxEvents).
			With("until", until.UTC().Format(time.RFC3339)).WithRetryAfter(until.Sub(now))
	}
	return nil
}

// riskPolicy returns the current thresholds.
func (s *Service) riskPolicy() RiskPolicy { return s.cfg.Risk().complete() }

// loadRisk reads a's risk state, settled at now.
func (s *Service) loadRisk(ctx context.Context, a *ferry.Account, p RiskPolicy, now time.Time) (*ferry.Risk, error) {
	r, err := s.store.Risk(ctx, a.ID)
	if err != nil {
		return nil, err
	}
	p.settle(r, now)
	return r, nil
}

// updateRisk settles a's risk state at now and changes it with fn, in one
// transaction of the store. A change of level that fn makes is audited.
func (s *Service) updateRisk(ctx context.Context, a *ferry.Account, fn func(r *ferry.Risk, p RiskPolicy, now time.Time) error) error {
	p, now := s.riskPolicy(), s.clock.Now()
	var from, to int
	var why string
	err := s.store.UpdateRisk(ctx, a.ID, func(r *ferry.Risk) error {
		p.settle(r, now)
		from = r.Level
		if err := fn(r, p, now); err != nil {
			return err
		}
		to, why = r.Level, ""
		if n := len(r.Events); n > 0 && r.Events[n-1].At.Equal(now) {
			why = r.Events[n-1].Kind
		}
		return nil
	})
	if err == nil && from != to {
		s.auditLevel(a, from, to, why, now)
	}
	return err
}

// auditLevel records that a's risk level went from one level to another;
// why is the kind of the risk event that raised it, "" for a step-up, a
// clearing or a lapse.
func (s *Service) auditLevel(a *ferry.Account, from, to int, why string, now time.Time) {
	if s.cfg.Audit == nil {
		return
	}
	rec := &ferry.AuditRecord{At: now, AccountID: a.ID, Account: a.Username, Action: ferry.AuditRisk,
		Verdict: fmt.Sprintf("level %d", to), Details: map[string]any{"from": from, "to": to}}
	switch to {
	case ferry.RiskStepUp:
		rec.Code, rec.Rule = ferry.CodeStepUpRequired, RuleLoginFailures
	case ferry.RiskRestricted:
		rec.Code, rec.Rule = ferry.CodeAccountRestricted, RuleMaxEvents
	}
	if why != "" {
		rec.Details["event"] = why
	}
	s.cfg.Audit.Record(rec)
}

// CheckSend reports whether a may send now: nil at level 1; 4002
// STEP_UP_REQUIRED at level 2 (rule risk.login_failures, detail
// totp_enrolled, and Retry-After the rest of the cool-down when no one-time
// code is enrolled); 4003 ACCOUNT_RESTRICTED at level 3 (rule
// risk.max_events, detail until in RFC 3339, Retry-After). It only reads.
func (s *Service) CheckSend(ctx context.Context, a *ferry.Account) error {
	p, now := s.riskPolicy(), s.clock.Now()
	r, err := s.loadRisk(ctx, a, p, now)
	if err != nil {
		return err
	}
	return p.standing(r, now)
}

// RiskEvent records a sign of risk of kind for a ("burst", "wrong_proof",
// …). More than RiskPolicy.MaxEvents within 24 hours restrict the account
// (level 3).
func (s *Service) RiskEvent(ctx context.Context, a *ferry.Account, kind string) error {
	if kind == "" {
		kind = "unspecified"
	}
	return s.updateRisk(ctx, a, func(r *ferry.Risk, p RiskPolicy, now time.Time) error {
		p.event(r, kind, now)
		return nil
	})
}

// RiskView is an account's risk standing as administrators see it.
type RiskView struct {
	Level int
	// Until is when Level lapses by itself; zero at level 1.
	Until time.Time
	// FailedLogins counts consecutive failed logins.
	FailedLogins int
	// Events24h counts the risk events of the last 24 hours.
	Events24h int
	// TOTPEnrolled is true when a one-time code is confirmed.
	TOTPEnrolled bool
}

// RiskOf returns a's risk standing now.
func (s *Service) RiskOf(ctx context.Context, a *ferry.Account) (RiskView, error) {
	p, now := s.riskPolicy(), s.clock.Now()
	r, err := s.loadRisk(ctx, a, p, now)
	if err != nil {
		return RiskView{}, err
	}
	return RiskView{Level: r.Level, Until: p.until(r), FailedLogins: r.FailedLogins, Events24h: len(r.Events),
		TOTPEnrolled: r.TOTPConfirmed}, nil
}

// ClearRisk puts a back at level 1 with no failed logins and no events, as
// an administrator decides. The one-time code enrolment stays.
func (s *Service) ClearRisk(ctx context.Context, a *ferry.Account) error {
	return s.updateRisk(ctx, a, func(r *ferry.Risk, _ RiskPolicy, _ time.Time) error {
		r.Level, r.LevelSince, r.FailedLogins, r.Events = ferry.RiskNormal, time.Time{}, 0, nil
		return nil
	})
}

// loginFailed records a failed login of a.
func (s *Service) loginFailed(ctx context.Context, a *ferry.Account) error {
	return s.updateRisk(ctx, a, func(r *ferry.Risk, p RiskPolicy, now time.Time) error {
		p.loginFailed(r, now)
		return nil
	})
}

// loginSucceeded ends a's run of failed logins and, when the login carried
// a one-time code, steps up with it (see StepUp): a wrong code is 4005 and
// the login fails, but a code is not needed to sign in, so without an
// enrolment or at level 3 it is not looked at.
func (s *Service) loginSucceeded(ctx context.Context, a *ferry.Account, code string) error {
	var verdict error
	err := s.updateRisk(ctx, a, func(r *ferry.Risk, p RiskPolicy, now time.Time) error {
		verdict = nil
		if code != "" && r.TOTPConfirmed && r.Level != ferry.RiskRestricted {
			if verdict = stepUp(r, p, code, now); verdict != nil {
				return nil // the failed step-up is recorded; the run goes on
			}
		}
		r.FailedLogins = 0
		return nil
	})
	if err != nil {
		return err
	}
	return verdict
}
