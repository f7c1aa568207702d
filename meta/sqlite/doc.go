// Package sqlite is ferry's metadata store on a single SQLite file: accounts,
// sessions, transfers with their recipients, and the blob index, behind the
// ferry.MetaStore interface. It uses the pure-Go driver modernc.org/sqlite,
// so the ferry binary needs no C toolchain. It is also the faster of the
// two here: with the cgo driver github.com/mattn/go-sqlite3 v1.14.53 in
// its place (same statements, pragmas and pools), the decision benchmarks
// of internal/e2e answered 4,924 pre-checks/s against 10,208 and 1,827
// create-then-deletes/s against 2,520 (2026-12-02, 2 CPUs): ferry's
// queries are short index lookups, and each step of a statement through
// cgo costs more than the work it does.
//
// # Concurrency
//
// ferry calls the store from many goroutines at once, and no call may fail
// because the database is locked. The store therefore keeps two pools on the
// same file:
//
//   - a writer pool of exactly one connection, on which every write runs
//     inside a transaction opened with BEGIN IMMEDIATE (the driver's
//     _txlock=immediate). Writers in this process queue for that connection
//     in Go, not in SQLite; a writer in another process waits in SQLite's
//     busy handler (busy_timeout). Because the write lock is taken when the
//     transaction begins, never upgraded from a read lock half-way through,
//     SQLite never has to answer SQLITE_BUSY to break a deadlock.
//   - a reader pool of several query_only connections. In WAL mode readers
//     neither block the writer nor are blocked by it, and each read runs in
//     one read transaction (or is one statement), so it sees one consistent
//     snapshot.
//
// Writes that wait for the writer share a transaction, each in its own
// savepoint, and are answered once it commits (group commit; see batch.go):
// they are serialised as before, one that fails is undone alone, and what
// returns nil is committed. The WAL is checkpointed by a connection of its
// own beside the writer (checkpoint.go). Every connection keeps its
// prepared statements (stmts.go).
//
// Callbacks that run inside a write transaction (the check of
// CreateTransfer, the remove of DeleteBlob) hold the one writer connection:
// they may read from the store but must not write to it, or they deadlock.
//
// # Usage
//
// CreateTransfer reads the sender's usage inside its write transaction, so
// what that costs is paid by every write. It therefore never reads the
// transfers that no longer count: the live ones (for storage) and the
// counting ones of the last 24 hours (for the volume) come from partial
// indexes, the count of creates in the burst span from each transfer's
// sender_rank, and the networks of the session span from sender_networks.
//
// # Schema
//
// The schema is created and upgraded by the versioned migrations embedded
// from migrations/*.sql, applied at Open (see Store.Migrate). Times are
// stored as INTEGER Unix nanoseconds, the zero time.Time as 0, and read back
// in UTC.
package sqlite
