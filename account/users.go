package account

import (
	"context"

	"github.com/ferryhq/ferry"
)

// MinPasswordLength is the shortest password accepted.
const MinPasswordLength = 8

// Create adds an account.
func (s *Service) Create(ctx context.Context, username, password string, tier ferry.Tier, admin bool) (*ferry.Account, error) {
	if err := ValidUsername(username); err != nil {
		return nil, err
	}
	if err := s.checkTier(tier); err != nil {
		return nil, err
	}
	hash, err := s.hash(password)
	if err != nil {
		return nil, err
	}
	now := s.clock.Now()
	a := &ferry.Account{Username: username, Tier: tier, PasswordHash: hash, Admin: admin, CreatedAt: now, UpdatedAt: now}
	if err := s.store.CreateAccount(ctx, a); err != nil {
		return nil, err
	}
	return a, nil
}

// Update is a change to an account; nil fields stay as they are.
type Update struct {
	Tier     *ferry.Tier
	Disabled *bool
	Password *string
	Admin    *bool
}

// Update changes the account named username.
func (s *Service) Update(ctx context.Context, username string, u Update) (*ferry.Account, error) {
	a, err := s.store.Account(ctx, username)
	if err != nil {
		return nil, err
	}
	if u.Tier != nil {
		if err := s.checkTier(*u.Tier); err != nil {
			return nil, err
		}
		a.Tier = *u.Tier
	}
	if u.Password != nil {
		if a.PasswordHash, err = s.hash(*u.Password); err != nil {
			return nil, err
		}
	}
	if u.Disabled != nil {
		a.Disabled = *u.Disabled
	}
	if u.Admin != nil {
		a.Admin = *u.Admin
	}
	a.UpdatedAt = s.clock.Now()
	if err := s.store.UpdateAccount(ctx, a); err != nil {
		return nil, err
	}
	return a, nil
}

// List returns every account, by username.
func (s *Service) List(ctx context.Context) ([]*ferry.Account, error) { return s.store.Accounts(ctx) }

// Get returns the account named username.
func (s *Service) Get(ctx context.Context, username string) (*ferry.Account, error) {
	return s.store.Account(ctx, username)
}

// Bootstrap creates the administrator account "admin" on first start, with
// password if given, else a random one, which it returns so that it can be
// shown once. When "admin" exists it does nothing and returns "".
func (s *Service) Bootstrap(ctx context.Context, password string) (string, error) {
	_, err := s.store.Account(ctx, "admin")
	if err == nil {
		return "", nil
	}
	if ferry.ErrorCode(err) != ferry.CodeNotFound {
		return "", err
	}
	if password == "" {
		if password, err = RandomPassword(); err != nil {
			return "", err
		}
	}
	if _, err := s.Create(ctx, "admin", password, ferry.TierEnterprise, true); err != nil {
		if ferry.ErrorCode(err) == ferry.CodeAlreadyExists { // another node was first
			return "", nil
		}
		return "", err
	}
	return password, nil
}

func (s *Service) checkTier(t ferry.Tier) error {
	if !s.cfg.ValidTier(t) {
		return ferry.E(ferry.CodeBadRequest).With("reason", "unknown tier "+string(t)).With("tier", string(t))
	}
	return nil
}

func (s *Service) hash(password string) (string, error) {
	if len([]rune(password)) < MinPasswordLength {
		return "", ferry.E(ferry.CodeBadRequest).With("reason", "the password must have at least 8 characters")
	}
	h, err := HashPassword(password)
	if err != nil {
		return "", ferry.Wrap(ferry.CodeInternal, "account: hash password", err)
	}
	return h, nil
}

// ValidUsername checks a username: 1 to 64 characters of a–z, 0–9, '.',
// '_' and '-', starting with a letter or digit. Usernames are what senders
// type after --to, so they are kept plain.
func ValidUsername(name string) error {
	bad := len(name) == 0 || len(name) > 64
	for i := 0; i < len(name) && !bad; i++ {
		c := name[i]
		alnum := c >= 'a' && c <= 'z' || c >= '0' && c <= '9'
		bad = !alnum && (i == 0 || c != '.' && c != '_' && c != '-')
	}
	if bad {
		return ferry.E(ferry.CodeBadRequest).With("reason", "a username has 1 to 64 characters: a-z, 0-9, '.', '_', '-', starting with a letter or digit")
	}
	return nil
}
