package e2e

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ferryhq/ferry"
)

// The keyword scan of text that arrives over several requests goes on
// from node to node: a keyword whose first character came through node A
// and the rest through node B refuses the upload at B's request, before
// the last byte — B resumed the scan A saved.
func TestClusterKeywordScanMovesBetweenNodes(t *testing.T) {
	words := filepath.Join(t.TempDir(), "words.txt")
	if err := os.WriteFile(words, []byte(dictionary), 0o600); err != nil {
		t.Fatal(err)
	}
	c := newCluster(t, fmt.Sprintf("inspect:\n  keywords:\n    files: [%q]\n", words))
	nodes := startNodes(t, c, "A", "B")
	a, b := nodes[0], nodes[1]
	alice := a.user("alice", ferry.TierFree)
	a.user("bob", ferry.TierFree)
	first := []byte(strings.Repeat("季度数据 quarterly figures\n", 500) + "本段机")
	second := []byte(" 密。\n" + strings.Repeat("收入 revenue\n", 100))
	rest := []byte(strings.Repeat("支出 costs\n", 1000))
	tr := a.create(alice, []string{"bob"}, "figures.txt", int64(len(first)+len(second)+len(rest)), "")
	if r := a.patch(alice, tr.UploadURL, 0, first, nil); r.StatusCode != 204 {
		t.Fatalf("PATCH through A: %d %s", r.StatusCode, r.body)
	}
	e := b.wantError(b.patch(alice, tr.UploadURL, int64(len(first)), second, nil), 422, ferry.CodeSensitiveContent)
	if e.Details["category"] != "secret" || e.Details["offset"] != float64(len(first)-len("机")) {
		t.Errorf("5001 through B: %+v, want category secret at offset %d", e.Details, len(first)-len("机"))
	}
	if got := a.transfer(alice, tr.ID); got.State != ferry.StateRejected {
		t.Errorf("seen through A after B's refusal: %s", got.State)
	}
}
