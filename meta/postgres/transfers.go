package postgres

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/ferryhq/ferry"
	"github.com/ferryhq/ferry/meta/internal/sqlstore"
)

// CreateTransfer inserts t and its recipients after check accepted the
// sender's usage, all in one transaction. The transaction first locks the
// sender's account row, so every other CreateTransfer for the same sender,
// on any node, waits until this one has committed or rolled back; and as
// it runs at READ COMMITTED, each statement after the lock sees what the
// one before committed. When check fails nothing is written and its error
// is returned unchanged.
//
// What can change between the statements that read the usage is only
// what no create writes: an UpdateTransfer moving one of the sender's
// transfers on. A transfer only ever leaves the live and the counting
// states, so check may then see a little less usage than a moment before,
// never more than there is.
func (s *Store) CreateTransfer(ctx context.Context, t *ferry.Transfer, spans ferry.UsageSpans, check func(ferry.Usage) error) error {
	const op = "meta/postgres: create transfer"
	var checkErr error
	err := s.write(ctx, op, func(tx pgx.Tx) error {
		checkErr = nil
		if err := lockAccount(ctx, tx, op, t.SenderID); err != nil {
			return err
		}
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
// before now, and the counts over spans, from one snapshot.
func (s *Store) Usage(ctx context.Context, accountID int64, now time.Time, spans ferry.UsageSpans) (ferry.Usage, error) {
	var u ferry.Usage
	err := s.read(ctx, "meta/postgres: usage", func(tx pgx.Tx) error {
		var err error
		u, _, err = usage(ctx, tx, accountID, now, spans)
		return err
	})
	return u, err
}

// usage computes the Usage of account as of at, as meta/sqlite does: the
// size of its live transfers (the partial index transfers_sender_live);
// those created in (at-UsageWindow, at] that count, oldest first
// (transfers_sender_counting holds no rejected or recalled one); how many
// were created within spans.Burst, by two lookups of sender_rank; and the
// networks of spans.Networks, from sender_networks. None of it reads the
// transfers that no longer count, however many the sender made. It also
// returns where a transfer created at at goes among the account's (see
// insertTransfer).
func usage(ctx context.Context, tx pgx.Tx, account int64, at time.Time, spans ferry.UsageSpans) (ferry.Usage, placement, error) {
	u := ferry.Usage{Counted: &ferry.Counted{Spans: spans}}
	var (
		p               placement
		rankFrom, first int64
		now, from       = nanos(at), at.Add(-spans.Burst).UnixNano()
	)
	err := tx.QueryRow(ctx, figuresSQL, account, now, from).Scan(&u.StorageBytes, &p.rank, &rankFrom, &first, &p.later)
	if err != nil {
		return u, p, err
	}
	if spans.Burst > 0 {
		u.Counted.Created, u.Counted.FirstCreated = int(p.rank-rankFrom), fromNanos(first)
	}
	if p.later {
		var latest int64
		if err := tx.QueryRow(ctx, `SELECT MAX(created_at) FROM transfers WHERE sender_id = $1`, account).Scan(&latest); err != nil {
			return u, p, err
		}
		u.Latest = fromNanos(latest)
	}
	if u.Recent, err = counting(ctx, tx, account, at); err != nil {
		return u, p, err
	}
	if spans.Networks > 0 {
		if u.Counted.Networks, p.nets, err = networks(ctx, tx, account, at, spans.Networks); err != nil {
			return u, p, err
		}
	}
	return u, p, nil
}

// figuresSQL reads, in one statement of index lookups, for sender $1, now
// $2 and the start of the burst span $3: the size of its live transfers,
// how many it created up to now and up to $3, when the first of those
// since $3 was, and whether any was created after now.
var figuresSQL = `SELECT
	(SELECT COALESCE(SUM(size), 0) FROM transfers WHERE sender_id = $1 AND state IN ` + inStates(ferry.LiveStates...) + `)::bigint,
	` + rankAt("$2") + `, ` + rankAt("$3") + `,
	COALESCE((SELECT created_at FROM transfers WHERE sender_id = $1 AND created_at > $3 AND created_at <= $2
		ORDER BY created_at LIMIT 1), 0),
	EXISTS (SELECT 1 FROM transfers WHERE sender_id = $1 AND created_at > $2)`

// rankAt is the SQL of how many transfers the sender $1 created up to the
// moment arg: the sender_rank of the last of them, read from the index
// transfers_sender_created alone.
func rankAt(arg string) string {
	return `COALESCE((SELECT sender_rank FROM transfers WHERE sender_id = $1 AND created_at <= ` + arg + `
		ORDER BY created_at DESC, sender_rank DESC LIMIT 1), 0)`
}

// placement is where a new transfer goes among its sender's: after the
// rank transfers created up to its CreatedAt; later tells whether any was
// created after it. nets are the rows of sender_networks that usage read.
type placement struct {
	rank  int64
	later bool
	nets  []netLast
}

// netCurrent reports whether the row of network net that usage read already
// keeps the promise of networkLag for a transfer created at created.
func (p *placement) netCurrent(net string, created int64) bool {
	for _, r := range p.nets {
		if r.net == net {
			return created < r.last+int64(networkLag)
		}
	}
	return false
}

// countingSQL lists sender $1's transfers created in ($2, $3] that are not
// rejected or recalled, in the words of the partial index
// transfers_sender_counting.
const countingSQL = `SELECT created_at, size, state, network, error_code FROM transfers
	WHERE sender_id = $1 AND created_at > $2 AND created_at <= $3 AND state NOT IN ('rejected', 'recalled')
	ORDER BY created_at`

// counting returns account's transfers created in (at-UsageWindow, at] that
// count towards its volume, oldest first.
func counting(ctx context.Context, tx pgx.Tx, account int64, at time.Time) ([]ferry.Sent, error) {
	rows, err := tx.Query(ctx, countingSQL, account, at.Add(-ferry.UsageWindow).UnixNano(), at.UnixNano())
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
			code    int32
		)
		if err := rows.Scan(&created, &sent.Size, &state, &sent.Network, &code); err != nil {
			return nil, err
		}
		sent.CreatedAt, sent.State, sent.Code = fromNanos(created), ferry.State(state), ferry.Code(code)
		if sent.Counts() { // not an abandoned upload
			out = append(out, sent)
		}
	}
	return out, rows.Err()
}

// networkLag bounds how far behind sender_networks.last_created_at may be:
// every transfer of an account from a network was created before the
// network's last_created_at + networkLag, as in meta/sqlite (see there).
// It may be raised in a later release, never lowered.
const networkLag = time.Second

// networksSQL lists the networks sender $1 created a transfer from after
// $2, with the row's last_created_at of each (sender_networks_last).
const networksSQL = `SELECT network, last_created_at FROM sender_networks
	WHERE account_id = $1 AND last_created_at > $2`

// networkInSpanSQL tells whether sender $1 created a transfer in ($2, $3]
// from network $4.
const networkInSpanSQL = `SELECT EXISTS (SELECT 1 FROM transfers
	WHERE sender_id = $1 AND created_at > $2 AND created_at <= $3 AND network = $4)`

// netLast is a row of sender_networks as a create's usage read it.
type netLast struct {
	net  string
	last int64
}

// networks returns the distinct networks of account's transfers created in
// (at-span, at], sorted, and the rows of sender_networks it read. A row's
// last_created_at is the creation of one of the network's transfers, and
// none of them was created networkLag or more after it, so a network whose
// row says
//
//   - (from, to]: is in the span;
//   - networkLag or more before from: is not;
//   - less than networkLag before from: may have a transfer in
//     (from, last + networkLag), which is looked up;
//   - later than at (a node whose clock is ahead): is looked up in the
//     transfers of the span.
func networks(ctx context.Context, tx pgx.Tx, account int64, at time.Time, span time.Duration) ([]string, []netLast, error) {
	from, to := at.Add(-span).UnixNano(), at.UnixNano()
	rows, err := tx.Query(ctx, networksSQL, account, from-int64(networkLag))
	if err != nil {
		return nil, nil, err
	}
	read, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (netLast, error) {
		var n netLast
		err := r.Scan(&n.net, &n.last)
		return n, err
	})
	if err != nil {
		return nil, nil, err
	}
	var nets []string
	for _, r := range read {
		if r.last > from && r.last <= to {
			nets = append(nets, r.net)
			continue
		}
		until := to // r.last > to
		if r.last <= from {
			until = min(to, r.last+int64(networkLag)-1)
		}
		var in bool
		if err := tx.QueryRow(ctx, networkInSpanSQL, account, from, until, r.net).Scan(&in); err != nil {
			return nil, nil, err
		}
		if in {
			nets = append(nets, r.net)
		}
	}
	slices.Sort(nets)
	return nets, read, nil
}

