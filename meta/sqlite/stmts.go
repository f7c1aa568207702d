package sqlite

import (
	"context"
	"database/sql"
	"sync"
)

// Statements are prepared once per connection and kept. Preparing (parsing
// and planning) costs more than running most of ferry's queries, which are
// index lookups, and database/sql prepares a plain Query or Exec anew each
// time; a *sql.Stmt keeps the prepared statement of every connection of its
// pool, and a transaction reuses the one of its connection (Tx.StmtContext).
//
// SQLite re-prepares a kept statement by itself when the schema changes.

// maxStmts bounds a cache; past it, queries are prepared each time. Every
// query of the store is one of a few dozen texts, so this only guards
// against a text that would vary with its arguments.
const maxStmts = 256

// stmtCache holds the prepared statements of one pool, by query text.
//
// A statement is prepared on the pool, which takes one of its connections;
// inside a transaction, which holds a connection, that could wait forever
// (the writer pool has one). So a transaction that meets a query not kept
// yet runs it unprepared and notes it, and prepareNoted, called once the
// transaction has ended, prepares what was noted.
type stmtCache struct {
	db    *sql.DB
	mu    sync.RWMutex
	m     map[string]*sql.Stmt // nil value: noted, not prepared yet
	noted bool
}

func newStmtCache(db *sql.DB) *stmtCache {
	return &stmtCache{db: db, m: map[string]*sql.Stmt{}}
}

// lookup returns the kept statement of query, or nil after noting it.
func (c *stmtCache) lookup(query string) *sql.Stmt {
	c.mu.RLock()
	st, seen := c.m[query]
	c.mu.RUnlock()
	if st != nil || seen {
		return st
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if _, seen := c.m[query]; !seen && len(c.m) < maxStmts {
		c.m[query], c.noted = nil, true
	}
	return nil
}

// prepareNoted prepares the queries lookup noted. It must not be called
// while holding a connection of the pool, and holds no lock while it
// prepares (a transaction that holds the connection may be looking up). A
// query that does not prepare is forgotten, to be noted again when it runs
// next (a query that cannot be prepared fails as it runs, too).
func (c *stmtCache) prepareNoted(ctx context.Context) {
	c.mu.Lock()
	if !c.noted {
		c.mu.Unlock()
		return
	}
	c.noted = false
	var queries []string
	for q, st := range c.m {
		if st == nil {
			queries = append(queries, q)
		}
	}
	c.mu.Unlock()
	for _, q := range queries {
		st, err := c.db.PrepareContext(ctx, q)
		if err != nil {
			c.mu.Lock()
			if c.m[q] == nil {
				delete(c.m, q)
			}
			c.mu.Unlock()
			continue
		}
		c.mu.Lock()
		if c.m[q] == nil {
			c.m[q], st = st, nil
		}
		c.mu.Unlock()
		if st != nil { // another call prepared it first
			st.Close()
		}
	}
}

// get returns the statement of query, preparing it first when needed; it
// must not be called while holding a connection of the pool.
func (c *stmtCache) get(ctx context.Context, query string) *sql.Stmt {
	if st := c.lookup(query); st != nil {
		return st
	}
	c.prepareNoted(ctx)
	c.mu.RLock()
	defer c.mu.RUnlock()
	return c.m[query]
}

// close closes every statement.
func (c *stmtCache) close() {
	c.mu.Lock()
	defer c.mu.Unlock()
	for q, st := range c.m {
		if st != nil {
			st.Close()
		}
		delete(c.m, q)
	}
}

// QueryRowContext runs a query expected to return at most one row, outside
// a transaction (a single statement reads one snapshot).
func (c *stmtCache) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	if st := c.get(ctx, query); st != nil {
		return st.QueryRowContext(ctx, args...)
	}
	return c.db.QueryRowContext(ctx, query, args...)
}

// QueryContext runs a query outside a transaction.
func (c *stmtCache) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	if st := c.get(ctx, query); st != nil {
		return st.QueryContext(ctx, args...)
	}
	return c.db.QueryContext(ctx, query, args...)
}

// txn is a transaction whose queries use the statements of its pool's
// cache. It has the methods of *sql.Tx; the three below shadow theirs.
type txn struct {
	*sql.Tx
	c *stmtCache
	// noCancel: the transaction is shared by several writes (see writer),
	// so the end of one caller's context must not interrupt a statement,
	// which would roll back every write of the transaction.
	noCancel bool
}

func (t *txn) ctx(ctx context.Context) context.Context {
	if t.noCancel {
		return context.WithoutCancel(ctx)
	}
	return ctx
}

func (t *txn) stmt(ctx context.Context, query string) *sql.Stmt {
	if st := t.c.lookup(query); st != nil {
		return t.Tx.StmtContext(ctx, st)
	}
	return nil
}

// QueryRowContext is (*sql.Tx).QueryRowContext with a kept statement.
func (t *txn) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	ctx = t.ctx(ctx)
	if st := t.stmt(ctx, query); st != nil {
		return st.QueryRowContext(ctx, args...)
	}
	return t.Tx.QueryRowContext(ctx, query, args...)
}

// QueryContext is (*sql.Tx).QueryContext with a kept statement.
func (t *txn) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	ctx = t.ctx(ctx)
	if st := t.stmt(ctx, query); st != nil {
		return st.QueryContext(ctx, args...)
	}
	return t.Tx.QueryContext(ctx, query, args...)
}

// ExecContext is (*sql.Tx).ExecContext with a kept statement.
func (t *txn) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	ctx = t.ctx(ctx)
	if st := t.stmt(ctx, query); st != nil {
		return st.ExecContext(ctx, args...)
	}
	return t.Tx.ExecContext(ctx, query, args...)
}
