package e2e

import (
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/ferryhq/ferry"
	"github.com/ferryhq/ferry/httpapi/wire"
	"github.com/ferryhq/ferry/policy"
	"github.com/ferryhq/ferry/server"
)

// volumeNode is a node whose free tier may send 10 GB in any 24 hours, in
// files of any size up to that, and hold much more.
func volumeNode(t *testing.T) (*env, string) {
	e := start(t, func(c *server.Config) {
		c.Policy = policy.Default()
		free := c.Policy.Tiers[ferry.TierFree]
		free.DailyVolume, free.MaxFileSize, free.StorageQuota = 10e9, 10e9, 1e12
		free.GroupLimits = map[string]ferry.Bytes{}
		free.Burst = policy.Burst{Count: 1000, Per: policy.Duration(time.Minute)}
	})
	alice := e.user("alice", ferry.TierFree)
	e.user("bob", ferry.TierFree)
	return e, alice
}

// concurrently runs do n times at once and returns the answers.
func concurrently(n int, do func() *resp) []*resp {
	var wg sync.WaitGroup
	out := make([]*resp, n)
	for i := range n {
		wg.Add(1)
		go func() { defer wg.Done(); out[i] = do() }()
	}
	wg.Wait()
	return out
}

func (e *env) createSized(token string, size int64) *resp {
	return e.do(request{method: "POST", path: "/api/v1/transfers", token: token,
		json: wire.CreateTransferRequest{To: []string{"bob"}, Name: "part.img", Size: size}})
}

// retryAfter asserts a 6003 refusal and returns its Retry-After.
func (e *env) volumeRefused(r *resp) time.Duration {
	e.t.Helper()
	b := e.wantError(r, 429, ferry.CodeDailyVolumeExceeded)
	if b.Rule != "tiers.free.daily_volume" {
		e.t.Errorf("rule %q", b.Rule)
	}
	secs, err := strconv.Atoi(r.Header.Get("Retry-After"))
	if err != nil || int64(secs) != b.RetryAfterSeconds {
		e.t.Fatalf("Retry-After %q, body %d", r.Header.Get("Retry-After"), b.RetryAfterSeconds)
	}
	return time.Duration(secs) * time.Second
}

// 60 concurrent creates of 1 GB against a 10 GB rolling volume: exactly 10
// are accepted, the rest refused with 6003 — the reservation is made in the
// same transaction as the check, so parallel creates cannot overshoot.
func TestConcurrentCreatesNeverExceedTheDailyVolume(t *testing.T) {
	e, alice := volumeNode(t)
	created := 0
	for _, r := range concurrently(60, func() *resp { return e.createSized(alice, 1e9) }) {
		switch r.StatusCode {
		case 201:
			created++
		case 429:
			e.volumeRefused(r)
		default:
			t.Errorf("unexpected %d %s", r.StatusCode, r.body)
		}
	}
	if created != 10 {
		t.Fatalf("%d creates accepted, want exactly 10", created)
	}
	e.volumeRefused(e.createSized(alice, 1))
}

// The volume rolls: each transfer gives its share back exactly 24 hours
// after it was created, and Retry-After says when — measured on the
// injected clock. Refused, recalled and abandoned transfers give it back
// at once.
func TestDailyVolumeFreesUpOnTime(t *testing.T) {
	e, alice := volumeNode(t)
	e.decode(e.createSized(alice, 6e9), 201, nil) // 09:00
	e.clock.Advance(time.Hour)
	e.decode(e.createSized(alice, 4e9), 201, nil) // 10:00: full

	if d := e.volumeRefused(e.createSized(alice, 1)); d != 23*time.Hour {
		t.Fatalf("Retry-After %v, want 23h (when the 09:00 transfer leaves the window)", d)
	}
	// Needing more than the 09:00 transfer frees: only when the 10:00 one leaves too.
	if d := e.volumeRefused(e.createSized(alice, 7e9)); d != 24*time.Hour {
		t.Fatalf("Retry-After for 7 GB %v, want 24h", d)
	}
	e.clock.Advance(23*time.Hour - time.Second)
	if d := e.volumeRefused(e.createSized(alice, 1)); d != time.Second {
		t.Fatalf("a second before: Retry-After %v, want 1s", d)
	}
	e.clock.Advance(time.Second) // 09:00 the next day: the 6 GB left the window
	e.decode(e.createSized(alice, 6e9), 201, nil)
	e.volumeRefused(e.createSized(alice, 1))

	// A recall gives the volume back at once.
	var c wire.CreateTransferResponse
	e.clock.Advance(25 * time.Hour) // everything above has left the window
	e.decode(e.createSized(alice, 10e9), 201, &c)
	e.volumeRefused(e.createSized(alice, 1))
	e.decode(e.do(request{method: "DELETE", path: "/api/v1/transfers/" + c.ID, token: alice}), 200, nil)
	e.decode(e.createSized(alice, 10e9), 201, &c)

	// An abandoned upload gives it back when the sweeper abandons it.
	e.volumeRefused(e.createSized(alice, 1))
	e.clock.Advance(e.node.Transfers.Config().AbandonAfter + time.Second)
	// (the four uploads above that never got a byte are abandoned with it)
	if rep, err := e.node.Transfers.Sweep(t.Context()); err != nil || rep.Abandoned != 4 {
		t.Fatalf("sweep: %+v %v", rep, err)
	}
	if got := e.transfer(alice, c.ID); got.State != ferry.StateExpired || got.Error == nil || got.Error.Code != ferry.CodeUploadStalled {
		t.Fatalf("abandoned transfer: %+v", got)
	}
	e.decode(e.createSized(alice, 10e9), 201, &c)

	// So does an upload refused for its content.
	e.clock.Advance(25 * time.Hour)
	var small wire.CreateTransferResponse
	e.decode(e.do(request{method: "POST", path: "/api/v1/transfers", token: alice,
		json: wire.CreateTransferRequest{To: []string{"bob"}, Name: "invoice.pdf", Size: 10e9}}), 201, &small)
	e.volumeRefused(e.createSized(alice, 1))
	e.wantError(e.patch(alice, small.UploadURL, 0, exeBytes(t, 8192), nil), 415, ferry.CodeFileTypeMismatch)
	e.decode(e.createSized(alice, 10e9), 201, nil)
}
