package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"

	"github.com/ferryhq/ferry"
)

// transferSelect selects the columns scanTransfer reads, with the sender's
// username, from transfers t.
const transferSelect = `SELECT t.id, t.sender_id, a.username, t.network, t.name, t.size, t.declared_sha256,
	t.sha256, t.state, t.error, t.upload_offset, t.challenge,
	t.created_at, t.updated_at, t.upload_expires_at, t.available_at, t.expires_at, t.downloaded_at
	FROM transfers t JOIN accounts a ON a.id = t.sender_id`

// scanTransfer reads a row of transferSelect.
func scanTransfer(sc scanner) (*ferry.Transfer, error) {
	var (
		t                 ferry.Transfer
		state             string
		errRec, challenge []byte
		created, updated  int64
		uploadExp, avail  int64
		expires, download int64
	)
	err := sc.Scan(&t.ID, &t.SenderID, &t.Sender, &t.Network, &t.Name, &t.Size, &t.DeclaredSHA256,
		&t.SHA256, &state, &errRec, &t.Offset, &challenge,
		&created, &updated, &uploadExp, &avail, &expires, &download)
	if err != nil {
		return nil, err
	}
	t.State = ferry.State(state)
	if t.Error, err = ferry.DecodeError(errRec); err != nil {
		return nil, fmt.Errorf("transfer %s: %w", t.ID, err)
	}
	if challenge != nil {
		t.Challenge = new(ferry.Challenge)
		if err := json.Unmarshal(challenge, t.Challenge); err != nil {
			return nil, fmt.Errorf("transfer %s: challenge: %w", t.ID, err)
		}
	}
	t.CreatedAt, t.UpdatedAt = fromNanos(created), fromNanos(updated)
	t.UploadExpiresAt, t.AvailableAt = fromNanos(uploadExp), fromNanos(avail)
	t.ExpiresAt, t.DownloadedAt = fromNanos(expires), fromNanos(download)
	return &t, nil
}

// queryTransfers runs a query of transferSelect and fills in the recipients
// of every transfer it returns.
func queryTransfers(ctx context.Context, tx *sql.Tx, query string, args ...any) ([]*ferry.Transfer, error) {
	rows, err := tx.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var ts []*ferry.Transfer
	for rows.Next() {
		t, err := scanTransfer(rows)
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
func loadRecipients(ctx context.Context, tx *sql.Tx, ts []*ferry.Transfer) error {
	if len(ts) == 0 {
		return nil
	}
	byID := make(map[string]*ferry.Transfer, len(ts))
	ids := make([]string, len(ts))
	for i, t := range ts {
		byID[t.ID], ids[i] = t, t.ID
	}
	list, err := json.Marshal(ids)
	if err != nil {
		return err
	}
	rows, err := tx.QueryContext(ctx, `SELECT r.transfer_id, r.account_id, a.username, r.status, r.decided_at, r.downloaded_at
		FROM recipients r JOIN accounts a ON a.id = r.account_id
		WHERE r.transfer_id IN (SELECT value FROM json_each(?))
		ORDER BY r.transfer_id, r.position`, string(list))
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var (
			id, status        string
			r                 ferry.Recipient
			decided, download int64
		)
		if err := rows.Scan(&id, &r.AccountID, &r.Username, &status, &decided, &download); err != nil {
			return err
		}
		r.Status = ferry.RecipientStatus(status)
		r.DecidedAt, r.DownloadedAt = fromNanos(decided), fromNanos(download)
		t := byID[id]
		t.Recipients = append(t.Recipients, r)
	}
	return rows.Err()
}

// mutableArgs are the values of the columns UpdateTransfer stores, in the
// order of updateTransferSQL, after which comes the ID.
func mutableArgs(t *ferry.Transfer) ([]any, error) {
	var challenge any
	if t.Challenge != nil {
		b, err := json.Marshal(t.Challenge)
		if err != nil {
			return nil, fmt.Errorf("challenge: %w", err)
		}
		challenge = string(b)
	}
	var errRec any
	if b := ferry.EncodeError(t.Error); b != nil {
		errRec = b
	}
	return []any{string(t.State), errRec, t.SHA256, t.Offset, challenge,
		nanos(t.UpdatedAt), nanos(t.UploadExpiresAt), nanos(t.AvailableAt), nanos(t.ExpiresAt),
		nanos(t.DownloadedAt)}, nil
}

const updateTransferSQL = `UPDATE transfers SET state = ?, error = ?, sha256 = ?, upload_offset = ?,
	challenge = ?, updated_at = ?, upload_expires_at = ?,
	available_at = ?, expires_at = ?, downloaded_at = ?
	WHERE id = ?`

// insertTransfer inserts t and its recipients.
func insertTransfer(ctx context.Context, tx *sql.Tx, op string, t *ferry.Transfer) error {
	args, err := mutableArgs(t)
	if err != nil {
		return err
	}
	args = append([]any{t.ID, t.SenderID, t.Network, t.Name, t.Size, t.DeclaredSHA256, nanos(t.CreatedAt)}, args...)
	_, err = tx.ExecContext(ctx, `INSERT INTO transfers (id, sender_id, network, name, size, declared_sha256, created_at,
		state, error, sha256, upload_offset, challenge,
		updated_at, upload_expires_at, available_at, expires_at, downloaded_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, args...)
	if err != nil {
		return insertErr(op, fmt.Errorf("transfer %q: %w", t.ID, err))
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
