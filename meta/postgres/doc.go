// Package postgres is ferry's metadata store on PostgreSQL, for running
// many ferry nodes behind a load balancer: accounts, sessions, risk state,
// transfers with their recipients, the blob index and the audit log,
// behind ferry.MetaStore, with the behaviour of meta/sqlite (both pass
// meta/metatest). It uses pgx and its pool.
//
// # Concurrency across nodes
//
// SQLite has one writer, so meta/sqlite gets every exclusion the contract
// asks for by serialising all writes. Here every node writes at once, and
// each exclusion is a lock that PostgreSQL holds, so that it holds across
// nodes and goes away with a node that dies:
//
//   - CreateTransfer and UpdateRisk lock the account's row (SELECT … FOR
//     NO KEY UPDATE, which leaves inserts that refer to the account free):
//     a sender's creates, and an account's risk updates, run one at a time.
//   - The blob index methods take a transaction-level advisory lock on the
//     blob: they serialise per blob, not for every blob as in SQLite.
//   - UpdateTransfer is one conditional UPDATE, which PostgreSQL serialises
//     per row.
//
// Writes run at READ COMMITTED, so that a statement after a lock sees what
// the lock's previous holder committed (at REPEATABLE READ the snapshot
// would be older than the lock). Reads of several statements run in a
// read-only REPEATABLE READ transaction, to see one snapshot; reads of one
// statement use the pool. A transaction that PostgreSQL aborts for a
// deadlock or a serialization failure is run again, a few times, from the
// start: the callbacks of CreateTransfer and DeleteBlob may then run more
// than once, as the contract allows.
//
// # Usage
//
// CreateTransfer reads the sender's usage while it holds the sender's
// lock, so what that costs is paid by every create of a busy sender. It
// is computed as in meta/sqlite, from partial indexes and running figures
// (sender_rank, sender_networks), so that it never reads the transfers
// that no longer count.
//
// # Schema
//
// The schema is created and upgraded by the versioned migrations embedded
// from migrations/*.sql, applied at Open (see Store.Migrate) under an
// advisory lock, so that nodes starting together migrate once. Times are
// bigint Unix nanoseconds, the zero time.Time as 0, read back in UTC:
// timestamptz keeps microseconds, and ferry's windows are exact to the
// nanosecond. Keys and names are COLLATE "C": they sort by bytes, as in
// SQLite, whatever the database's locale.
//
// PostgreSQL's text holds neither NUL nor bytes that are not UTF-8, which
// a Go string and SQLite may. What ferry records as it was given (the
// audit log's names) is stored with those replaced by U+FFFD, and a lookup
// by such a key finds nothing; JSON (a transfer's error, audit details) is
// stored as json, not jsonb, so that a \u0000 in it is kept.
//
// # Upload locks
//
// Store.Locker returns a transfer.Locker whose locks are session advisory
// locks, held on one connection per node, with LISTEN/NOTIFY to ask a
// holder on another node to let go and to wake waiters (see Locker).
//
// Tests start a real server with package pgtest.
package postgres
