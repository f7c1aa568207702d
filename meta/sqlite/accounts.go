package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/ferryhq/ferry"
	"github.com/ferryhq/ferry/meta/internal/sqlstore"
)

// scanner is a *sql.Row or *sql.Rows.
type scanner = sqlstore.Scanner

// CreateAccount inserts a and sets a.ID. A taken username is
// CodeAlreadyExists.
func (s *Store) CreateAccount(ctx context.Context, a *ferry.Account) error {
	const op = "meta/sqlite: create account"
	var id int64
	err := s.write(ctx, op, func(tx *txn) error {
		res, err := tx.ExecContext(ctx, `INSERT INTO accounts
			(username, tier, password_hash, admin, disabled, created_at, updated_at)
			VALUES (?, ?, ?, ?, ?, ?, ?)`,
			a.Username, string(a.Tier), a.PasswordHash, a.Admin, a.Disabled, nanos(a.CreatedAt), nanos(a.UpdatedAt))
		if err != nil {
			return insertErr(op, fmt.Errorf("account %q: %w", a.Username, err))
		}
		id, err = res.LastInsertId()
		return err
	})
	if err != nil {
		return err
	}
	a.ID = id
	return nil
}

// Account returns the account with that username.
func (s *Store) Account(ctx context.Context, username string) (*ferry.Account, error) {
	return s.account(ctx, "meta/sqlite: account", `SELECT `+sqlstore.AccountCols+` FROM accounts WHERE username = ?`, username)
}

// AccountByID returns the account with that ID.
func (s *Store) AccountByID(ctx context.Context, id int64) (*ferry.Account, error) {
	return s.account(ctx, "meta/sqlite: account by id", `SELECT `+sqlstore.AccountCols+` FROM accounts WHERE id = ?`, id)
}

func (s *Store) account(ctx context.Context, op, query string, arg any) (*ferry.Account, error) {
	var a *ferry.Account
	err := s.readOne(op, func(db *stmtCache) error {
		var err error
		a, err = sqlstore.ScanAccount(db.QueryRowContext(ctx, query, arg))
		if errors.Is(err, sql.ErrNoRows) {
			return notFound(op, err)
		}
		return err
	})
	return a, err
}

// Accounts lists all accounts ordered by username.
func (s *Store) Accounts(ctx context.Context) ([]*ferry.Account, error) {
	const op = "meta/sqlite: accounts"
	var as []*ferry.Account
	err := s.read(ctx, op, func(tx *txn) error {
		rows, err := tx.QueryContext(ctx, `SELECT `+sqlstore.AccountCols+` FROM accounts ORDER BY username`)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			a, err := sqlstore.ScanAccount(rows)
			if err != nil {
				return err
			}
			as = append(as, a)
		}
		return rows.Err()
	})
	return as, err
}

// UpdateAccount stores a's tier, password hash, admin and disabled flags and
// UpdatedAt. An unknown account is CodeNotFound.
func (s *Store) UpdateAccount(ctx context.Context, a *ferry.Account) error {
	const op = "meta/sqlite: update account"
	return s.write(ctx, op, func(tx *txn) error {
		res, err := tx.ExecContext(ctx, `UPDATE accounts
			SET tier = ?, password_hash = ?, admin = ?, disabled = ?, updated_at = ?
			WHERE id = ?`,
			string(a.Tier), a.PasswordHash, a.Admin, a.Disabled, nanos(a.UpdatedAt), a.ID)
		return mustChange(op, fmt.Sprintf("account %d", a.ID), res, err)
	})
}

// mustChange turns an UPDATE that matched no row, of what, into
// CodeNotFound.
func mustChange(op, what string, res sql.Result, err error) error {
	if err != nil {
		return err
	}
	n, err := res.RowsAffected()
	if err != nil {
		return err
	}
	if n == 0 {
		return notFound(op, errors.New(what+" does not exist"))
	}
	return nil
}

// CreateToken stores a session. A taken hash is CodeAlreadyExists, an
// unknown account CodeNotFound.
func (s *Store) CreateToken(ctx context.Context, t *ferry.Token) error {
	const op = "meta/sqlite: create token"
	return s.write(ctx, op, func(tx *txn) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO tokens (hash, account_id, created_at, expires_at) VALUES (?, ?, ?, ?)`,
			t.Hash, t.AccountID, nanos(t.CreatedAt), nanos(t.ExpiresAt))
		if err != nil {
			return insertErr(op, err)
		}
		return nil
	})
}

// Token returns the session whose hash is given, expired or not.
func (s *Store) Token(ctx context.Context, hash []byte) (*ferry.Token, error) {
	const op = "meta/sqlite: token"
	var t *ferry.Token
	err := s.readOne(op, func(db *stmtCache) error {
		var created, expires int64
		t = &ferry.Token{}
		err := db.QueryRowContext(ctx, `SELECT hash, account_id, created_at, expires_at FROM tokens WHERE hash = ?`, hash).
			Scan(&t.Hash, &t.AccountID, &created, &expires)
		if errors.Is(err, sql.ErrNoRows) {
			return notFound(op, err)
		}
		t.CreatedAt, t.ExpiresAt = fromNanos(created), fromNanos(expires)
		return err
	})
	if err != nil {
		return nil, err
	}
	return t, nil
}

const sessionSQL = `SELECT t.hash, t.account_id, t.created_at, t.expires_at,
	a.id, a.username, a.tier, a.password_hash, a.admin, a.disabled, a.created_at, a.updated_at
	FROM tokens t JOIN accounts a ON a.id = t.account_id WHERE t.hash = ?`

// Session returns the session whose hash is given, expired or not, and its
// account, in one query: what authenticating a request reads.
func (s *Store) Session(ctx context.Context, hash []byte) (*ferry.Token, *ferry.Account, error) {
	const op = "meta/sqlite: session"
	var (
		t                ferry.Token
		a                ferry.Account
		tier             string
		created, expires int64
		aCreated, aUpd   int64
	)
	err := s.readOne(op, func(db *stmtCache) error {
		err := db.QueryRowContext(ctx, sessionSQL, hash).
			Scan(&t.Hash, &t.AccountID, &created, &expires,
				&a.ID, &a.Username, &tier, &a.PasswordHash, &a.Admin, &a.Disabled, &aCreated, &aUpd)
		if errors.Is(err, sql.ErrNoRows) {
			return notFound(op, err)
		}
		return err
	})
	if err != nil {
		return nil, nil, err
	}
	t.CreatedAt, t.ExpiresAt = fromNanos(created), fromNanos(expires)
	a.Tier, a.CreatedAt, a.UpdatedAt = ferry.Tier(tier), fromNanos(aCreated), fromNanos(aUpd)
	return &t, &a, nil
}

// DeleteToken removes a session; a missing one is not an error.
func (s *Store) DeleteToken(ctx context.Context, hash []byte) error {
	return s.write(ctx, "meta/sqlite: delete token", func(tx *txn) error {
		_, err := tx.ExecContext(ctx, `DELETE FROM tokens WHERE hash = ?`, hash)
		return err
	})
}

// DeleteExpiredTokens removes sessions that expired at or before now and
// returns how many.
func (s *Store) DeleteExpiredTokens(ctx context.Context, now time.Time) (int, error) {
	var n int64
	err := s.write(ctx, "meta/sqlite: delete expired tokens", func(tx *txn) error {
		res, err := tx.ExecContext(ctx, `DELETE FROM tokens WHERE expires_at <= ?`, nanos(now))
		if err != nil {
			return err
		}
		n, err = res.RowsAffected()
		return err
	})
	return int(n), err
}
