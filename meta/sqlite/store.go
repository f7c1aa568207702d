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

	msqlite "modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"github.com/ferryhq/ferry"
	"github.com/ferryhq/ferry/meta/internal/sqlstore"
)

// Store is a ferry.MetaStore on one SQLite file. It is safe for concurrent
// use; see the package documentation for how writes are serialised.
type Store struct {
	w *sql.DB // the one writer connection; every transaction is BEGIN IMMEDIATE
	r *sql.DB // query_only readers
	// ws and rs keep the prepared statements of w and r (see stmtCache).
	ws, rs *stmtCache
	// wr runs every write on w, several to a transaction (see writer).
	wr *writer
	// cp checkpoints the WAL beside the writer (see checkpointer).
	cp *checkpointer
}

var (
	_ ferry.MetaStore    = (*Store)(nil)
	_ ferry.SessionStore = (*Store)(nil)
)

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
	// sql.Open connects lazily: nothing here touches the file yet.
	w, err := sql.Open("sqlite", dsn(abs, roleWriter))
	if err != nil {
		return nil, dbErr(op, err)
	}
	w.SetMaxOpenConns(1)
	w.SetMaxIdleConns(1)
	w.SetConnMaxLifetime(0)
	w.SetConnMaxIdleTime(0)
	cp, err := sql.Open("sqlite", dsn(abs, roleCheckpointer))
	if err != nil {
		w.Close()
		return nil, dbErr(op, err)
	}
	cp.SetMaxOpenConns(1)
	s := &Store{w: w, ws: newStmtCache(w), cp: newCheckpointer(cp)}
	s.wr = newWriter(s)
	// Migrate runs on the writer first: it switches the file to WAL, which
	// the readers then find in place.
	if err := s.Migrate(context.Background()); err != nil {
		s.Close()
		return nil, err
	}
	r, err := sql.Open("sqlite", dsn(abs, roleReader))
	if err != nil {
		s.Close()
		return nil, dbErr(op, err)
	}
	n := max(4, runtime.NumCPU())
	r.SetMaxOpenConns(n)
	r.SetMaxIdleConns(n)
	s.r, s.rs = r, newStmtCache(r)
	if err := r.PingContext(context.Background()); err != nil {
		s.Close()
		return nil, dbErr(op, err)
	}
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

// The connections of a store, by what they do.
const (
	roleWriter       = iota // the one writer
	roleReader              // the query_only readers
	roleCheckpointer        // the checkpointer's one connection
)

// dsn returns the data source name of a connection of role. The pragmas are
// part of it so that they apply to every connection the pools open,
// including ones opened to replace a broken connection.
//
// synchronous=NORMAL skips the fsync at each commit: in WAL mode a commit is
// then durable against a crash of the process (the WAL is in the OS page
// cache) and the database can never be corrupted; only a power loss or an
// OS crash can lose the transactions since the last checkpoint, which
// fsyncs the WAL (see checkpointer: within milliseconds of a commit).
//
// temp_store=MEMORY keeps SQLite's temporary files in memory: chiefly the
// journal of each savepoint of a shared write transaction (see writer),
// which would otherwise be written to a temporary file page by page. They
// are never part of the database, so this changes nothing on a crash.
//
// The writer's page cache (cache_size, in KiB when negative) is larger than
// SQLite's 2 MiB: it is the one connection that writes, so what it caches
// stays valid from one transaction to the next, and the transfer IDs are
// random, so each create touches another page of their index. A reader's
// cache is dropped whenever the database changed, so the default does. The
// writer does not checkpoint by itself (wal_autocheckpoint=0): see
// checkpointer.
func dsn(path string, role int) string {
	q := []string{
		fmt.Sprintf("_pragma=busy_timeout(%d)", busyTimeout.Milliseconds()),
		"_pragma=foreign_keys(1)",
		"_pragma=synchronous(NORMAL)",
		"_pragma=temp_store(MEMORY)",
	}
	switch role {
	case roleWriter:
		// journal_mode=WAL is persistent in the file; readers inherit it.
		q = append(q, "_pragma=journal_mode(WAL)", "_txlock=immediate", "_pragma=cache_size(-65536)",
			"_pragma=wal_autocheckpoint(0)")
	case roleReader:
		q = append(q, "_query_only=1")
	}
	// A file: URI, escaped, so that a path may hold '?' or '#'.
	u := url.URL{Scheme: "file", Path: filepath.ToSlash(path), RawQuery: strings.Join(q, "&")}
	return u.String()
}

// Close waits for the writes under way, then closes both pools; the last
// connection checkpoints the WAL. A write after Close fails (9002).
func (s *Store) Close() error {
	s.wr.close()
	s.cp.close()
	var errs []error
	if s.r != nil {
		s.rs.close()
		errs = append(errs, s.r.Close())
	}
	s.ws.close()
	errs = append(errs, s.w.Close())
	if err := errors.Join(errs...); err != nil {
		return dbErr("meta/sqlite: close", err)
	}
	return nil
}

// write runs fn in a write transaction (BEGIN IMMEDIATE) and commits when fn
// returns nil; fn may share the transaction with other writes, each in its
// own savepoint (see writer). An error of fn that is not an *ferry.Error is
// wrapped as CodeDatabaseUnavailable.
func (s *Store) write(ctx context.Context, op string, fn func(*txn) error) error {
	return s.wr.do(ctx, op, fn)
}

// read runs fn in a read transaction on a reader, so that all its queries
// see one snapshot. A read of one statement needs none: see readOne.
func (s *Store) read(ctx context.Context, op string, fn func(*txn) error) error {
	tx, err := s.r.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return dbErr(op, err)
	}
	defer s.rs.prepareNoted(ctx) // runs after the rollback below
	defer func() { _ = tx.Rollback() }()
	if err := fn(&txn{Tx: tx, c: s.rs}); err != nil {
		return ferry.Wrap(ferry.CodeDatabaseUnavailable, op, err)
	}
	return nil
}

// readOne runs fn, which makes a single query, on a reader without a
// transaction: one statement reads one snapshot by itself, and BEGIN and
// ROLLBACK would double the round trips of the reads every request makes.
func (s *Store) readOne(op string, fn func(*stmtCache) error) error {
	if err := fn(s.rs); err != nil {
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
// written as the partial indexes of the migrations write them. The states
// are ferry's constants, never user input.
func inStates(states ...ferry.State) string {
	q := make([]string, len(states))
	for i, s := range states {
		q[i] = quote(string(s))
	}
	return "(" + strings.Join(q, ", ") + ")"
}

// quote renders s as an SQL string literal.
func quote(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }
