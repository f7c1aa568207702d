package sqlite

import (
	"context"
	"embed"
	"fmt"
	"io/fs"
	"time"

	"github.com/ferryhq/ferry/meta/internal/sqlstore"
)

// migrationFS holds the schema migrations, migrations/NNNN_name.sql, applied
// in the order of their version number NNNN. A released migration is never
// edited: a change to the schema is a new file.
//
//go:embed migrations/*.sql
var migrationFS embed.FS

// migration is one versioned schema change (see sqlstore.LoadMigrations).
type migration = sqlstore.Migration

// Migrate applies every migration the database has not seen, in order, in
// one write transaction, and records each in schema_migrations. It is
// idempotent: Open calls it, and calling it again does nothing. A database
// whose schema is newer than this binary knows is refused.
func (s *Store) Migrate(ctx context.Context) error {
	return s.migrate(ctx, migrationFS)
}

func (s *Store) migrate(ctx context.Context, fsys fs.FS) error {
	const op = "meta/sqlite: migrate"
	ms, err := sqlstore.LoadMigrations(fsys)
	if err != nil {
		return dbErr(op, err)
	}
	return s.write(ctx, op, func(tx *txn) error {
		if _, err := tx.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
			version    INTEGER PRIMARY KEY,
			applied_at INTEGER NOT NULL
		) STRICT`); err != nil {
			return err
		}
		applied, err := appliedVersions(ctx, tx)
		if err != nil {
			return err
		}
		return applyMigrations(ctx, tx, ms, applied)
	})
}

// applyMigrations runs the migrations of ms not in applied.
func applyMigrations(ctx context.Context, tx *txn, ms []migration, applied map[int]bool) error {
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
		// A script of several statements: run as it is, never kept.
		if _, err := tx.Tx.ExecContext(ctx, m.SQL); err != nil {
			return fmt.Errorf("migration %s: %w", m.Name, err)
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO schema_migrations (version, applied_at) VALUES (?, ?)`,
			m.Version, time.Now().UnixNano()); err != nil {
			return fmt.Errorf("migration %s: %w", m.Name, err)
		}
	}
	return nil
}

// appliedVersions reads schema_migrations.
func appliedVersions(ctx context.Context, tx *txn) (map[int]bool, error) {
	rows, err := tx.QueryContext(ctx, `SELECT version FROM schema_migrations`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	applied := map[int]bool{}
	for rows.Next() {
		var v int
		if err := rows.Scan(&v); err != nil {
			return nil, err
		}
		applied[v] = true
	}
	return applied, rows.Err()
}
