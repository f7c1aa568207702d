package postgres

import (
	"context"
	"testing"

	"github.com/ferryhq/ferry"
	"github.com/ferryhq/ferry/meta/metatest"
	"github.com/ferryhq/ferry/meta/postgres/pgtest"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

// open opens a store on a fresh database of the shared cluster; the
// database is dropped when t ends.
func open(t testing.TB) *Store {
	t.Helper()
	return openDSN(t, pgtest.Shared(t).NewDatabase(t))
}

func openDSN(t testing.TB, dsn string) *Store {
	t.Helper()
	s, err := Open(context.Background(), dsn)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	return s
}

func TestConformance(t *testing.T) {
	metatest.Run(t, func(t *testing.T) ferry.MetaStore { return open(t) })
}
