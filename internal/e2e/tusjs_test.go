package e2e

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ferryhq/ferry"
)

// A real third-party tus client — tus-js-client from npm, under Node —
// uploads a file to ferry, is interrupted after its first chunk, and
// resumes from the upload URL; the recipient gets the file bit-identical.
// `make test` installs the client (npm ci in internal/e2e/js); without it
// this test fails rather than skips.
func TestTusJSClientResumes(t *testing.T) {
	node, err := exec.LookPath("node")
	if err != nil {
		t.Fatal("node is not installed: run `make test-deps`")
	}
	if _, err := os.Stat(filepath.Join("js", "node_modules", "tus-js-client")); err != nil {
		t.Fatal("tus-js-client is not installed: run `make test-deps` (npm ci in internal/e2e/js)")
	}
	e := start(t, nil)
	alice, bob := e.user("alice", ferry.TierFree), e.user("bob", ferry.TierFree)
	data := randomBytes(t, 1<<20+12345)
	file := filepath.Join(t.TempDir(), "季度 报告 final 🚀.img")
	if err := os.WriteFile(file, data, 0o600); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(node, "tus-upload.mjs")
	cmd.Dir = "js"
	cmd.Env = append(os.Environ(), "FERRY_URL="+e.url, "FERRY_TOKEN="+alice, "FILE="+file, "TO=bob")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("tus-js-client: %v\n%s", err, stderr.String())
	}
	var res struct {
		URL                     string
		AbortedAt, ServerOffset int64
		FinalOffset             int64
		SameURL                 bool
	}
	if err := json.Unmarshal(out, &res); err != nil {
		t.Fatalf("script output %q: %v", out, err)
	}
	if res.ServerOffset != 256*1024 || res.AbortedAt != res.ServerOffset || !res.SameURL || res.FinalOffset != int64(len(data)) {
		t.Fatalf("interruption and resume: %+v; want the server to hold exactly the first 256 KiB chunk, then all", res)
	}
	inbox := e.list(bob, "inbox")
	if len(inbox.Transfers) != 1 || inbox.Transfers[0].Name != filepath.Base(file) {
		t.Fatalf("inbox %+v", inbox)
	}
	id := inbox.Transfers[0].ID
	if !strings.HasSuffix(res.URL, "/api/v1/uploads/"+id) {
		t.Errorf("upload URL %s is not the transfer's", res.URL)
	}
	if r := e.do(request{method: "GET", path: "/api/v1/transfers/" + id + "/content", token: bob}); !bytes.Equal(r.body, data) {
		t.Fatal("content differs")
	}
}
