package postgres

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"github.com/jackc/pgx/v5"

	"github.com/ferryhq/ferry"
)

var _ ferry.RiskStore = (*Store)(nil)

// Risk returns the risk state of the account; a level-1 state with nothing
// recorded when no row is stored. One query reads the row and its events.
func (s *Store) Risk(ctx context.Context, accountID int64) (*ferry.Risk, error) {
	r, err := loadRisk(ctx, s.pool, accountID)
	if err != nil {
		return nil, dbErr("meta/postgres: risk", err)
	}
	return r, nil
}

// UpdateRisk reads, changes (fn) and writes the account's risk state in one
// transaction. It first locks the account's row (FOR NO KEY UPDATE, which
// leaves inserts that refer to the account free to proceed), so that every
// other UpdateRisk of the account, on any node, waits for it to commit and
// then reads what it wrote.
func (s *Store) UpdateRisk(ctx context.Context, accountID int64, fn func(*ferry.Risk) error) error {
	const op = "meta/postgres: update risk"
	var fnErr error
	err := s.write(ctx, op, func(tx pgx.Tx) error {
		fnErr = nil
		if err := lockAccount(ctx, tx, op, accountID); err != nil {
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

// lockAccount locks the row of account id until the transaction ends, or
// returns CodeNotFound when there is no such account. It is how one
// account's CreateTransfers and UpdateRisks exclude one another on every
// node: the lock is PostgreSQL's, not the process's.
func lockAccount(ctx context.Context, tx pgx.Tx, op string, id int64) error {
	var one int
	err := tx.QueryRow(ctx, `SELECT 1 FROM accounts WHERE id = $1 FOR NO KEY UPDATE`, id).Scan(&one)
	if errors.Is(err, pgx.ErrNoRows) {
		return notFound(op, fmt.Errorf("account %d does not exist", id))
	}
	return err
}

// querier is the pool or a transaction.
type querier interface {
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
}

// loadRisk reads the risk row and the events of an account, in one query:
// the row, repeated beside each event, or once with no event.
func loadRisk(ctx context.Context, q querier, accountID int64) (*ferry.Risk, error) {
	r := &ferry.Risk{AccountID: accountID, Level: ferry.RiskNormal}
	rows, err := q.Query(ctx, `SELECT r.failed_logins, r.level, r.level_since, r.totp_secret, r.totp_confirmed,
		r.totp_last_step, e.kind, e.at
		FROM account_risk r LEFT JOIN risk_events e ON e.account_id = r.account_id
		WHERE r.account_id = $1 ORDER BY e.position`, accountID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var (
			since int64
			kind  *string
			at    *int64
		)
		if err := rows.Scan(&r.FailedLogins, &r.Level, &since, &r.TOTPSecret, &r.TOTPConfirmed, &r.TOTPLastStep,
			&kind, &at); err != nil {
			return nil, err
		}
		r.LevelSince = fromNanos(since)
		if kind != nil && at != nil {
			r.Events = append(r.Events, ferry.RiskEvent{Kind: *kind, At: fromNanos(*at)})
		}
	}
	return r, rows.Err()
}

// storeRisk writes r over what is stored: the row, and its events as a
// whole, in one round trip.
func storeRisk(ctx context.Context, tx pgx.Tx, r *ferry.Risk) error {
	b := &pgx.Batch{}
	b.Queue(`INSERT INTO account_risk
		(account_id, failed_logins, level, level_since, totp_secret, totp_confirmed, totp_last_step)
		VALUES ($1, $2, $3, $4, $5, $6, $7)
		ON CONFLICT (account_id) DO UPDATE SET
			failed_logins = excluded.failed_logins, level = excluded.level, level_since = excluded.level_since,
			totp_secret = excluded.totp_secret, totp_confirmed = excluded.totp_confirmed,
			totp_last_step = excluded.totp_last_step`,
		r.AccountID, r.FailedLogins, r.Level, nanos(r.LevelSince), r.TOTPSecret, r.TOTPConfirmed, r.TOTPLastStep)
	b.Queue(`DELETE FROM risk_events WHERE account_id = $1`, r.AccountID)
	for i, e := range r.Events {
		b.Queue(`INSERT INTO risk_events (account_id, position, kind, at) VALUES ($1, $2, $3, $4)`,
			r.AccountID, i, e.Kind, nanos(e.At))
	}
	return tx.SendBatch(ctx, b).Close()
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
