package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/ferryhq/ferry"
)

// CreateTransfer inserts t and its recipients after check accepted the
// sender's usage, all in one write transaction. BEGIN IMMEDIATE takes
// SQLite's single write lock before the usage is read, so no other write —
// in particular no other CreateTransfer for the same sender, in this process
// or another — can come between the check and the insert. When check fails
// nothing is written and its error is returned unchanged.
func (s *Store) CreateTransfer(ctx context.Context, t *ferry.Transfer, check func(ferry.Usage) error) error {
	const op = "meta/sqlite: create transfer"
	var checkErr error
	err := s.write(ctx, op, func(tx *sql.Tx) error {
		if check != nil {
			u, err := usage(ctx, tx, t.SenderID, t.CreatedAt)
			if err != nil {
				return err
			}
			if err := check(u); err != nil {
				checkErr = err
				return err
			}
		}
		return insertTransfer(ctx, tx, op, t)
	})
	if checkErr != nil {
		return checkErr
	}
	return err
}

// Usage returns what the account holds and has sent within UsageWindow
// before now.
func (s *Store) Usage(ctx context.Context, accountID int64, now time.Time) (ferry.Usage, error) {
	var u ferry.Usage
	err := s.read(ctx, "meta/sqlite: usage", func(tx *sql.Tx) error {
		var err error
		u, err = usage(ctx, tx, accountID, now)
		return err
	})
	return u, err
}

// usage computes the Usage of account as of at: the size of its live
// transfers, and its transfers created in (at-UsageWindow, at], oldest
// first.
func usage(ctx context.Context, tx *sql.Tx, account int64, at time.Time) (ferry.Usage, error) {
	var u ferry.Usage
	err := tx.QueryRowContext(ctx, `SELECT COALESCE(SUM(size), 0) FROM transfers
		WHERE sender_id = ? AND state IN `+inStates(ferry.LiveStates...), account).Scan(&u.StorageBytes)
	if err != nil {
		return u, err
	}
	rows, err := tx.QueryContext(ctx, `SELECT created_at, size, state, network,
		COALESCE(json_extract(error, '$.code'), 0) FROM transfers
		WHERE sender_id = ? AND created_at > ? AND created_at <= ?
		ORDER BY created_at, id`, account, at.Add(-ferry.UsageWindow).UnixNano(), at.UnixNano())
	if err != nil {
		return u, err
	}
	defer rows.Close()
	for rows.Next() {
		var (
			sent    ferry.Sent
			created int64
			state   string
		)
		if err := rows.Scan(&created, &sent.Size, &state, &sent.Network, &sent.Code); err != nil {
			return u, err
		}
		sent.CreatedAt, sent.State = fromNanos(created), ferry.State(state)
		u.Recent = append(u.Recent, sent)
	}
	return u, rows.Err()
}

// Transfer returns the transfer with its recipients and sender name.
func (s *Store) Transfer(ctx context.Context, id string) (*ferry.Transfer, error) {
	const op = "meta/sqlite: transfer"
	var t *ferry.Transfer
	err := s.read(ctx, op, func(tx *sql.Tx) error {
		ts, err := queryTransfers(ctx, tx, transferSelect+` WHERE t.id = ?`, id)
		if err != nil {
			return err
		}
		if len(ts) == 0 {
			return notFound(op, fmt.Errorf("transfer %q", id))
		}
		t = ts[0]
		return nil
	})
	return t, err
}

// UpdateTransfer stores every mutable field of t provided its stored state
// is one of from (any when from is empty).
func (s *Store) UpdateTransfer(ctx context.Context, t *ferry.Transfer, from ...ferry.State) error {
	const op = "meta/sqlite: update transfer"
	return s.write(ctx, op, func(tx *sql.Tx) error {
		return updateTransfer(ctx, tx, op, t, from)
	})
}

// updateTransfer is the compare-and-set of UpdateTransfer, inside a write
// transaction: the state it reads cannot change before the UPDATE.
func updateTransfer(ctx context.Context, tx *sql.Tx, op string, t *ferry.Transfer, from []ferry.State) error {
	var cur string
	err := tx.QueryRowContext(ctx, `SELECT state FROM transfers WHERE id = ?`, t.ID).Scan(&cur)
	if errors.Is(err, sql.ErrNoRows) {
		return notFound(op, fmt.Errorf("transfer %q: %w", t.ID, err))
	}
	if err != nil {
		return err
	}
	if len(from) > 0 && !slices.Contains(from, ferry.State(cur)) {
		return ferry.E(ferry.CodeStateConflict).WithOp(op).With("state", cur).
			WithErr(fmt.Errorf("transfer %q is %s, not one of %v", t.ID, cur, from))
	}
	args, err := mutableArgs(t)
	if err != nil {
		return err
	}
	_, err = tx.ExecContext(ctx, updateTransferSQL, append(args, t.ID)...)
	return err
}

// UpdateRecipient stores r's status and times for transfer id. A transfer
// that does not exist or is not addressed to r.AccountID is CodeNotFound.
func (s *Store) UpdateRecipient(ctx context.Context, id string, r *ferry.Recipient) error {
	const op = "meta/sqlite: update recipient"
	return s.write(ctx, op, func(tx *sql.Tx) error {
		status := r.Status
		if status == "" {
			status = ferry.RecipientPending
		}
		res, err := tx.ExecContext(ctx, `UPDATE recipients SET status = ?, decided_at = ?, downloaded_at = ?
			WHERE transfer_id = ? AND account_id = ?`,
			string(status), nanos(r.DecidedAt), nanos(r.DownloadedAt), id, r.AccountID)
		return mustChange(op, fmt.Sprintf("transfer %q, recipient %d", id, r.AccountID), res, err)
	})
}