// insertTransfer inserts t and its recipients, and keeps what usage counts
// with: t's sender_rank (after every transfer of its sender created up to
// t.CreatedAt; the later ones, when t comes out of order, move up one) and
// its network's latest creation, unless the row read in pl is recent
// enough (see networkLag). pl is where t goes, when the caller has just
// read it in this transaction (usage as of t.CreatedAt); nil reads it. The
// caller holds the sender's lock (lockAccount), so no other create moves
// the ranks meanwhile.
func insertTransfer(ctx context.Context, tx pgx.Tx, op string, t *ferry.Transfer, pl *placement) error {
	args, err := mutableArgs(t)
	if err != nil {
		return err
	}
	created := nanos(t.CreatedAt)
	if pl == nil {
		pl = &placement{}
		if err := tx.QueryRow(ctx, `SELECT `+rankAt("$2")+`,
			EXISTS (SELECT 1 FROM transfers WHERE sender_id = $1 AND created_at > $2)`,
			t.SenderID, created).Scan(&pl.rank, &pl.later); err != nil {
			return err
		}
	}
	b := &pgx.Batch{}
	if pl.later {
		b.Queue(`UPDATE transfers SET sender_rank = sender_rank + 1 WHERE sender_id = $1 AND created_at > $2`,
			t.SenderID, created)
	}
	args = append([]any{t.ID, t.SenderID, t.Network, t.Name, t.Size, t.DeclaredSHA256, created, pl.rank + 1}, args...)
	b.Queue(`INSERT INTO transfers (id, sender_id, network, name, size, declared_sha256, created_at,
		sender_rank, state, error, error_code, sha256, upload_offset, challenge,
		updated_at, upload_expires_at, available_at, expires_at, downloaded_at, upload_state)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20)`, args...)
	if t.Network != "" && !pl.netCurrent(t.Network, created) {
		b.Queue(`INSERT INTO sender_networks (account_id, network, last_created_at) VALUES ($1, $2, $3)
			ON CONFLICT (account_id, network)
			DO UPDATE SET last_created_at = GREATEST(sender_networks.last_created_at, excluded.last_created_at)`,
			t.SenderID, t.Network, created)
	}
	for i, r := range t.Recipients {
		status := r.Status
		if status == "" {
			status = ferry.RecipientPending
		}
		b.Queue(`INSERT INTO recipients (transfer_id, account_id, position, status, decided_at, downloaded_at)
			VALUES ($1, $2, $3, $4, $5, $6)`,
			t.ID, r.AccountID, i, string(status), nanos(r.DecidedAt), nanos(r.DownloadedAt))
	}
	if err := tx.SendBatch(ctx, b).Close(); err != nil {
		return insertErr(op, fmt.Errorf("transfer %q: %w", t.ID, err))
	}
	return nil
}

