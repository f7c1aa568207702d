package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"

	"github.com/ferryhq/ferry"
	"github.com/ferryhq/ferry/meta/internal/sqlstore"
)

// transferSelect selects the columns scanTransfer reads, with the sender's
// username, from transfers t.
const transferSelect = `SELECT ` + sqlstore.TransferCols + ` FROM transfers t JOIN accounts a ON a.id = t.sender_id`

// transferByIDSQL selects one transfer with its recipients in one query:
// a row for each recipient, in their order (see Store.Transfer).
const transferByIDSQL = `SELECT ` + sqlstore.TransferCols + `,
	r.account_id, ra.username, r.status, r.decided_at, r.downloaded_at
	FROM transfers t JOIN accounts a ON a.id = t.sender_id
	LEFT JOIN recipients r ON r.transfer_id = t.id LEFT JOIN accounts ra ON ra.id = r.account_id
	WHERE t.id = ? ORDER BY r.position`

// queryTransfers runs a query of transferSelect and fills in the recipients
// of every transfer it returns.
func queryTransfers(ctx context.Context, tx *txn, query string, args ...any) ([]*ferry.Transfer, error) {
	rows, err := tx.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var ts []*ferry.Transfer
	for rows.Next() {
		t, err := sqlstore.ScanTransfer(rows)
		if err != nil {
			return nil, err
		}
		ts = append(ts, t)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	return ts, loadRecipients(ctx, tx, ts)
}

// loadRecipients fills in the recipients of ts, with their usernames, in
// the order they were given at creation.
func loadRecipients(ctx context.Context, tx *txn, ts []*ferry.Transfer) error {
	if len(ts) == 0 {
		return nil
	}
	byID := make(map[string]*ferry.Transfer, len(ts))
	ids := make([]string, len(ts))
	for i, t := range ts {
		byID[t.ID], ids[i] = t, t.ID
	}
	const cols = `SELECT ` + sqlstore.RecipientCols + `
		FROM recipients r JOIN accounts a ON a.id = r.account_id`
	var (
		rows *sql.Rows
		err  error
	)
	if len(ts) == 1 { // Transfer: a lookup, without decoding a JSON list
		rows, err = tx.QueryContext(ctx, cols+` WHERE r.transfer_id = ? ORDER BY r.position`, ids[0])
	} else {
		var list []byte
		if list, err = json.Marshal(ids); err != nil {
			return err
		}
		rows, err = tx.QueryContext(ctx, cols+` WHERE r.transfer_id IN (SELECT value FROM json_each(?))
			ORDER BY r.transfer_id, r.position`, string(list))
	}
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		id, r, err := sqlstore.ScanRecipient(rows)
		if err != nil {
			return err
		}
		t := byID[id]
		t.Recipients = append(t.Recipients, r)
	}
	return rows.Err()
}

// mutableArgs are the values of the columns UpdateTransfer stores, in the
// order of updateTransferSQL, after which comes the ID.
func mutableArgs(t *ferry.Transfer) ([]any, error) {
	challenge, err := sqlstore.Challenge(t.Challenge)
	if err != nil {
		return nil, err
	}
	var errRec any
	if b := ferry.EncodeError(t.Error); b != nil {
		errRec = b
	}
	return []any{string(t.State), errRec, t.SHA256, t.Offset, challenge,
		nanos(t.UpdatedAt), nanos(t.UploadExpiresAt), nanos(t.AvailableAt), nanos(t.ExpiresAt),
		nanos(t.DownloadedAt), uploadState(t)}, nil
}

// uploadHash is the value of t's upload_state: NULL when there is none.
func uploadState(t *ferry.Transfer) any {
	if t.UploadState == nil {
		return nil
	}
	return t.UploadState
}

const updateTransferSQL = `UPDATE transfers SET state = ?, error = ?, sha256 = ?, upload_offset = ?,
	challenge = ?, updated_at = ?, upload_expires_at = ?,
	available_at = ?, expires_at = ?, downloaded_at = ?, upload_state = ?
	WHERE id = ?`

// insertTransfer inserts t and its recipients, and keeps what usage counts
// with: t's sender_rank (after every transfer of its sender created up to
// t.CreatedAt; the later ones, when t comes out of order, move up one) and
// its network's latest creation. pl is where t goes, when the caller has
// just read it in this transaction (usage as of t.CreatedAt); nil reads it.
func insertTransfer(ctx context.Context, tx *txn, op string, t *ferry.Transfer, pl *placement) error {
	args, err := mutableArgs(t)
	if err != nil {
		return err
	}
	created := nanos(t.CreatedAt)
	if pl == nil {
		pl = &placement{}
		if err := tx.QueryRowContext(ctx, `SELECT `+rankAt("?2")+`,
			EXISTS (SELECT 1 FROM transfers WHERE sender_id = ?1 AND created_at > ?2)`,
			t.SenderID, created).Scan(&pl.rank, &pl.later); err != nil {
			return err
		}
	}
	if pl.later {
		if _, err := tx.ExecContext(ctx, `UPDATE transfers SET sender_rank = sender_rank + 1
			WHERE sender_id = ? AND created_at > ?`, t.SenderID, created); err != nil {
			return err
		}
	}
	rank := pl.rank
	args = append([]any{t.ID, t.SenderID, t.Network, t.Name, t.Size, t.DeclaredSHA256, created, rank + 1}, args...)
	_, err = tx.ExecContext(ctx, `INSERT INTO transfers (id, sender_id, network, name, size, declared_sha256, created_at,
		sender_rank, state, error, sha256, upload_offset, challenge,
		updated_at, upload_expires_at, available_at, expires_at, downloaded_at, upload_state)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, args...)
	if err != nil {
		return insertErr(op, fmt.Errorf("transfer %q: %w", t.ID, err))
	}
	if t.Network != "" {
		if _, err := tx.ExecContext(ctx, `INSERT INTO sender_networks (account_id, network, last_created_at)
			VALUES (?, ?, ?) ON CONFLICT (account_id, network)
			DO UPDATE SET last_created_at = max(last_created_at, excluded.last_created_at)`,
			t.SenderID, t.Network, created); err != nil {
			return err
		}
	}
	for i, r := range t.Recipients {
		status := r.Status
		if status == "" {
			status = ferry.RecipientPending
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO recipients
			(transfer_id, account_id, position, status, decided_at, downloaded_at) VALUES (?, ?, ?, ?, ?, ?)`,
			t.ID, r.AccountID, i, string(status), nanos(r.DecidedAt), nanos(r.DownloadedAt))
		if err != nil {
			return insertErr(op, fmt.Errorf("transfer %q, recipient %d: %w", t.ID, r.AccountID, err))
		}
	}
	return nil
}
