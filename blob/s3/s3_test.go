package s3_test

import (
	"testing"

	"github.com/ferryhq/ferry"
	"github.com/ferryhq/ferry/blob/blobtest"
	"github.com/ferryhq/ferry/blob/s3"
	"github.com/ferryhq/ferry/blob/s3/s3test"
)

const mib = 1 << 20

func TestConformance(t *testing.T) {
	srv := s3test.Start(t)
	t.Logf("versitygw answered after %v", srv.Startup)
	blobtest.Run(t, func(t *testing.T) ferry.BlobStore { return open(t, srv.NewBucket(t)) })
}

// open opens the store on cfg, failing tb on an error.
func open(tb testing.TB, cfg s3.Config) *s3.Store {
	tb.Helper()
	s, err := s3.Open(tb.Context(), cfg)
	if err != nil {
		tb.Fatalf("Open(%s): %v", cfg.Bucket, err)
	}
	return s
}

// TestConformanceSmallParts runs the suite with the smallest parts S3
// allows, against a server shared by the subtests.
func TestConformanceSmallParts(t *testing.T) {
	srv := s3test.Start(t)
	blobtest.Run(t, func(t *testing.T) ferry.BlobStore {
		cfg := srv.NewBucket(t)
		cfg.PartSize = s3.MinPartSize
		return open(t, cfg)
	})
}
