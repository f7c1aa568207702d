package s3test

import (
	"context"
	"testing"
	"time"
)

func TestStartStop(t *testing.T) {
	s := Start(t)
	t.Logf("versitygw answered after %v", s.Startup)
	cfg := s.NewBucket(t)
	if ok, err := s.Client().BucketExists(t.Context(), cfg.Bucket); !ok || err != nil {
		t.Fatalf("NewBucket's bucket %s: exists %v, %v", cfg.Bucket, ok, err)
	}
	if other := s.NewBucket(t); other.Bucket == cfg.Bucket {
		t.Errorf("NewBucket returned %s twice", cfg.Bucket)
	}
	s.Stop()
	ctx, cancel := context.WithTimeout(t.Context(), 2*time.Second)
	defer cancel()
	if _, err := s.Client().ListBuckets(ctx); err == nil {
		t.Error("the gateway answered after Stop")
	}
	s.Stop() // again: nothing happens
}
