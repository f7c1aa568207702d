package e2e

import (
	"testing"
	"time"

	"github.com/ferryhq/ferry"
	"github.com/ferryhq/ferry/policy"
	"github.com/ferryhq/ferry/server"
)

// A create whose moment is before one already stored — a concurrent create
// that read the clock later but got there first, or a node whose clock is
// behind another's — still counts that one: the volume and the burst limit
// hold in every window, not only in the window that ends at its own
// moment.
func TestCreatesOutOfOrderKeepTheLimits(t *testing.T) {
	e := start(t, func(c *server.Config) {
		c.Policy = policy.Default()
		free := c.Policy.Tiers[ferry.TierFree]
		free.DailyVolume, free.MaxFileSize, free.StorageQuota = 10e9, 10e9, 1e12
		free.GroupLimits = map[string]ferry.Bytes{}
		free.Burst = policy.Burst{Count: 3, Per: policy.Duration(time.Hour)}
	})
	alice := e.user("alice", ferry.TierFree)
	e.user("bob", ferry.TierFree)

	e.decode(e.createSized(alice, 6e9), 201, nil)
	e.clock.Advance(-time.Minute) // the next create read an earlier clock
	e.volumeRefused(e.createSized(alice, 5e9))
	e.decode(e.createSized(alice, 4e9), 201, nil)

	e.clock.Advance(-time.Minute)
	e.decode(e.createSized(alice, 0), 201, nil) // the third of the hour
	e.clock.Advance(-time.Minute)
	e.wantError(e.createSized(alice, 0), 429, ferry.CodeTooManyUploads)
	if got := e.storage(alice); got != 10e9 {
		t.Fatalf("storage %d, want 10 GB", got)
	}
}
