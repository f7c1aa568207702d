package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"time"

	"github.com/ferryhq/ferry"
	msqlite "modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

// Store is a ferry.MetaStore on one SQLite file. It is safe for concurrent
// use; see the package documentation for how writes are serialised.
type Store struct {
	w *sql.DB // the one writer connection; every transaction is BEGIN IMMEDIATE
	r *sql.DB // query_only readers
}

var _ ferry.MetaStore = (*Store)(nil)

// busyTimeout is how long a connection waits for a lock another process
// holds before SQLite gives up. Within this process writers queue for the
// single writer connection instead and never reach SQLite's lock.
const busyTimeout = 30 * time.Second

// Open opens the store at path, creating the file and its folders when they
// are missing, and applies every pending migration.
func Open(path string) (*Store, error) {
	const op = "meta/sqlite: open"
	abs, err := prepareFile(path)
	if err != nil {
		return nil, dbErr(op, err)
	}
	w, err := sql.Open("sqlite", dsn(abs, true))
	if err != nil {
		return nil, dbErr(op, err)
	}
	w.SetMaxOpenConns(1)
	w.SetMaxIdleConns(1)
	w.SetConnMaxLifetime(0)
	w.SetConnMaxIdleTime(0)
	s := &Store{w: w}
	// Migrate runs on the writer first: it switches the file to WAL, which
	// the readers then find in place.
	if err := s.Migrate(context.Background()); err != nil {
		w.Close()
		return nil, err
	}
	r, err := sql.Open("sqlite", dsn(abs, false))
	if err != nil {
		w.Close()
		return nil, dbErr(op, err)
	}
	n := max(4, runtime.NumCPU())
	r.SetMaxOpenConns(n)
	r.SetMaxIdleConns(n)
	if err := r.PingContext(context.Background()); err != nil {
		r.Close()
		w.Close()
		return nil, dbErr(op, err)
	}
	s.r = r
	return s, nil
}

// prepareFile makes path absolute and creates its folders, and the file
// itself readable by its owner only, since it holds password hashes. SQLite
// gives its -wal and -shm files the permissions of the database file.
func prepareFile(path string) (string, error) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return "", err
	}
	if err := os.MkdirAll(filepath.Dir(abs), 0o750); err != nil {
		return "", err
	}
	f, err := os.OpenFile(abs, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return "", err
	}
	return abs, f.Close()
}

// dsn returns the data source name of the writer or of a reader. The
// pragmas are part of it so that they apply to every connection the pools
// open, including ones opened to replace a broken connection.
//
// synchronous=NORMAL skips the fsync at each commit: in WAL mode a commit is
// then durable against a crash of the process (the WAL is in the OS page
// cache) and the database can never be corrupted; only a power loss or an
// OS crash can lose the last transactions before a checkpoint.
func dsn(path string, writer bool) string {
	q := []string{
		fmt.Sprintf("_pragma=busy_timeout(%d)", busyTimeout.Milliseconds()),
		"_pragma=foreign_keys(1)",
		"_pragma=synchronous(NORMAL)",
	}
	if writer {
		// journal_mode=WAL is persistent in the file; readers inherit it.
		q = append(q, "_pragma=journal_mode(WAL)", "_txlock=immediate")
	} else {
		q = append(q, "_query_only=1")
	}
	// A file: URI, escaped, so that a path may hold '?' or '#'.
	u := url.URL{Scheme: "file", Path: filepath.ToSlash(path), RawQuery: strings.Join(q, "&")}
	return u.String()
}

// Close closes both pools; the last connection checkpoints the WAL.
func (s *Store) Close() error {
	var errs []error
	if s.r != nil {
		errs = append(errs, s.r.Close())
	}
	errs = append(errs, s.w.Close())
	if err := errors.Join(errs...); err != nil {
		return dbErr("meta/sqlite: close", err)
	}
	return nil
}

// write runs fn in a write transaction (BEGIN IMMEDIATE) and commits when fn
// returns nil. An error of fn that is not an *ferry.Error is wrapped as
// CodeDatabaseUnavailable.
func (s *Store) write(ctx context.Context, op string, fn func(*sql.Tx) error) error {
	tx, err := s.w.BeginTx(ctx, nil)
	if err != nil {
		return dbErr(op, err)
	}
	if err := fn(tx); err != nil {
		_ = tx.Rollback()
		return ferry.Wrap(ferry.CodeDatabaseUnavailable, op, err)
	}
	if err := tx.Commit(); err != nil {
		return dbErr(op, err)
	}
	return nil
}

// read runs fn in a read transaction on a reader, so that all its queries
// see one snapshot.
func (s *Store) read(ctx context.Context, op string, fn func(*sql.Tx) error) error {
	tx, err := s.r.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return dbErr(op, err)
	}
	defer func() { _ = tx.Rollback() }()
	if err := fn(tx); err != nil {
		return ferry.Wrap(ferry.CodeDatabaseUnavailable, op, err)
	}
	return nil
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
	var se *msqlite.Error
	if errors.As(err, &se) {
		switch se.Code() {
		case sqlite3.SQLITE_CONSTRAINT_UNIQUE, sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY:
			return ferry.E(ferry.CodeAlreadyExists).WithOp(op).WithErr(err)
		case sqlite3.SQLITE_CONSTRAINT_FOREIGNKEY:
			return notFound(op, err)
		}
	}
	return dbErr(op, err)
}

// nanos is how a time is stored: Unix nanoseconds, 0 for the zero time.
func nanos(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixNano()
}

// fromNanos reads back what nanos stored, in UTC.
func fromNanos(n int64) time.Time {
	if n == 0 {
		return time.Time{}
	}
	return time.Unix(0, n).UTC()
}

// normLimit returns limit, or def when limit is not positive.
func normLimit(limit, def int) int {
	if limit <= 0 {
		return def
	}
	return limit
}

// inStates renders states as an SQL list of literals, e.g. ('a','b'). The
// states are ferry's constants, never user input.
func inStates(states ...ferry.State) string {
	q := make([]string, len(states))
	for i, s := range states {
		q[i] = "'" + strings.ReplaceAll(string(s), "'", "''") + "'"
	}
	return "(" + strings.Join(q, ",") + ")"
}
