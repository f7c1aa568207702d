package postgres

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/ferryhq/ferry"
	"github.com/ferryhq/ferry/meta/internal/sqlstore"
)

// CreateAccount inserts a and sets a.ID. A taken username is
// CodeAlreadyExists.
func (s *Store) CreateAccount(ctx context.Context, a *ferry.Account) error {
	const op = "meta/postgres: create account"
	var id int64
	err := s.pool.QueryRow(ctx, `INSERT INTO accounts
		(username, tier, password_hash, admin, disabled, created_at, updated_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id`,
		a.Username, string(a.Tier), a.PasswordHash, a.Admin, a.Disabled, nanos(a.CreatedAt), nanos(a.UpdatedAt)).Scan(&id)
	if err != nil {
		return insertErr(op, fmt.Errorf("account %q: %w", a.Username, err))
	}
	a.ID = id
	return nil
}

// Account returns the account with that username. A name that a text
// column cannot hold (see textSafe) names no account: it is CodeNotFound,
// as a login under it must see, not a failure of the database.
func (s *Store) Account(ctx context.Context, username string) (*ferry.Account, error) {
	if textSafe(username) != username {
		return nil, notFound("meta/postgres: account", fmt.Errorf("account %q", username))
	}
	return s.account(ctx, "meta/postgres: account", `SELECT `+sqlstore.AccountCols+` FROM accounts WHERE username = $1`, username)
}

// AccountByID returns the account with that ID.
func (s *Store) AccountByID(ctx context.Context, id int64) (*ferry.Account, error) {
	return s.account(ctx, "meta/postgres: account by id", `SELECT `+sqlstore.AccountCols+` FROM accounts WHERE id = $1`, id)
}

func (s *Store) account(ctx context.Context, op, query string, arg any) (*ferry.Account, error) {
	a, err := sqlstore.ScanAccount(s.pool.QueryRow(ctx, query, arg))
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, notFound(op, err)
	}
	if err != nil {
		return nil, dbErr(op, err)
	}
	return a, nil
}

// Accounts lists all accounts ordered by username, byte by byte.
func (s *Store) Accounts(ctx context.Context) ([]*ferry.Account, error) {
	const op = "meta/postgres: accounts"
	rows, err := s.pool.Query(ctx, `SELECT `+sqlstore.AccountCols+` FROM accounts ORDER BY username`)
	if err != nil {
		return nil, dbErr(op, err)
	}
	as, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (*ferry.Account, error) { return sqlstore.ScanAccount(r) })
	if err != nil {
		return nil, dbErr(op, err)
	}
	return as, nil
}

// UpdateAccount stores a's tier, password hash, admin and disabled flags and
// UpdatedAt. An unknown account is CodeNotFound.
func (s *Store) UpdateAccount(ctx context.Context, a *ferry.Account) error {
	const op = "meta/postgres: update account"
	tag, err := s.pool.Exec(ctx, `UPDATE accounts
		SET tier = $1, password_hash = $2, admin = $3, disabled = $4, updated_at = $5
		WHERE id = $6`,
		string(a.Tier), a.PasswordHash, a.Admin, a.Disabled, nanos(a.UpdatedAt), a.ID)
	if err := mustChange(op, fmt.Sprintf("account %d", a.ID), tag, err); err != nil {
		return ferry.Wrap(ferry.CodeDatabaseUnavailable, op, err)
	}
	return nil
}

// CreateToken stores a session. A taken hash is CodeAlreadyExists, an
// unknown account CodeNotFound.
func (s *Store) CreateToken(ctx context.Context, t *ferry.Token) error {
	const op = "meta/postgres: create token"
	_, err := s.pool.Exec(ctx, `INSERT INTO tokens (hash, account_id, created_at, expires_at) VALUES ($1, $2, $3, $4)`,
		t.Hash, t.AccountID, nanos(t.CreatedAt), nanos(t.ExpiresAt))
	if err != nil {
		return insertErr(op, err)
	}
	return nil
}

// Token returns the session whose hash is given, expired or not.
func (s *Store) Token(ctx context.Context, hash []byte) (*ferry.Token, error) {
	const op = "meta/postgres: token"
	var (
		t                ferry.Token
		created, expires int64
	)
	err := s.pool.QueryRow(ctx, `SELECT hash, account_id, created_at, expires_at FROM tokens WHERE hash = $1`, hash).
		Scan(&t.Hash, &t.AccountID, &created, &expires)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, notFound(op, err)
	}
	if err != nil {
		return nil, dbErr(op, err)
	}
	t.CreatedAt, t.ExpiresAt = fromNanos(created), fromNanos(expires)
	return &t, nil
}

const sessionSQL = `SELECT t.hash, t.account_id, t.created_at, t.expires_at,
	a.id, a.username, a.tier, a.password_hash, a.admin, a.disabled, a.created_at, a.updated_at
	FROM tokens t JOIN accounts a ON a.id = t.account_id WHERE t.hash = $1`

// Session returns the session whose hash is given, expired or not, and its
// account, in one query: what authenticating a request reads.
func (s *Store) Session(ctx context.Context, hash []byte) (*ferry.Token, *ferry.Account, error) {
	const op = "meta/postgres: session"
	var (
		t                ferry.Token
		a                ferry.Account
		tier             string
		created, expires int64
		aCreated, aUpd   int64
	)
	err := s.pool.QueryRow(ctx, sessionSQL, hash).
		Scan(&t.Hash, &t.AccountID, &created, &expires,
			&a.ID, &a.Username, &tier, &a.PasswordHash, &a.Admin, &a.Disabled, &aCreated, &aUpd)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, nil, notFound(op, err)
	}
	if err != nil {
		return nil, nil, dbErr(op, err)
	}
	t.CreatedAt, t.ExpiresAt = fromNanos(created), fromNanos(expires)
	a.Tier, a.CreatedAt, a.UpdatedAt = ferry.Tier(tier), fromNanos(aCreated), fromNanos(aUpd)
	return &t, &a, nil
}

// DeleteToken removes a session; a missing one is not an error.
func (s *Store) DeleteToken(ctx context.Context, hash []byte) error {
	if _, err := s.pool.Exec(ctx, `DELETE FROM tokens WHERE hash = $1`, hash); err != nil {
		return dbErr("meta/postgres: delete token", err)
	}
	return nil
}

// DeleteExpiredTokens removes sessions that expired at or before now and
// returns how many.
func (s *Store) DeleteExpiredTokens(ctx context.Context, now time.Time) (int, error) {
	tag, err := s.pool.Exec(ctx, `DELETE FROM tokens WHERE expires_at <= $1`, nanos(now))
	if err != nil {
		return 0, dbErr("meta/postgres: delete expired tokens", err)
	}
	return int(tag.RowsAffected()), nil
}
