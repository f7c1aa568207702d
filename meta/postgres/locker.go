package postgres

import (
	"context"
	"hash/fnv"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/ferryhq/ferry"
)

// Locker is a transfer.Locker for many nodes: the right to write an upload
// is a session-level advisory lock in PostgreSQL, so that it holds on every
// node, and goes with a node that dies, since its connection drops.
//
// Each node holds all its locks on one connection of its own (not one per
// upload: a node may write hundreds of uploads at once). A newcomer that
// finds an upload locked asks its holder to let go, on whichever node it
// is, with NOTIFY on ferryLetGo; the holder's node, which LISTENs on a
// second connection, cancels the holder and calls its interrupt. Releasing
// NOTIFYs ferryReleased, which wakes the waiters on every node at once. A
// node that died sends nothing: waiters also try again every retryEvery.
//
// Session advisory locks are re-entrant within a session, and one session
// holds all of a node's locks, so the node keeps its holders in memory as
// well and takes a lock only when no holder of its own has it.
type Locker struct {
	wait       time.Duration
	retryEvery time.Duration
	cfg        *pgx.ConnConfig

	mu      sync.Mutex // guards conn and the maps; conn is used under it
	conn    *pgx.Conn  // holds every lock of this node; nil when broken
	held    map[string]*lockHolder
	waiters map[string]map[chan struct{}]struct{}

	stop   context.CancelFunc
	closed chan struct{} // closed when the listener has ended
}

type lockHolder struct {
	cancel    context.CancelFunc
	interrupt func()
}

// The channels of the notifications a Locker sends: their payload is an
// upload ID.
const (
	ferryLetGo    = "ferry_upload_let_go"
	ferryReleased = "ferry_upload_released"
)

// Locker returns a Locker that waits up to wait for a holder to let go
// before answering 2006 UPLOAD_LOCKED. It opens two connections of its
// own to the store's database; Close closes them, which releases every
// lock still held.
func (s *Store) Locker(ctx context.Context, wait time.Duration) (*Locker, error) {
	const op = "meta/postgres: locker"
	cfg := s.pool.Config().ConnConfig.Copy()
	l := &Locker{wait: wait, retryEvery: time.Second, cfg: cfg,
		held: map[string]*lockHolder{}, waiters: map[string]map[chan struct{}]struct{}{}, closed: make(chan struct{})}
	listen, err := pgx.ConnectConfig(ctx, cfg)
	if err != nil {
		return nil, dbErr(op, err)
	}
	if _, err := listen.Exec(ctx, `LISTEN `+ferryLetGo+`; LISTEN `+ferryReleased); err != nil {
		listen.Close(context.Background())
		return nil, dbErr(op, err)
	}
	if l.conn, err = pgx.ConnectConfig(ctx, cfg); err != nil {
		listen.Close(context.Background())
		return nil, dbErr(op, err)
	}
	lctx, stop := context.WithCancel(context.Background())
	l.stop = stop
	go l.listen(lctx, listen)
	go l.watch(lctx)
	return l, nil
}

// Close releases every lock of this node, cancelling their holders, and
// closes the Locker's connections.
func (l *Locker) Close() error {
	l.stop()
	<-l.closed
	l.mu.Lock()
	defer l.mu.Unlock()
	l.dropLocked()
	return nil
}

// dropLocked closes the connection that holds the locks, and so releases
// them all, and cancels every holder: none holds its lock any more.
func (l *Locker) dropLocked() {
	if l.conn != nil {
		l.conn.Close(context.Background())
		l.conn = nil
	}
	for id, h := range l.held {
		h.cancel()
		delete(l.held, id)
	}
}

// lockKey is the advisory lock of upload id, in the one-key space (with
// migrationLock, which a 64-bit hash of an ID all but never meets).
func lockKey(id string) int64 {
	h := fnv.New64a()
	h.Write([]byte("upload:" + id))
	return int64(h.Sum64())
}

// Lock implements transfer.Locker.
func (l *Locker) Lock(ctx context.Context, id string, interrupt func()) (context.Context, func(), error) {
	timer := time.NewTimer(l.wait)
	defer timer.Stop()
	retry := time.NewTicker(l.retryEvery)
	defer retry.Stop()
	woken := make(chan struct{}, 1)
	l.mu.Lock()
	if l.waiters[id] == nil {
		l.waiters[id] = map[chan struct{}]struct{}{}
	}
	l.waiters[id][woken] = struct{}{}
	l.mu.Unlock()
	defer func() {
		l.mu.Lock()
		delete(l.waiters[id], woken)
		if len(l.waiters[id]) == 0 {
			delete(l.waiters, id)
		}
		l.mu.Unlock()
	}()
	asked := false
	for {
		lctx, release, err := l.try(ctx, id, interrupt)
		if err != nil || release != nil {
			return lctx, release, err
		}
		if !asked { // once: the holder has been told, however often we look again
			if err := l.askToLetGo(id); err != nil {
				return nil, nil, err
			}
			asked = true
		}
		select {
		case <-woken:
		case <-retry.C:
		case <-ctx.Done():
			return nil, nil, ctx.Err()
		case <-timer.C:
			return nil, nil, ferry.E(ferry.CodeUploadLocked).WithOp("meta/postgres: lock upload")
		}
	}
}

// TryLock takes key only when no one holds it, on any node, and does not
// wait or ask a holder to let go: release is nil when it is taken. It is
// the lease of work that one node at a time should do (inspecting a
// transfer), given up when the node dies; the context is cancelled when
// the lock is lost with the connection. Keys share the space of uploads:
// prefix them.
func (l *Locker) TryLock(ctx context.Context, key string) (context.Context, func(), error) {
	return l.try(ctx, key, nil)
}

