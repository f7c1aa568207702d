package postgres

import (
	"context"
	"errors"
	"fmt"
	"hash/fnv"

	"github.com/jackc/pgx/v5"

	"github.com/ferryhq/ferry"
)

// The blob index methods that write each begin by taking a
// transaction-level advisory lock on the blob (lockBlob), so that they
// serialise with one another per blob, on every node: a blob DeleteBlob
// holds can never be handed to a transfer by AttachBlob or ShareBlob
// meanwhile, and what one of them committed is what the next one reads
// (READ COMMITTED: each statement after the lock sees it).

// blobLockClass is the first key of the advisory locks on blobs, in the
// two-key space of advisory locks (the one-key space holds migrationLock).
// Fixed forever: nodes of different releases share these locks.
const blobLockClass int32 = 0x66626c62 // "fblb"

// lockBlob holds blob sha256 until the transaction ends. Two blobs whose
// keys collide (32 bits of FNV-1a) merely wait for one another.
func lockBlob(ctx context.Context, tx pgx.Tx, sha256 string) error {
	h := fnv.New32a()
	h.Write([]byte(sha256))
	_, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock($1, $2)`, blobLockClass, int32(h.Sum32()))
	return err
}

// referenced is the condition that a live transfer carries the SHA-256 of
// blobs b. The test of an empty sha256 is the partial index's
// (transfers_sha256), so that the planner can use it.
func referenced() string {
	return `EXISTS (SELECT 1 FROM transfers t WHERE t.sha256 = b.sha256 AND t.sha256 <> '' AND t.state IN ` +
		inStates(ferry.LiveStates...) + `)`
}

// AttachBlob records b, keeping an existing record as it is, and stores t as
// UpdateTransfer(t, from...) would, in one transaction.
func (s *Store) AttachBlob(ctx context.Context, t *ferry.Transfer, b *ferry.Blob, from ...ferry.State) error {
	const op = "meta/postgres: attach blob"
	if t.SHA256 != b.SHA256 {
		return ferry.E(ferry.CodeInternal).WithOp(op).
			WithErr(fmt.Errorf("transfer %s carries sha256 %q, not the blob's %q", t.ID, t.SHA256, b.SHA256))
	}
	return s.write(ctx, op, func(tx pgx.Tx) error {
		if err := lockBlob(ctx, tx, b.SHA256); err != nil {
			return err
		}
		_, err := tx.Exec(ctx, `INSERT INTO blobs (sha256, size, created_at, inspected) VALUES ($1, $2, $3, $4)
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
	const op = "meta/postgres: share blob"
	if textSafe(t.SHA256) != t.SHA256 {
		return notFound(op, fmt.Errorf("blob %q", t.SHA256))
	}
	return s.write(ctx, op, func(tx pgx.Tx) error {
		if err := lockBlob(ctx, tx, t.SHA256); err != nil {
			return err
		}
		var got string
		err := tx.QueryRow(ctx, `SELECT inspected FROM blobs WHERE sha256 = $1`, t.SHA256).Scan(&got)
		if errors.Is(err, pgx.ErrNoRows) {
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

const blobCols = `b.sha256, b.size, b.created_at, b.inspected`

// Blob returns the blob record.
func (s *Store) Blob(ctx context.Context, sha256 string) (*ferry.Blob, error) {
	const op = "meta/postgres: blob"
	if textSafe(sha256) != sha256 {
		return nil, notFound(op, fmt.Errorf("blob %q", sha256))
	}
	b, err := scanBlob(s.pool.QueryRow(ctx, `SELECT `+blobCols+` FROM blobs b WHERE b.sha256 = $1`, sha256))
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, notFound(op, fmt.Errorf("blob %s: %w", sha256, err))
	}
	if err != nil {
		return nil, dbErr(op, err)
	}
	return b, nil
}

func scanBlob(row pgx.Row) (*ferry.Blob, error) {
	var (
		b       ferry.Blob
		created int64
	)
	if err := row.Scan(&b.SHA256, &b.Size, &created, &b.Inspected); err != nil {
		return nil, err
	}
	b.CreatedAt = fromNanos(created)
	return &b, nil
}

// MarkInspected sets the blob's Inspected version. An unknown blob is
// CodeNotFound.
func (s *Store) MarkInspected(ctx context.Context, sha256, version string) error {
	const op = "meta/postgres: mark inspected"
	if textSafe(sha256) != sha256 {
		return notFound(op, fmt.Errorf("blob %q", sha256))
	}
	return s.write(ctx, op, func(tx pgx.Tx) error {
		if err := lockBlob(ctx, tx, sha256); err != nil {
			return err
		}
		tag, err := tx.Exec(ctx, `UPDATE blobs SET inspected = $1 WHERE sha256 = $2`, version, sha256)
		return mustChange(op, "blob "+sha256, tag, err)
	})
}

// UnreferencedBlobs lists up to limit blobs no live transfer references,
// oldest first.
func (s *Store) UnreferencedBlobs(ctx context.Context, limit int) ([]*ferry.Blob, error) {
	const op = "meta/postgres: unreferenced blobs"
	rows, err := s.pool.Query(ctx, `SELECT `+blobCols+` FROM blobs b
		WHERE NOT `+referenced()+` ORDER BY b.created_at, b.sha256 LIMIT $1`, normLimit(limit, defaultBatch))
	if err != nil {
		return nil, dbErr(op, err)
	}
	bs, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (*ferry.Blob, error) { return scanBlob(r) })
	if err != nil {
		return nil, dbErr(op, err)
	}
	return bs, nil
}

// DeleteBlob deletes the record of an unreferenced blob, calling remove
// while the transaction holds the blob's lock, so that no transfer can
// take the blob meanwhile. It returns false and calls nothing when the blob
// is unknown or referenced. When remove fails the record stays and
// remove's error is returned unchanged. remove must not call the store
// about the same blob, or it waits for itself.
func (s *Store) DeleteBlob(ctx context.Context, sha256 string, remove func(context.Context) error) (bool, error) {
	const op = "meta/postgres: delete blob"
	if textSafe(sha256) != sha256 {
		return false, nil
	}
	var deleted bool
	var removeErr error
	err := s.write(ctx, op, func(tx pgx.Tx) error {
		deleted, removeErr = false, nil
		if err := lockBlob(ctx, tx, sha256); err != nil {
			return err
		}
		var n int
		err := tx.QueryRow(ctx, `SELECT count(*) FROM blobs b WHERE b.sha256 = $1 AND NOT `+referenced(), sha256).Scan(&n)
		if err != nil || n == 0 {
			return err
		}
		if err := remove(ctx); err != nil {
			removeErr = err
			return err
		}
		if _, err := tx.Exec(ctx, `DELETE FROM blobs WHERE sha256 = $1`, sha256); err != nil {
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