// Transfer returns the transfer with its recipients and sender name.
// It is one query (a row for each recipient), so it needs no transaction.
func (s *Store) Transfer(ctx context.Context, id string) (*ferry.Transfer, error) {
	const op = "meta/postgres: transfer"
	if textSafe(id) != id { // no transfer has such an ID
		return nil, notFound(op, fmt.Errorf("transfer %q", id))
	}
	rows, err := s.pool.Query(ctx, transferByIDSQL, id)
	if err != nil {
		return nil, dbErr(op, err)
	}
	defer rows.Close()
	var t *ferry.Transfer
	for rows.Next() {
		var (
			r                 ferry.Recipient
			account           *int64
			name, status      *string
			decided, download *int64
		)
		tr, err := sqlstore.ScanTransfer(rows, &account, &name, &status, &decided, &download)
		if err != nil {
			return nil, dbErr(op, err)
		}
		if t == nil {
			t = tr
		}
		if account != nil {
			r.AccountID, r.Username, r.Status = *account, *name, ferry.RecipientStatus(*status)
			r.DecidedAt, r.DownloadedAt = fromNanos(*decided), fromNanos(*download)
			t.Recipients = append(t.Recipients, r)
		}
	}
	if err := rows.Err(); err != nil {
		return nil, dbErr(op, err)
	}
	if t == nil {
		return nil, notFound(op, fmt.Errorf("transfer %q", id))
	}
	return t, nil
}

