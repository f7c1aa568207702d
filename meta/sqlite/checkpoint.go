package sqlite

import (
	"context"
	"database/sql"
	"sync"
	"sync/atomic"
	"time"
)

// Checkpoints. In WAL mode a commit appends the pages it changed to the
// WAL; a checkpoint copies them back into the database file and fsyncs
// both. SQLite checkpoints by itself in the connection that commits, once
// the WAL holds 1000 pages: that is, in the one writer, which every other
// write then waits for, and which under load checkpointed every few dozen
// commits (a sixth of its time, and the longest stalls). So the writer's
// automatic checkpoints are off (wal_autocheckpoint=0) and a checkpointer
// copies the WAL on a connection of its own, beside the writer, soon after
// each commit (PASSIVE: it neither blocks nor waits for readers or the
// writer).
//
// SQLite rewinds the WAL to its start only when a write begins after a
// checkpoint copied all of it; the checkpointer, running beside the
// writer, rarely finishes before the next commit. So when the WAL grows
// past walRewindAt pages, the writer checkpoints once itself between two
// of its transactions — there is little left to copy — and the next write
// rewinds the WAL.
//
// Durability does not change: a commit is in the WAL before write returns,
// as before (synchronous=NORMAL). It gains against a power loss: the WAL is
// now fsynced by the checkpoint that follows each commit, usually within
// milliseconds, not only once 1000 pages have gathered, which at a low rate
// of writes could take hours.

// checkpointEvery is the least time between two checkpoints.
const checkpointEvery = 20 * time.Millisecond

// walRewindAt is the WAL size, in pages, from which the writer lends a hand.
const walRewindAt = 4000

type checkpointer struct {
	db      *sql.DB
	kick    chan struct{} // a commit happened; buffered 1
	stop    chan struct{}
	stopped chan struct{}
	once    sync.Once
	// rewind asks the writer to checkpoint between two transactions.
	rewind atomic.Bool
}

func newCheckpointer(db *sql.DB) *checkpointer {
	c := &checkpointer{db: db, kick: make(chan struct{}, 1), stop: make(chan struct{}), stopped: make(chan struct{})}
	go c.run()
	return c
}

// committed tells the checkpointer that the WAL grew.
func (c *checkpointer) committed() {
	select {
	case c.kick <- struct{}{}:
	default:
	}
}

func (c *checkpointer) run() {
	defer close(c.stopped)
	for {
		select {
		case <-c.stop:
			return
		case <-c.kick:
		}
		if _, log, _, err := checkpoint(c.db); err == nil && log >= walRewindAt {
			c.rewind.Store(true)
		}
		select {
		case <-c.stop:
			return
		case <-time.After(checkpointEvery):
		}
	}
}

// close stops the checkpointer; the store's last connection to close
// checkpoints what is left.
func (c *checkpointer) close() {
	c.once.Do(func() { close(c.stop) })
	<-c.stopped
	c.db.Close()
}

// checkpoint runs a PASSIVE checkpoint on db: whether it was blocked, how
// many pages the WAL holds, and how many of them are in the database file.
func checkpoint(db *sql.DB) (busy bool, log, done int, err error) {
	err = db.QueryRowContext(context.Background(), `PRAGMA wal_checkpoint(PASSIVE)`).Scan(&busy, &log, &done)
	return busy, log, done, err
}
