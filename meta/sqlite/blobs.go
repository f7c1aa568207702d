package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/ferryhq/ferry"
)

// All blob index methods that write run in write transactions, and SQLite
// has a single writer, so they serialise with one another (for every blob,
// not only per blob): a blob DeleteBlob holds can never be handed to a
// transfer by AttachBlob or ShareBlob meanwhile.

// referenced is the condition that a live transfer carries the SHA-256 of
// blobs b. The test of an empty sha256 is the partial index's
// (transfers_sha256), so that SQLite can use it.
func referenced() string {
	return `EXISTS (SELECT 1 FROM transfers t WHERE t.sha256 = b.sha256 AND t.sha256 != '' AND t.state IN ` +
		inStates(ferry.LiveStates...) + `)`
}

// AttachBlob records b, keeping an existing record as it is, and stores t as
// UpdateTransfer(t, from...) would, in one transaction.
func (s *Store) AttachBlob(ctx context.Context, t *ferry.Transfer, b *ferry.Blob, from ...ferry.State) error {
	const op = "meta/sqlite: attach blob"
	if t.SHA256 != b.SHA256 {
		return ferry.E(ferry.CodeInternal).WithOp(op).
			WithErr(fmt.Errorf("transfer %s carries sha256 %q, not the blob's %q", t.ID, t.SHA256, b.SHA256))
	}
	return s.write(ctx, op, func(tx *txn) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO blobs (sha256, size, created_at, inspected) VALUES (?, ?, ?, ?)
			ON CONFLICT (sha256) DO NOTHING`, b.SHA256, b.Size, nanos(b.CreatedAt), b.Inspected)
		if err != nil {
			return err
		}
		return updateTransfer(ctx, tx, op, t, from)
	})
}

// ShareBlob stores t as UpdateTransfer(t, from...) would, provided the blob
// t carries is recorded with Inspected == inspected; otherwise it returns
// CodeNotFound and writes nothing.
func (s *Store) ShareBlob(ctx context.Context, t *ferry.Transfer, inspected string, from ...ferry.State) error {
	const op = "meta/sqlite: share blob"
	return s.write(ctx, op, func(tx *txn) error {
		var got string
		err := tx.QueryRowContext(ctx, `SELECT inspected FROM blobs WHERE sha256 = ?`, t.SHA256).Scan(&got)
		if errors.Is(err, sql.ErrNoRows) {
			return notFound(op, fmt.Errorf("blob %s: %w", t.SHA256, err))
		}
		if err != nil {
			return err
		}
		if got != inspected {
			return notFound(op, fmt.Errorf("blob %s inspected under %q, not %q", t.SHA256, got, inspected))
		}
		return updateTransfer(ctx, tx, op, t, from)
	})
}

// Blob returns the blob record.
func (s *Store) Blob(ctx context.Context, sha256 string) (*ferry.Blob, error) {
	const op = "meta/sqlite: blob"
	var b *ferry.Blob
	err := s.read(ctx, op, func(tx *txn) error {
		var err error
		b, err = scanBlob(tx.QueryRowContext(ctx, `SELECT sha256, size, created_at, inspected FROM blobs WHERE sha256 = ?`, sha256))
		if errors.Is(err, sql.ErrNoRows) {
			return notFound(op, fmt.Errorf("blob %s: %w", sha256, err))
		}
		return err
	})
	return b, err
}

func scanBlob(sc scanner) (*ferry.Blob, error) {
	var (
		b       ferry.Blob
		created int64
	)
	if err := sc.Scan(&b.SHA256, &b.Size, &created, &b.Inspected); err != nil {
		return nil, err
	}
	b.CreatedAt = fromNanos(created)
	return &b, nil
}

// MarkInspected sets the blob's Inspected version. An unknown blob is
// CodeNotFound.
func (s *Store) MarkInspected(ctx context.Context, sha256, version string) error {
	const op = "meta/sqlite: mark inspected"
	return s.write(ctx, op, func(tx *txn) error {
		res, err := tx.ExecContext(ctx, `UPDATE blobs SET inspected = ? WHERE sha256 = ?`, version, sha256)
		return mustChange(op, "blob "+sha256, res, err)
	})
}

// UnreferencedBlobs lists up to limit blobs no live transfer references,
// oldest first.
func (s *Store) UnreferencedBlobs(ctx context.Context, limit int) ([]*ferry.Blob, error) {
	var bs []*ferry.Blob
	err := s.read(ctx, "meta/sqlite: unreferenced blobs", func(tx *txn) error {
		rows, err := tx.QueryContext(ctx, `SELECT b.sha256, b.size, b.created_at, b.inspected FROM blobs b
			WHERE NOT `+referenced()+` ORDER BY b.created_at, b.sha256 LIMIT ?`, normLimit(limit, defaultBatch))
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			b, err := scanBlob(rows)
			if err != nil {
				return err
			}
			bs = append(bs, b)
		}
		return rows.Err()
	})
	return bs, err
}

// DeleteBlob deletes the record of an unreferenced blob, calling remove
// while the write transaction holds the database, so that no transfer can
// take the blob meanwhile. It returns false and calls nothing when the blob
// is unknown or referenced. When remove fails the record stays and remove's
// error is returned unchanged. remove must not write to the store.
func (s *Store) DeleteBlob(ctx context.Context, sha256 string, remove func(context.Context) error) (bool, error) {
	const op = "meta/sqlite: delete blob"
	var deleted bool
	var removeErr error
	err := s.write(ctx, op, func(tx *txn) error {
		var n int
		err := tx.QueryRowContext(ctx, `SELECT count(*) FROM blobs b WHERE b.sha256 = ? AND NOT `+referenced(), sha256).Scan(&n)
		if err != nil || n == 0 {
			return err
		}
		if err := remove(ctx); err != nil {
			removeErr = err
			return err
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM blobs WHERE sha256 = ?`, sha256); err != nil {
			return err
		}
		deleted = true
		return nil
	})
	if removeErr != nil {
		return false, removeErr
	}
	if err != nil {
		return false, err
	}
	return deleted, nil
}