// UpdateTransfer stores every mutable field of t provided its stored state
// is one of from (any when from is empty).
func (s *Store) UpdateTransfer(ctx context.Context, t *ferry.Transfer, from ...ferry.State) error {
	const op = "meta/postgres: update transfer"
	return s.write(ctx, op, func(tx pgx.Tx) error {
		return updateTransfer(ctx, tx, op, t, from)
	})
}

// updateTransfer is the compare-and-set of UpdateTransfer, inside a
// transaction: one UPDATE whose WHERE clause names the states it may come
// from. At READ COMMITTED, an UPDATE that waited for another to commit
// tests the row as that one left it, so of concurrent updates from one
// state exactly one matches. Only when it changes nothing does a read tell
// a missing transfer from one in another state.
func updateTransfer(ctx context.Context, tx pgx.Tx, op string, t *ferry.Transfer, from []ferry.State) error {
	if textSafe(t.ID) != t.ID {
		return notFound(op, fmt.Errorf("transfer %q", t.ID))
	}
	args, err := mutableArgs(t)
	if err != nil {
		return err
	}
	query := updateTransferSQL
	if len(from) > 0 {
		query += ` AND state IN ` + inStates(from...)
	}
	tag, err := tx.Exec(ctx, query, append(args, t.ID)...)
	if err != nil || tag.RowsAffected() == 1 {
		return err
	}
	var cur string
	err = tx.QueryRow(ctx, `SELECT state FROM transfers WHERE id = $1`, t.ID).Scan(&cur)
	if errors.Is(err, pgx.ErrNoRows) {
		return notFound(op, fmt.Errorf("transfer %q: %w", t.ID, err))
	}
	if err != nil {
		return err
	}
	return ferry.E(ferry.CodeStateConflict).WithOp(op).With("state", cur).
		WithErr(fmt.Errorf("transfer %q is %s, not one of %v", t.ID, cur, from))
}

// UpdateRecipient stores r's status and times for transfer id. A transfer
// that does not exist or is not addressed to r.AccountID is CodeNotFound.
func (s *Store) UpdateRecipient(ctx context.Context, id string, r *ferry.Recipient) error {
	const op = "meta/postgres: update recipient"
	what := fmt.Sprintf("transfer %q, recipient %d", id, r.AccountID)
	if textSafe(id) != id {
		return notFound(op, errors.New(what+" does not exist"))
	}
	status := r.Status
	if status == "" {
		status = ferry.RecipientPending
	}
	tag, err := s.pool.Exec(ctx, `UPDATE recipients SET status = $1, decided_at = $2, downloaded_at = $3
		WHERE transfer_id = $4 AND account_id = $5`,
		string(status), nanos(r.DecidedAt), nanos(r.DownloadedAt), id, r.AccountID)
	if err := mustChange(op, what, tag, err); err != nil {
		return ferry.Wrap(ferry.CodeDatabaseUnavailable, op, err)
	}
	return nil
}
