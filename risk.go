package ferry

import (
	"context"
	"time"
)

// Risk levels of an account. Level 1 is normal; level 2 asks for a step-up
// (a one-time code) before sending (4002); level 3 suspends sending (4003).
const (
	RiskNormal     = 1
	RiskStepUp     = 2
	RiskRestricted = 3
)

// RiskWindow is how long a risk event counts: the rolling 24 hours. It is
// also how long level 2 lasts for an account that has a one-time code
// enrolled and never steps up.
const RiskWindow = 24 * time.Hour

// Risk is an account's standing in risk control, as stored. The decisions
// over it (thresholds, decay) are package account's; a store only keeps it.
type Risk struct {
	AccountID int64
	// FailedLogins counts consecutive failed logins; a successful login or
	// a step-up sets it back to 0.
	FailedLogins int
	// Level is RiskNormal, RiskStepUp or RiskRestricted.
	Level int
	// LevelSince is when the account entered Level; zero at RiskNormal.
	// When the level lapses follows from it and the current policy.
	LevelSince time.Time
	// Events are the account's recent risk events, oldest first.
	Events []RiskEvent

	// TOTPSecret is the base32 secret of the account's authenticator (RFC
	// 6238), "" when none is enrolled. It is stored as it is: encrypting it
	// at rest is future work.
	TOTPSecret string
	// TOTPConfirmed is true once a code of TOTPSecret was confirmed; only a
	// confirmed secret can step up.
	TOTPConfirmed bool
	// TOTPLastStep is the last 30-second time step whose code was accepted;
	// a code of that step or an earlier one is refused (replay).
	TOTPLastStep int64
}

// RiskEvent is one sign of risk: Kind says what happened ("login_failures",
// "step_up_failed", "burst", "rate_anomaly", "session_anomaly",
// "wrong_proof", …).
type RiskEvent struct {
	Kind string
	At   time.Time
}

// RiskStore keeps the risk state of accounts.
type RiskStore interface {
	// Risk returns the risk state of the account: a fresh copy, with
	// AccountID set, Level RiskNormal and nothing else when none is stored
	// (an unknown account included).
	Risk(ctx context.Context, accountID int64) (*Risk, error)
	// UpdateRisk reads the account's risk state as Risk does, calls fn with
	// it, and stores every field fn leaves (Events replace the stored ones;
	// AccountID is ignored), all in one transaction that excludes every
	// other UpdateRisk of the account, on every node. When fn returns an
	// error nothing is written and that error is returned unchanged. fn
	// must not call the store. An unknown account is CodeNotFound, and fn
	// is not called.
	UpdateRisk(ctx context.Context, accountID int64, fn func(*Risk) error) error
}
