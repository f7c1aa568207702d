// Package sqlite is ferry's metadata store on a single SQLite file: accounts,
// sessions, transfers with their recipients, and the blob index, behind the
// ferry.MetaStore interface. It uses the pure-Go driver modernc.org/sqlite,
// so the ferry binary needs no C toolchain.
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
//     one read transaction, so it sees one consistent snapshot.
//
// Callbacks that run inside a write transaction (the check of
// CreateTransfer, the remove of DeleteBlob) hold the one writer connection:
// they may read from the store but must not write to it, or they deadlock.
//
// # Schema
//
// The schema is created and upgraded by the versioned migrations embedded
// from migrations/*.sql, applied at Open (see Store.Migrate). Times are
// stored as INTEGER Unix nanoseconds, the zero time.Time as 0, and read back
// in UTC.
package sqlite
