package e2e

import (
	"fmt"
	"os"
	"testing"

	"github.com/ferryhq/ferry/blob/s3/s3test"
	"github.com/ferryhq/ferry/meta/postgres/pgtest"
	"github.com/ferryhq/ferry/server"
)

// The suite runs on the embedded defaults (SQLite and a local folder), and
// with FERRY_E2E_STORES=postgres-s3 on what several nodes share: a fresh
// database of a real PostgreSQL (one cluster for the run) and a fresh
// bucket of a real S3 server (versitygw) for every node. `make test` runs
// it both ways.
const storesEnv = "FERRY_E2E_STORES"

// sharedStores reports whether the run is on PostgreSQL and S3.
func sharedStores(t testing.TB) bool {
	switch v := os.Getenv(storesEnv); v {
	case "", "embedded":
		return false
	case "postgres-s3":
		return true
	default:
		t.Fatalf("%s=%q: want embedded or postgres-s3", storesEnv, v)
		return false
	}
}

// useSharedStores points cfg at a fresh PostgreSQL database and S3 bucket
// when the run is on them.
func useSharedStores(t testing.TB, cfg *server.Config) {
	if !sharedStores(t) {
		return
	}
	pg := pgtest.Shared(t)
	cfg.Metadata = server.MetadataConfig{Driver: "postgres", DSN: pg.NewDatabase(t)}
	s3cfg := s3test.Start(t).NewBucket(t)
	cfg.Blobs.Driver = "s3"
	cfg.Blobs.Endpoint, cfg.Blobs.Region, cfg.Blobs.Bucket = s3cfg.Endpoint, s3cfg.Region, s3cfg.Bucket
	cfg.Blobs.AccessKey, cfg.Blobs.SecretKey, cfg.Blobs.PathStyle = s3cfg.AccessKey, s3cfg.SecretKey, true
	cfg.Blobs.TempDir = s3cfg.TempDir
}

// The run is on the stores it says it is on.
func TestRunsOnTheConfiguredStores(t *testing.T) {
	e := start(t, nil)
	meta, blobs := fmt.Sprintf("%T", e.node.Meta), fmt.Sprintf("%T", e.node.Blobs)
	want := [2]string{"*sqlite.Store", "*local.Store"}
	if sharedStores(t) {
		want = [2]string{"*postgres.Store", "*s3.Store"}
	}
	if [2]string{meta, blobs} != want {
		t.Errorf("stores %s and %s, want %s and %s (%s=%q)", meta, blobs, want[0], want[1], storesEnv, os.Getenv(storesEnv))
	}
}
