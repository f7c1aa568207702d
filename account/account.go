package account

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"strings"
	"time"

	"github.com/ferryhq/ferry"
)

// Config tunes the account service.
type Config struct {
	// TokenTTL is how long a sign-in lasts (default 30 days).
	TokenTTL time.Duration
	// ValidTier reports whether a tier exists in the current policy.
	ValidTier func(ferry.Tier) bool
	// Risk returns the current thresholds of account risk control; it is
	// called for every decision, so a reloaded policy applies at once. Nil
	// means DefaultRiskPolicy.
	Risk func() RiskPolicy
	// Audit records the changes of an account's risk level; nil records
	// nothing.
	Audit ferry.Auditor
}

// Store is what the service keeps its state in: accounts and sessions, and
// their risk state (a ferry.MetaStore is one).
type Store interface {
	ferry.AccountStore
	ferry.RiskStore
}

// Service signs users in, manages accounts, and runs account risk control.
type Service struct {
	store Store
	clock ferry.Clock
	cfg   Config
}

// New returns a Service over store.
func New(store Store, clock ferry.Clock, cfg Config) *Service {
	if cfg.TokenTTL <= 0 {
		cfg.TokenTTL = 30 * 24 * time.Hour
	}
	if cfg.ValidTier == nil {
		cfg.ValidTier = func(t ferry.Tier) bool { return t != "" }
	}
	if cfg.Risk == nil {
		cfg.Risk = DefaultRiskPolicy
	}
	return &Service{store: store, clock: clock, cfg: cfg}
}

// tokenPrefix marks ferry tokens so that secret scanners can find leaks.
const tokenPrefix = "fy_"

// Login checks a username and password and returns a new bearer token.
// Any failure — unknown user, wrong password, disabled account — is the
// same 4001 LOGIN_FAILED, after the same amount of work. A wrong password
// counts towards risk level 2 (see RiskPolicy.LoginFailures); a right one
// ends the run of failures.
func (s *Service) Login(ctx context.Context, username, password string) (string, *ferry.Token, *ferry.Account, error) {
	return s.LoginWithTOTP(ctx, username, password, "")
}

// LoginWithTOTP is Login with a one-time code, which, when the account has
// a confirmed authenticator, steps up at once (see StepUp): a wrong code
// fails the login with 4005 ONE_TIME_CODE_INVALID. Without an enrolment,
// or at level 3, the code is not looked at.
func (s *Service) LoginWithTOTP(ctx context.Context, username, password, code string) (string, *ferry.Token, *ferry.Account, error) {
	a, err := s.store.Account(ctx, username)
	if ferry.ErrorCode(err) == ferry.CodeNotFound {
		CheckPassword(dummyHash, password)
		return "", nil, nil, ferry.E(ferry.CodeLoginFailed)
	}
	if err != nil {
		return "", nil, nil, err
	}
	if !CheckPassword(a.PasswordHash, password) {
		if err := s.loginFailed(ctx, a); err != nil {
			return "", nil, nil, err
		}
		return "", nil, nil, ferry.E(ferry.CodeLoginFailed)
	}
	if a.Disabled {
		return "", nil, nil, ferry.E(ferry.CodeLoginFailed)
	}
	if err := s.loginSucceeded(ctx, a, code); err != nil {
		return "", nil, nil, err
	}
	raw := make([]byte, 32) // 256 bits
	if _, err := rand.Read(raw); err != nil {
		return "", nil, nil, ferry.Wrap(ferry.CodeInternal, "account: token", err)
	}
	token := tokenPrefix + base64.RawURLEncoding.EncodeToString(raw)
	now := s.clock.Now()
	t := &ferry.Token{Hash: hashToken(token), AccountID: a.ID, CreatedAt: now, ExpiresAt: now.Add(s.cfg.TokenTTL)}
	if err := s.store.CreateToken(ctx, t); err != nil {
		return "", nil, nil, err
	}
	return token, t, a, nil
}

// Authenticate returns the account a bearer token belongs to, or 8001
// UNAUTHENTICATED when the token is unknown, expired, or its account is
// disabled.
func (s *Service) Authenticate(ctx context.Context, token string) (*ferry.Account, error) {
	if !strings.HasPrefix(token, tokenPrefix) {
		return nil, ferry.E(ferry.CodeUnauthenticated)
	}
	t, a, err := s.session(ctx, hashToken(token))
	if ferry.ErrorCode(err) == ferry.CodeNotFound {
		return nil, ferry.E(ferry.CodeUnauthenticated)
	}
	if err != nil {
		return nil, err
	}
	if !s.clock.Now().Before(t.ExpiresAt) {
		return nil, ferry.E(ferry.CodeUnauthenticated).With("reason", "the sign-in expired")
	}
	if a.Disabled {
		return nil, ferry.E(ferry.CodeUnauthenticated)
	}
	return a, nil
}

// session reads the session of hash and its account, in one query when the
// store can (ferry.SessionStore). Nothing is kept between requests, so that
// a logout, a disabled account or a new tier applies to the next request,
// on every node.
func (s *Service) session(ctx context.Context, hash []byte) (*ferry.Token, *ferry.Account, error) {
	if ss, ok := s.store.(ferry.SessionStore); ok {
		return ss.Session(ctx, hash)
	}
	t, err := s.store.Token(ctx, hash)
	if err != nil {
		return nil, nil, err
	}
	a, err := s.store.AccountByID(ctx, t.AccountID)
	if err != nil {
		return nil, nil, err
	}
	return t, a, nil
}

// Logout ends the session of token.
func (s *Service) Logout(ctx context.Context, token string) error {
	return s.store.DeleteToken(ctx, hashToken(token))
}

func hashToken(token string) []byte {
	h := sha256.Sum256([]byte(token))
	return h[:]
}
