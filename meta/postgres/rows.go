package postgres

import (
	"context"

	"github.com/jackc/pgx/v5"

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
	WHERE t.id = $1 ORDER BY r.position`

// queryTransfers runs a query of transferSelect and fills in the recipients
// of every transfer it returns.
func queryTransfers(ctx context.Context, tx pgx.Tx, query string, args ...any) ([]*ferry.Transfer, error) {
	rows, err := tx.Query(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	ts, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (*ferry.Transfer, error) { return sqlstore.ScanTransfer(r) })
	if err != nil {
		return nil, err
	}
	return ts, loadRecipients(ctx, tx, ts)
}

// loadRecipients fills in the recipients of ts, with their usernames, in
// the order they were given at creation, in one query.
func loadRecipients(ctx context.Context, tx pgx.Tx, ts []*ferry.Transfer) error {
	if len(ts) == 0 {
		return nil
	}
	byID := make(map[string]*ferry.Transfer, len(ts))
	ids := make([]string, len(ts))
	for i, t := range ts {
		byID[t.ID], ids[i] = t, t.ID
	}
	rows, err := tx.Query(ctx, `SELECT `+sqlstore.RecipientCols+`
		FROM recipients r JOIN accounts a ON a.id = r.account_id
		WHERE r.transfer_id = ANY ($1) ORDER BY r.transfer_id, r.position`, ids)
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
// order of updateTransferSQL ($1 to $12), after which comes the ID.
func mutableArgs(t *ferry.Transfer) ([]any, error) {
	challenge, err := sqlstore.Challenge(t.Challenge)
	if err != nil {
		return nil, err
	}
	var errRec any
	code := 0
	if b := ferry.EncodeError(t.Error); b != nil {
		errRec, code = string(b), int(t.Error.Code)
	}
	return []any{string(t.State), errRec, code, t.SHA256, t.Offset, challenge,
		nanos(t.UpdatedAt), nanos(t.UploadExpiresAt), nanos(t.AvailableAt), nanos(t.ExpiresAt),
		nanos(t.DownloadedAt), t.UploadState}, nil
}

const updateTransferSQL = `UPDATE transfers SET state = $1, error = $2, error_code = $3, sha256 = $4,
	upload_offset = $5, challenge = $6, updated_at = $7, upload_expires_at = $8,
	available_at = $9, expires_at = $10, downloaded_at = $11, upload_state = $12
	WHERE id = $13`
