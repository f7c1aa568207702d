package postgres

import (
	"context"
	"embed"
	"fmt"
	"io/fs"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/ferryhq/ferry/meta/internal/sqlstore"
)

// migrationFS holds the schema migrations, migrations/NNNN_name.sql, applied
// in the order of their version number NNNN. A released migration is never
// edited: a change to the schema is a new file.
//
//go:embed migrations/*.sql
var migrationFS embed.FS

// migrationLock is the key of the session-level advisory lock that
// Migrate holds: nodes that start at once migrate one after the other, and
// all but the first find nothing left to do. The value is arbitrary but
// fixed forever ("ferrymig" in ASCII); it lives in the one-key space of
// advisory locks, apart from the two-key space of lockBlob.
const migrationLock int64 = 0x666572_72796d6967

// migration is one versioned schema change (see sqlstore.LoadMigrations).
type migration = sqlstore.Migration

// Migrate applies every migration the database has not seen, in order, in
// one transaction, and records each in schema_migrations. It is
// idempotent: Open calls it, and calling it again does nothing. While it
// runs it holds an advisory lock, so that several nodes starting together
// against an empty database migrate it exactly once. A database whose
// schema is newer than this binary knows is refused.
func (s *Store) Migrate(ctx context.Context) error {
	return s.migrate(ctx, migrationFS)
}

func (s *Store) migrate(ctx context.Context, fsys fs.FS) error {
	const op = "meta/postgres: migrate"
	ms, err := sqlstore.LoadMigrations(fsys)
	if err != nil {
		return dbErr(op, err)
	}
	c, err := s.pool.Acquire(ctx)
	if err != nil {
		return dbErr(op, err)
	}
	defer c.Release()
	// A session lock, taken and released outside the transaction: the
	// transaction's snapshot is then taken after the lock is held, and so
	// sees what the node before committed.
	if _, err := c.Exec(ctx, `SELECT pg_advisory_lock($1)`, migrationLock); err != nil {
		return dbErr(op, err)
	}
	defer func() {
		if _, err := c.Exec(context.WithoutCancel(ctx), `SELECT pg_advisory_unlock($1)`, migrationLock); err != nil {
			c.Conn().Close(context.Background()) // the lock goes with the connection
		}
	}()
	err = pgx.BeginFunc(ctx, c, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
			version    integer PRIMARY KEY,
			applied_at bigint  NOT NULL
		)`); err != nil {
			return err
		}
		applied, err := appliedVersions(ctx, tx)
		if err != nil {
			return err
		}
		return applyMigrations(ctx, tx, ms, applied)
	})
	if err != nil {
		return dbErr(op, err)
	}
	return nil
}

// applyMigrations runs the migrations of ms not in applied.
func applyMigrations(ctx context.Context, tx pgx.Tx, ms []migration, applied map[int]bool) error {
	latest := 0
	if len(ms) > 0 {
		latest = ms[len(ms)-1].Version
	}
	for v := range applied {
		if v > latest {
			return fmt.Errorf("database schema version %d is newer than this binary's %d", v, latest)
		}
	}
	for _, m := range ms {
		if applied[m.Version] {
			continue
		}
		// A script of several statements: sent as one simple query, which
		// PostgreSQL runs inside the transaction.
		if _, err := tx.Exec(ctx, m.SQL, pgx.QueryExecModeSimpleProtocol); err != nil {
			return fmt.Errorf("migration %s: %w", m.Name, err)
		}
		if _, err := tx.Exec(ctx, `INSERT INTO schema_migrations (version, applied_at) VALUES ($1, $2)`,
			m.Version, time.Now().UnixNano()); err != nil {
			return fmt.Errorf("migration %s: %w", m.Name, err)
		}
	}
	return nil
}

// appliedVersions reads schema_migrations.
func appliedVersions(ctx context.Context, tx pgx.Tx) (map[int]bool, error) {
	rows, err := tx.Query(ctx, `SELECT version FROM schema_migrations`)
	if err != nil {
		return nil, err
	}
	vs, err := pgx.CollectRows(rows, pgx.RowTo[int32])
	if err != nil {
		return nil, err
	}
	applied := map[int]bool{}
	for _, v := range vs {
		applied[int(v)] = true
	}
	return applied, nil
}
