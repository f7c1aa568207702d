package sqlite

import (
	"context"
	"time"

	"github.com/ferryhq/ferry"
	"github.com/ferryhq/ferry/meta/internal/sqlstore"
)

// Page sizes: a Limit of 0 or less means defaultPage; more than maxPage is
// cut to maxPage.
const (
	defaultPage = 50
	maxPage     = 500
	// defaultBatch is the limit of Due, InState and UnreferencedBlobs when
	// the caller gives none.
	defaultBatch = 100
)

// Inbox lists the transfers addressed to the account that it can fetch
// (available or downloaded, not declined by it), newest first.
func (s *Store) Inbox(ctx context.Context, accountID int64, page ferry.Page) ([]*ferry.Transfer, string, error) {
	return s.list(ctx, "meta/sqlite: inbox", page, transferSelect+`
		JOIN recipients r ON r.transfer_id = t.id
		WHERE r.account_id = ? AND r.status != '`+string(ferry.RecipientDeclined)+`'
		AND t.state IN `+inStates(ferry.StateAvailable, ferry.StateDownloaded), accountID)
}

// Outbox lists the transfers the account sent, any state, newest first.
func (s *Store) Outbox(ctx context.Context, accountID int64, page ferry.Page) ([]*ferry.Transfer, string, error) {
	return s.list(ctx, "meta/sqlite: outbox", page, transferSelect+` WHERE t.sender_id = ?`, accountID)
}

// list returns a page of query, which ends in a WHERE clause, newest first
// by (created_at, id). Pages are keyset-paginated: the cursor holds the sort
// key of the last transfer returned, and the next page starts below it.
func (s *Store) list(ctx context.Context, op string, page ferry.Page, query string, args ...any) ([]*ferry.Transfer, string, error) {
	limit := min(normLimit(page.Limit, defaultPage), maxPage)
	if page.Cursor != "" {
		created, id, err := sqlstore.DecodeCursor(page.Cursor)
		if err != nil {
			return nil, "", ferry.E(ferry.CodeBadRequest).WithOp(op).WithErr(err).With("reason", "malformed page cursor")
		}
		query += ` AND (t.created_at, t.id) < (?, ?)`
		args = append(args, created, id)
	}
	query += ` ORDER BY t.created_at DESC, t.id DESC LIMIT ?`
	args = append(args, limit+1) // one more, to learn whether there is a next page
	var ts []*ferry.Transfer
	err := s.read(ctx, op, func(tx *txn) error {
		var err error
		ts, err = queryTransfers(ctx, tx, query, args...)
		return err
	})
	if err != nil {
		return nil, "", err
	}
	if len(ts) <= limit {
		return ts, "", nil
	}
	ts = ts[:limit]
	last := ts[limit-1]
	return ts, sqlstore.EncodeCursor(nanos(last.CreatedAt), last.ID), nil
}

// Due lists up to limit transfers whose time ran out at now: available or
// downloaded ones whose ExpiresAt passed, and uploading ones whose
// UploadExpiresAt passed; the longest overdue first.
func (s *Store) Due(ctx context.Context, now time.Time, limit int) ([]*ferry.Transfer, error) {
	at := nanos(now)
	return s.batch(ctx, "meta/sqlite: due", transferSelect+dueSQL, at, at, normLimit(limit, defaultBatch))
}

// dueSQL is the condition and order of Due. The state tests are those of
// the partial indexes transfers_delivered_expires and
// transfers_uploading_expires, so that SQLite can use them.
var dueSQL = `
	WHERE (t.state IN ` + inStates(ferry.StateAvailable, ferry.StateDownloaded) + `
		AND t.expires_at != 0 AND t.expires_at <= ?)
	OR (t.state = ` + quote(string(ferry.StateUploading)) + `
		AND t.upload_expires_at != 0 AND t.upload_expires_at <= ?)
	ORDER BY CASE WHEN t.state = ` + quote(string(ferry.StateUploading)) + `
		THEN t.upload_expires_at ELSE t.expires_at END, t.id
	LIMIT ?`

// InState lists up to limit transfers in state st last updated before the
// given time, oldest first. The state is written into the query, so that
// SQLite uses the partial index of the state the sweeper asks for
// (transfers_inspecting_updated); it is one of ferry's constants, quoted.
func (s *Store) InState(ctx context.Context, st ferry.State, updatedBefore time.Time, limit int) ([]*ferry.Transfer, error) {
	return s.batch(ctx, "meta/sqlite: in state", transferSelect+inStateSQL(st), nanos(updatedBefore), normLimit(limit, defaultBatch))
}

func inStateSQL(st ferry.State) string {
	return `
	WHERE t.state = ` + quote(string(st)) + ` AND t.updated_at < ?
	ORDER BY t.updated_at, t.id LIMIT ?`
}

func (s *Store) batch(ctx context.Context, op, query string, args ...any) ([]*ferry.Transfer, error) {
	var ts []*ferry.Transfer
	err := s.read(ctx, op, func(tx *txn) error {
		var err error
		ts, err = queryTransfers(ctx, tx, query, args...)
		return err
	})
	return ts, err
}