// try takes upload id when neither a holder of this node nor another node
// has it; release is nil when it is taken.
func (l *Locker) try(ctx context.Context, id string, interrupt func()) (context.Context, func(), error) {
	const op = "meta/postgres: lock upload"
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.held[id] != nil {
		return nil, nil, nil
	}
	if l.conn == nil {
		c, err := pgx.ConnectConfig(ctx, l.cfg)
		if err != nil {
			return nil, nil, dbErr(op, err)
		}
		l.conn = c
	}
	var got bool
	qctx, cancel := queryContext()
	defer cancel()
	if err := l.conn.QueryRow(qctx, `SELECT pg_try_advisory_lock($1)`, lockKey(id)).Scan(&got); err != nil {
		// The state of the session is unknown: start again without it.
		l.dropLocked()
		return nil, nil, dbErr(op, err)
	}
	if !got {
		return nil, nil, nil
	}
	lctx, cancel := context.WithCancel(ctx)
	h := &lockHolder{cancel: cancel, interrupt: interrupt}
	l.held[id] = h
	var once sync.Once
	return lctx, func() { once.Do(func() { l.release(id, h) }) }, nil
}

// queryTimeout bounds a query on the connection that holds the locks. Its
// queries never watch a caller's context: a query that is cancelled
// breaks the connection, and with it every lock of the node.
const queryTimeout = 10 * time.Second

func queryContext() (context.Context, context.CancelFunc) {
	return context.WithTimeout(context.Background(), queryTimeout)
}

// watch pings the connection that holds the locks every retryEvery while
// any is held, until ctx ends: when it broke, the locks are gone, and
// their holders are told at once (their contexts are cancelled) rather
// than writing on beside a new holder on another node.
func (l *Locker) watch(ctx context.Context) {
	tick := time.NewTicker(l.retryEvery)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
		l.mu.Lock()
		if l.conn != nil && len(l.held) > 0 {
			qctx, cancel := queryContext()
			if err := l.conn.Ping(qctx); err != nil {
				l.dropLocked()
			}
			cancel()
		}
		l.mu.Unlock()
	}
}

// release lets go of upload id, which h holds, and wakes the waiters on
// every node. When the connection broke meanwhile the lock is gone already.
func (l *Locker) release(id string, h *lockHolder) {
	h.cancel()
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.held[id] != h { // dropped with a broken connection
		return
	}
	delete(l.held, id)
	if l.conn == nil {
		return
	}
	// One statement: the notification goes out when it commits, after the
	// lock is free.
	qctx, cancel := queryContext()
	defer cancel()
	if _, err := l.conn.Exec(qctx, `SELECT pg_advisory_unlock($1), pg_notify($2, $3)`,
		lockKey(id), ferryReleased, id); err != nil {
		l.dropLocked()
	}
	l.wakeLocked(id)
}

// askToLetGo tells the holder of upload id to let go: directly when it is
// of this node, else by a notification that its node hears.
func (l *Locker) askToLetGo(id string) error {
	if l.letGo(id) {
		return nil
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.conn == nil {
		return nil // try reconnects, and finds out
	}
	qctx, cancel := queryContext()
	defer cancel()
	if _, err := l.conn.Exec(qctx, `SELECT pg_notify($1, $2)`, ferryLetGo, id); err != nil {
		l.dropLocked()
		return dbErr("meta/postgres: lock upload", err)
	}
	return nil
}

// letGo cancels this node's holder of upload id and calls its interrupt,
// and reports whether there was one.
func (l *Locker) letGo(id string) bool {
	l.mu.Lock()
	h := l.held[id]
	l.mu.Unlock()
	if h == nil {
		return false
	}
	h.cancel()
	if h.interrupt != nil {
		h.interrupt()
	}
	return true
}

func (l *Locker) wakeLocked(id string) {
	for w := range l.waiters[id] {
		select {
		case w <- struct{}{}:
		default:
		}
	}
}

// listen hears the notifications of every node until ctx ends: requests
// to let go of an upload this node holds, and releases that its waiters
// wait for. When the connection breaks it connects again; waiters meanwhile
// look again every retryEvery.
func (l *Locker) listen(ctx context.Context, c *pgx.Conn) {
	defer close(l.closed)
	defer func() {
		if c != nil {
			c.Close(context.Background())
		}
	}()
	for ctx.Err() == nil {
		if c == nil {
			var err error
			if c, err = l.relisten(ctx); err != nil {
				select {
				case <-ctx.Done():
				case <-time.After(l.retryEvery):
				}
				continue
			}
		}
		n, err := c.WaitForNotification(ctx)
		if err != nil {
			c.Close(context.Background())
			c = nil
			continue
		}
		switch n.Channel {
		case ferryLetGo:
			l.letGo(n.Payload)
		case ferryReleased:
			l.mu.Lock()
			l.wakeLocked(n.Payload)
			l.mu.Unlock()
		}
	}
}

func (l *Locker) relisten(ctx context.Context) (*pgx.Conn, error) {
	c, err := pgx.ConnectConfig(ctx, l.cfg)
	if err != nil {
		return nil, err
	}
	if _, err := c.Exec(ctx, `LISTEN `+ferryLetGo+`; LISTEN `+ferryReleased); err != nil {
		c.Close(context.Background())
		return nil, err
	}
	return c, nil
}
