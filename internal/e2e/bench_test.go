package e2e

import (
	"net/http"
	"os"
	"path/filepath"
	"testing"

	"github.com/ferryhq/ferry"
	"github.com/ferryhq/ferry/policy"
	"github.com/ferryhq/ferry/server"
)

// BenchmarkUpload measures ingest through the real HTTP API and stores:
// one tus PATCH of 256 MiB streamed from a file, as curl sends it. The
// whole-machine comparison with tusd is bench/run.sh.
func BenchmarkUpload(b *testing.B) {
	const size = 256 << 20
	e := start(b, func(c *server.Config) {
		c.Policy = policy.Default()
		c.Policy.Tiers[ferry.TierFree].StorageQuota = 1 << 50
	})
	alice := e.user("alice", ferry.TierFree)
	e.user("bob", ferry.TierFree)
	file := filepath.Join(b.TempDir(), "payload")
	if err := os.WriteFile(file, randomBytes(b, size), 0o600); err != nil {
		b.Fatal(err)
	}
	b.SetBytes(size)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		c := e.create(alice, []string{"bob"}, "payload.img", size, "")
		f, err := os.Open(file)
		if err != nil {
			b.Fatal(err)
		}
		req, _ := http.NewRequest("PATCH", e.url+c.UploadURL, f)
		req.ContentLength = size
		for k, v := range map[string]string{"Authorization": "Bearer " + alice, "Tus-Resumable": "1.0.0",
			"Upload-Offset": "0", "Content-Type": "application/offset+octet-stream"} {
			req.Header.Set(k, v)
		}
		b.StartTimer()
		res, err := http.DefaultClient.Do(req)
		b.StopTimer()
		f.Close()
		if err != nil || res.StatusCode != 204 {
			b.Fatalf("PATCH: %v %v", err, res)
		}
		res.Body.Close()
		e.node.Transfers.Recall(b.Context(), &ferry.Account{ID: 2}, c.ID)
		e.node.Transfers.Sweep(b.Context())
		b.StartTimer()
	}
}
