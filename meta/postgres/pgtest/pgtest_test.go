package pgtest_test

import (
	"context"
	"testing"

	"github.com/ferryhq/ferry/meta/postgres/pgtest"
	"github.com/jackc/pgx/v5"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

// Each database is fresh and empty, and the DSN reaches it.
func TestNewDatabase(t *testing.T) {
	srv := pgtest.Shared(t)
	ctx := t.Context()
	a, b := srv.NewDatabase(t), srv.NewDatabase(t)
	if a == b {
		t.Fatalf("two databases share the DSN %s", a)
	}
	ca, err := pgx.Connect(ctx, a)
	if err != nil {
		t.Fatal(err)
	}
	defer ca.Close(context.Background())
	if _, err := ca.Exec(ctx, `CREATE TABLE t (x int)`); err != nil {
		t.Fatal(err)
	}
	cb, err := pgx.Connect(ctx, b)
	if err != nil {
		t.Fatal(err)
	}
	defer cb.Close(context.Background())
	var n int
	if err := cb.QueryRow(ctx, `SELECT count(*) FROM pg_tables WHERE schemaname = 'public'`).Scan(&n); err != nil || n != 0 {
		t.Errorf("a fresh database holds %d tables (%v), want 0", n, err)
	}
	var fsync string
	if err := ca.QueryRow(ctx, `SHOW fsync`).Scan(&fsync); err != nil || fsync != "off" {
		t.Errorf("fsync = %q (%v), want off", fsync, err)
	}
}

// A cluster of one's own stops when its test ends: its port then refuses.
func TestStartStop(t *testing.T) {
	var dsn string
	t.Run("own", func(t *testing.T) {
		srv := pgtest.Start(t)
		dsn = srv.DSN("postgres")
		c, err := pgx.Connect(t.Context(), dsn)
		if err != nil {
			t.Fatal(err)
		}
		c.Close(context.Background())
		t.Logf("started in %v", srv.Startup)
	})
	if dsn == "" {
		t.Skip("no server")
	}
	if c, err := pgx.Connect(t.Context(), dsn); err == nil {
		c.Close(context.Background())
		t.Errorf("%s still answers after its test ended", dsn)
	}
}
