// Package audit records ferry's decisions — every create accepted or
// refused, pre-check, upload verdict, failed login, risk change, recall and
// completed download — into the audit log of a ferry.AuditStore, off the
// request path.
//
// A Recorder queues each record in memory, and a single writer goroutine
// stores them in batches, one write transaction per batch, so that auditing
// costs a request a channel send rather than a database write. Nothing is
// dropped silently: when the queue is full Record waits for room
// (backpressure), and a batch the store refuses is retried, with backoff,
// until it is stored. Flush waits until everything recorded before it is
// stored; Close flushes and stops. Records are given up only when a Close
// runs out of time before the store recovers, or when they come after
// Close; each is then logged at level ERROR with all its fields, so that the
// log keeps what the audit log could not.
package audit
