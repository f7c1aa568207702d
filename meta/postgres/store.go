package postgres

import (
	"context"
	"errors"
	"strings"
	"unicode/utf8"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/ferryhq/ferry"
	"github.com/ferryhq/ferry/meta/internal/sqlstore"
)

// Store is a ferry.MetaStore on a PostgreSQL database that any number of
// ferry nodes share. It is safe for concurrent use.
type Store struct {
	pool *pgxpool.Pool
}

var (
	_ ferry.MetaStore    = (*Store)(nil)
	_ ferry.SessionStore = (*Store)(nil)
)

// Open connects to the database at dsn (a postgres:// URL or key=value
// string, as libpq takes) and applies every pending migration. The
// connection pool's size and timeouts can be set in dsn (pool_max_conns,
// …; see pgxpool.ParseConfig).
func Open(ctx context.Context, dsn string) (*Store, error) {
	const op = "meta/postgres: open"
	cfg, err := pgxpool.ParseConfig(dsn)
	if err != nil {
		// The error may quote the DSN, password included: keep it out.
		return nil, ferry.E(ferry.CodeDatabaseUnavailable).WithOp(op).WithErr(errors.New("malformed DSN"))
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, dbErr(op, err)
	}
	s := &Store{pool: pool}
	if err := s.Migrate(ctx); err != nil {
		pool.Close()
		return nil, err
	}
	return s, nil
}

// Close closes every connection of the pool, waiting for those in use to
// be returned. A call after Close fails (9002).
func (s *Store) Close() error {
	s.pool.Close()
	return nil
}

// maxTries is how often a transaction runs when PostgreSQL aborts it for a
// serialization failure or a deadlock, both of which succeed when retried.
const maxTries = 5

// write runs fn in a READ COMMITTED transaction and commits when fn returns
// nil; it runs fn again, from the start, when PostgreSQL aborts the
// transaction to break a deadlock or a serialization failure. An error of
// fn that is not an *ferry.Error is wrapped as CodeDatabaseUnavailable.
func (s *Store) write(ctx context.Context, op string, fn func(pgx.Tx) error) error {
	return s.tx(ctx, op, pgx.TxOptions{}, fn)
}

// read runs fn in a read-only REPEATABLE READ transaction, so that all its
// queries see one snapshot. A read of one statement needs none: it uses
// the pool.
func (s *Store) read(ctx context.Context, op string, fn func(pgx.Tx) error) error {
	return s.tx(ctx, op, pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly}, fn)
}

func (s *Store) tx(ctx context.Context, op string, opts pgx.TxOptions, fn func(pgx.Tx) error) error {
	for try := 1; ; try++ {
		err := pgx.BeginTxFunc(ctx, s.pool, opts, fn)
		if err == nil {
			return nil
		}
		if try < maxTries && retryable(err) && ctx.Err() == nil {
			continue
		}
		return ferry.Wrap(ferry.CodeDatabaseUnavailable, op, err)
	}
}

// retryable reports whether err aborted a transaction that succeeds when
// run again: a serialization failure or a deadlock.
func retryable(err error) bool {
	var pe *pgconn.PgError
	return errors.As(err, &pe) && (pe.Code == "40001" || pe.Code == "40P01")
}

// dbErr wraps a driver failure.
func dbErr(op string, err error) *ferry.Error {
	return ferry.E(ferry.CodeDatabaseUnavailable).WithOp(op).WithErr(err)
}

// notFound is the error of a missing record.
func notFound(op string, err error) *ferry.Error {
	return ferry.E(ferry.CodeNotFound).WithOp(op).WithErr(err)
}

// insertErr classifies the failure of an INSERT: a taken key is
// CodeAlreadyExists, a reference to a missing record (an account) is
// CodeNotFound, anything else CodeDatabaseUnavailable.
func insertErr(op string, err error) *ferry.Error {
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		switch pe.Code {
		case "23505": // unique_violation
			return ferry.E(ferry.CodeAlreadyExists).WithOp(op).WithErr(err)
		case "23503": // foreign_key_violation
			return notFound(op, err)
		}
	}
	return dbErr(op, err)
}

// mustChange turns a command that matched no row, of what, into
// CodeNotFound.
func mustChange(op, what string, tag pgconn.CommandTag, err error) error {
	if err != nil {
		return err
	}
	if tag.RowsAffected() == 0 {
		return notFound(op, errors.New(what+" does not exist"))
	}
	return nil
}

// nanos and fromNanos are how times are stored (see sqlstore.Nanos).
var nanos, fromNanos = sqlstore.Nanos, sqlstore.FromNanos

// normLimit returns limit, or def when limit is not positive.
func normLimit(limit, def int) int {
	if limit <= 0 {
		return def
	}
	return limit
}

// inStates renders states as an SQL list of literals, e.g. ('a', 'b'),
// written as the partial indexes of the migrations write them, so that the
// planner sees that a query's condition implies an index's. The states are
// ferry's constants, never user input.
func inStates(states ...ferry.State) string {
	q := make([]string, len(states))
	for i, s := range states {
		q[i] = quote(string(s))
	}
	return "(" + strings.Join(q, ", ") + ")"
}

// quote renders s as an SQL string literal.
func quote(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }

// textSafe returns s as a text column can hold it: PostgreSQL's text has
// no NUL character and only valid UTF-8, where a Go string (and SQLite's
// TEXT) may hold any bytes. Each NUL and each run of bytes that is not
// UTF-8 becomes U+FFFD. It is for
// what ferry records as it was given — a refused file name, a username
// that failed to log in — which must be stored rather than refused.
func textSafe(s string) string {
	if !strings.ContainsRune(s, 0) && utf8.ValidString(s) {
		return s
	}
	return strings.ReplaceAll(strings.ToValidUTF8(s, "\uFFFD"), "\x00", "\uFFFD")
}

// PoolStats returns the state of the store's connection pool (for
// /metrics).
func (s *Store) PoolStats() *pgxpool.Stat { return s.pool.Stat() }
