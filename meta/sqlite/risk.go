package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"

	"github.com/ferryhq/ferry"
)

var _ ferry.RiskStore = (*Store)(nil)

// Risk returns the risk state of the account; a level-1 state with nothing
// recorded when no row is stored. One query reads the row and its events.
func (s *Store) Risk(ctx context.Context, accountID int64) (*ferry.Risk, error) {
	const op = "meta/sqlite: risk"
	var r *ferry.Risk
	err := s.readOne(op, func(db *stmtCache) error {
		var err error
		r, err = loadRisk(ctx, db, accountID)
		return err
	})
	return r, err
}

// UpdateRisk reads, changes (fn) and writes the account's risk state in one
// write transaction. The single writer connection, and BEGIN IMMEDIATE for
// other processes, serialise it with every other write.
func (s *Store) UpdateRisk(ctx context.Context, accountID int64, fn func(*ferry.Risk) error) error {
	const op = "meta/sqlite: update risk"
	var fnErr error
	err := s.write(ctx, op, func(tx *txn) error {
		var one int
		err := tx.QueryRowContext(ctx, `SELECT 1 FROM accounts WHERE id = ?`, accountID).Scan(&one)
		if errors.Is(err, sql.ErrNoRows) {
			return notFound(op, fmt.Errorf("account %d does not exist", accountID))
		}
		if err != nil {
			return err
		}
		r, err := loadRisk(ctx, tx, accountID)
		if err != nil {
			return err
		}
		before := *r
		before.Events = slices.Clone(r.Events)
		if fnErr = fn(r); fnErr != nil {
			return fnErr
		}
		r.AccountID = accountID
		if sameRisk(&before, r) {
			return nil
		}
		return storeRisk(ctx, tx, r)
	})
	if fnErr != nil {
		return fnErr
	}
	return err
}

// querier is a pool's statements or a transaction.
type querier interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
}

// loadRisk reads the risk row and the events of an account, in one query:
// the row, repeated beside each event, or once with no event.
func loadRisk(ctx context.Context, q querier, accountID int64) (*ferry.Risk, error) {
	r := &ferry.Risk{AccountID: accountID, Level: ferry.RiskNormal}
	rows, err := q.QueryContext(ctx, `SELECT r.failed_logins, r.level, r.level_since, r.totp_secret, r.totp_confirmed,
		r.totp_last_step, e.kind, e.at
		FROM account_risk r LEFT JOIN risk_events e ON e.account_id = r.account_id
		WHERE r.account_id = ? ORDER BY e.position`, accountID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var (
			since int64
			kind  sql.NullString
			at    sql.NullInt64
		)
		if err := rows.Scan(&r.FailedLogins, &r.Level, &since, &r.TOTPSecret, &r.TOTPConfirmed, &r.TOTPLastStep,
			&kind, &at); err != nil {
			return nil, err
		}
		r.LevelSince = fromNanos(since)
		if kind.Valid {
			r.Events = append(r.Events, ferry.RiskEvent{Kind: kind.String, At: fromNanos(at.Int64)})
		}
	}
	return r, rows.Err()
}

// storeRisk writes r over what is stored: the row, and its events as a
// whole.
func storeRisk(ctx context.Context, tx *txn, r *ferry.Risk) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO account_risk
		(account_id, failed_logins, level, level_since, totp_secret, totp_confirmed, totp_last_step)
		VALUES (?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (account_id) DO UPDATE SET
			failed_logins = excluded.failed_logins, level = excluded.level, level_since = excluded.level_since,
			totp_secret = excluded.totp_secret, totp_confirmed = excluded.totp_confirmed,
			totp_last_step = excluded.totp_last_step`,
		r.AccountID, r.FailedLogins, r.Level, nanos(r.LevelSince), r.TOTPSecret, r.TOTPConfirmed, r.TOTPLastStep)
	if err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM risk_events WHERE account_id = ?`, r.AccountID); err != nil {
		return err
	}
	for i, e := range r.Events {
		if _, err := tx.ExecContext(ctx, `INSERT INTO risk_events (account_id, position, kind, at) VALUES (?, ?, ?, ?)`,
			r.AccountID, i, e.Kind, nanos(e.At)); err != nil {
			return err
		}
	}
	return nil
}

// sameRisk reports whether a and b would be stored alike, so that an
// update that changes nothing writes nothing.
func sameRisk(a, b *ferry.Risk) bool {
	return a.FailedLogins == b.FailedLogins && a.Level == b.Level && nanos(a.LevelSince) == nanos(b.LevelSince) &&
		a.TOTPSecret == b.TOTPSecret && a.TOTPConfirmed == b.TOTPConfirmed && a.TOTPLastStep == b.TOTPLastStep &&
		slices.EqualFunc(a.Events, b.Events, func(x, y ferry.RiskEvent) bool {
			return x.Kind == y.Kind && nanos(x.At) == nanos(y.At)
		})
}
