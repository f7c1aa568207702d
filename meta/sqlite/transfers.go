package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/ferryhq/ferry"
	"github.com/ferryhq/ferry/meta/internal/sqlstore"
)

// CreateTransfer inserts t and its recipients after check accepted the
// sender's usage, all in one write transaction. BEGIN IMMEDIATE takes
// SQLite's single write lock before the usage is read, so no other write —
// in particular no other CreateTransfer for the same sender, in this process
// or another — can come between the check and the insert. When check fails
// nothing is written and its error is returned unchanged.
func (s *Store) CreateTransfer(ctx context.Context, t *ferry.Transfer, spans ferry.UsageSpans, check func(ferry.Usage) error) error {
	const op = "meta/sqlite: create transfer"
	var checkErr error
	err := s.write(ctx, op, func(tx *txn) error {
		var pl *placement
		if check != nil {
			u, p, err := usage(ctx, tx, t.SenderID, t.CreatedAt, spans)
			if err != nil {
				return err
			}
			if err := check(u); err != nil {
				checkErr = err
				return err
			}
			pl = &p
		}
		return insertTransfer(ctx, tx, op, t, pl)
	})
	if checkErr != nil {
		return checkErr
	}
	return err
}

// Usage returns what the account holds and has sent within UsageWindow
// before now, and the counts over spans.
func (s *Store) Usage(ctx context.Context, accountID int64, now time.Time, spans ferry.UsageSpans) (ferry.Usage, error) {
	var u ferry.Usage
	err := s.read(ctx, "meta/sqlite: usage", func(tx *txn) error {
		var err error
		u, _, err = usage(ctx, tx, accountID, now, spans)
		return err
	})
	return u, err
}

// usage computes the Usage of account as of at: the size of its live
// transfers (index transfers_sender_state); those created in
// (at-UsageWindow, at] that count, oldest first (the partial index
// transfers_sender_counting holds no rejected or recalled one); how many
// were created within spans.Burst, by two lookups of sender_rank; and the
// networks of spans.Networks, from sender_networks. None of it reads the
// transfers that no longer count, however many the sender made. It also
// returns where a transfer created at at goes among the account's (see
// insertTransfer).
func usage(ctx context.Context, tx *txn, account int64, at time.Time, spans ferry.UsageSpans) (ferry.Usage, placement, error) {
	u := ferry.Usage{Counted: &ferry.Counted{Spans: spans}}
	var (
		p               placement
		rankFrom, first int64
		now, from       = nanos(at), at.Add(-spans.Burst).UnixNano()
	)
	err := tx.QueryRowContext(ctx, figuresSQL, account, now, from).Scan(&u.StorageBytes, &p.rank, &rankFrom, &first, &p.later)
	if err != nil {
		return u, p, err
	}
	if spans.Burst > 0 {
		u.Counted.Created, u.Counted.FirstCreated = int(p.rank-rankFrom), fromNanos(first)
	}
	if p.later {
		var latest int64
		if err := tx.QueryRowContext(ctx, `SELECT MAX(created_at) FROM transfers WHERE sender_id = ?`, account).Scan(&latest); err != nil {
			return u, p, err
		}
		u.Latest = fromNanos(latest)
	}
	if u.Recent, err = counting(ctx, tx, account, at); err != nil {
		return u, p, err
	}
	if spans.Networks > 0 {
		if u.Counted.Networks, err = networks(ctx, tx, account, at, spans.Networks); err != nil {
			return u, p, err
		}
	}
	return u, p, nil
}

// figuresSQL reads, in one statement of index lookups, for sender ?1, now
// ?2 and the start of the burst span ?3: the size of its live transfers,
// how many it created up to now and up to ?3, when the first of those
// since ?3 was, and whether any was created after now.
var figuresSQL = `SELECT
	(SELECT COALESCE(SUM(size), 0) FROM transfers WHERE sender_id = ?1 AND state IN ` + inStates(ferry.LiveStates...) + `),
	` + rankAt("?2") + `, ` + rankAt("?3") + `,
	COALESCE((SELECT created_at FROM transfers WHERE sender_id = ?1 AND created_at > ?3 AND created_at <= ?2
		ORDER BY created_at LIMIT 1), 0),
	EXISTS (SELECT 1 FROM transfers WHERE sender_id = ?1 AND created_at > ?2)`

// rankAt is the SQL of how many transfers the sender ?1 created up to the
// moment arg: the sender_rank of the last of them (transfers_sender_rank).
func rankAt(arg string) string {
	return `COALESCE((SELECT sender_rank FROM transfers WHERE sender_id = ?1 AND created_at <= ` + arg + `
		ORDER BY created_at DESC, sender_rank DESC LIMIT 1), 0)`
}

// placement is where a new transfer goes among its sender's: after the
// rank transfers created up to its CreatedAt; later tells whether any was
// created after it.
type placement struct {
	rank  int64
	later bool
}

// countingSQL lists sender ?1's transfers created in (?2, ?3] that are not
// rejected or recalled. The state test is the partial index's, so that
// SQLite can use it.
const countingSQL = `SELECT created_at, size, state, network,
	COALESCE(json_extract(error, '$.code'), 0) FROM transfers INDEXED BY transfers_sender_counting
	WHERE sender_id = ? AND created_at > ? AND created_at <= ? AND state NOT IN ('rejected', 'recalled')
	ORDER BY created_at`

// counting returns account's transfers created in (at-UsageWindow, at] that
// count towards its volume, oldest first.
func counting(ctx context.Context, tx *txn, account int64, at time.Time) ([]ferry.Sent, error) {
	rows, err := tx.QueryContext(ctx, countingSQL, account, at.Add(-ferry.UsageWindow).UnixNano(), at.UnixNano())
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []ferry.Sent
	for rows.Next() {
		var (
			sent    ferry.Sent
			created int64
			state   string
		)
		if err := rows.Scan(&created, &sent.Size, &state, &sent.Network, &sent.Code); err != nil {
			return nil, err
		}
		sent.CreatedAt, sent.State = fromNanos(created), ferry.State(state)
		if sent.Counts() { // not an abandoned upload
			out = append(out, sent)
		}
	}
	return out, rows.Err()
}

// networksSQL lists the networks sender ?1 created a transfer from after ?2,
// with the latest creation from each (sender_networks_last).
const networksSQL = `SELECT network, last_created_at FROM sender_networks
	WHERE account_id = ? AND last_created_at > ?`

// networkInSpanSQL tells whether sender ?1 created a transfer in (?2, ?3]
// from network ?4.
const networkInSpanSQL = `SELECT EXISTS (SELECT 1 FROM transfers
	WHERE sender_id = ? AND created_at > ? AND created_at <= ? AND network = ?)`

// networks returns the distinct networks of account's transfers created in
// (at-span, at], sorted. sender_networks knows the latest creation from
// each network; one later than at (a node whose clock is ahead) is looked
// up in the transfers of the span.
func networks(ctx context.Context, tx *txn, account int64, at time.Time, span time.Duration) ([]string, error) {
	from, to := at.Add(-span).UnixNano(), at.UnixNano()
	rows, err := tx.QueryContext(ctx, networksSQL, account, from)
	if err != nil {
		return nil, err
	}
	var nets, later []string
	for rows.Next() {
		var (
			net  string
			last int64
		)
		if err := rows.Scan(&net, &last); err != nil {
			rows.Close()
			return nil, err
		}
		if last <= to {
			nets = append(nets, net)
		} else {
			later = append(later, net)
		}
	}
	err = rows.Err()
	rows.Close()
	if err != nil {
		return nil, err
	}
	for _, net := range later {
		var in bool
		err := tx.QueryRowContext(ctx, networkInSpanSQL, account, from, to, net).Scan(&in)
		if err != nil {
			return nil, err
		}
		if in {
			nets = append(nets, net)
		}
	}
	slices.Sort(nets)
	return nets, nil
}

// Transfer returns the transfer with its recipients and sender name.
// It is one query (a row for each recipient), so it needs no transaction.
func (s *Store) Transfer(ctx context.Context, id string) (*ferry.Transfer, error) {
	const op = "meta/sqlite: transfer"
	var t *ferry.Transfer
	err := s.readOne(op, func(db *stmtCache) error {
		rows, err := db.QueryContext(ctx, transferByIDSQL, id)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var (
				r                 ferry.Recipient
				account           sql.NullInt64
				name, status      sql.NullString
				decided, download sql.NullInt64
			)
			tr, err := sqlstore.ScanTransfer(rows, &account, &name, &status, &decided, &download)
			if err != nil {
				return err
			}
			if t == nil {
				t = tr
			}
			if account.Valid {
				r.AccountID, r.Username, r.Status = account.Int64, name.String, ferry.RecipientStatus(status.String)
				r.DecidedAt, r.DownloadedAt = fromNanos(decided.Int64), fromNanos(download.Int64)
				t.Recipients = append(t.Recipients, r)
			}
		}
		if err := rows.Err(); err != nil {
			return err
		}
		if t == nil {
			return notFound(op, fmt.Errorf("transfer %q", id))
		}
		return nil
	})
	return t, err
}

// UpdateTransfer stores every mutable field of t provided its stored state
// is one of from (any when from is empty).
func (s *Store) UpdateTransfer(ctx context.Context, t *ferry.Transfer, from ...ferry.State) error {
	const op = "meta/sqlite: update transfer"
	return s.write(ctx, op, func(tx *txn) error {
		return updateTransfer(ctx, tx, op, t, from)
	})
}

// updateTransfer is the compare-and-set of UpdateTransfer, inside a write
// transaction: the state it reads cannot change before the UPDATE.
func updateTransfer(ctx context.Context, tx *txn, op string, t *ferry.Transfer, from []ferry.State) error {
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
	return s.write(ctx, op, func(tx *txn) error {
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
