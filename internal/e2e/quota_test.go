package e2e

import (
	"testing"

	"github.com/ferryhq/ferry"
	"github.com/ferryhq/ferry/httpapi/wire"
	"github.com/ferryhq/ferry/policy"
	"github.com/ferryhq/ferry/server"
)

// 50 concurrent creates against a quota that fits 10 accept exactly 10;
// the rest are refused with 6001 naming the rule and the limit.
func TestConcurrentCreatesNeverExceedQuota(t *testing.T) {
	const size = 1000
	e := start(t, func(c *server.Config) {
		c.Policy = policy.Default()
		c.Policy.Tiers[ferry.TierFree].StorageQuota = 10 * size
	})
	alice := e.user("alice", ferry.TierFree)
	e.user("bob", ferry.TierFree)

	created := 0
	for _, r := range concurrently(50, func() *resp { return e.createSized(alice, size) }) {
		switch r.StatusCode {
		case 201:
			created++
		case 413:
			b := r.errBody()
			if b.Code != ferry.CodeStorageQuotaExceeded || b.Rule != "tiers.free.storage_quota" || b.Details["limit"] != float64(10*size) {
				t.Errorf("refusal: %s", r.body)
			}
		default:
			t.Errorf("unexpected answer %d %s", r.StatusCode, r.body)
		}
	}
	if created != 10 {
		t.Fatalf("%d creates accepted, want exactly 10", created)
	}
	if got := e.storage(alice); got != 10*size {
		t.Fatalf("storage %d, want %d", got, 10*size)
	}
}

// Rejections before a byte is sent carry their code, status, rule and the
// limit, in the caller's language.
func TestCreateRefusals(t *testing.T) {
	e := start(t, nil)
	alice := e.user("alice", ferry.TierFree)
	e.user("bob", ferry.TierFree)
	create := func(req wire.CreateTransferRequest, lang string) *resp {
		return e.do(request{method: "POST", path: "/api/v1/transfers", token: alice, json: req,
			header: map[string]string{"Accept-Language": lang}})
	}
	b := e.wantError(create(wire.CreateTransferRequest{To: []string{"bob"}, Name: "huge.iso", Size: 5e9 + 1}, "en"), 413, ferry.CodeFileTooLarge)
	if b.Rule != "tiers.free.max_file_size" || b.Details["limit"] != float64(5e9) || b.Message != "Your tier allows files of at most 5 GB; this one is 5 GB (5000000001 bytes)." {
		t.Errorf("6002: %+v", b)
	}
	b = e.wantError(create(wire.CreateTransferRequest{To: []string{"bob"}, Name: "huge.iso", Size: 5e9 + 1}, "zh-CN,zh;q=0.9,en;q=0.5"), 413, ferry.CodeFileTooLarge)
	if b.Message != "您的账号等级单个文件最大为 5 GB,此文件为 5 GB (5000000001 bytes)。" {
		t.Errorf("6002 in Chinese: %q", b.Message)
	}
	e.wantError(create(wire.CreateTransferRequest{To: []string{"bob"}, Name: "../etc/passwd", Size: 1}, ""), 422, ferry.CodeFileNameInvalid)
	b = e.wantError(create(wire.CreateTransferRequest{To: []string{"nobody"}, Name: "a.txt", Size: 1}, ""), 422, ferry.CodeRecipientUnavailable)
	if b.Details["recipient"] != "nobody" {
		t.Errorf("4004 should name the recipient: %+v", b)
	}
	e.wantError(create(wire.CreateTransferRequest{To: nil, Name: "a.txt", Size: 1}, ""), 400, ferry.CodeBadRequest)
	e.wantError(create(wire.CreateTransferRequest{To: []string{"bob"}, Name: "a.txt", Size: 1, SHA256: "xyz"}, ""), 400, ferry.CodeBadRequest)
	e.wantError(e.do(request{method: "POST", path: "/api/v1/transfers", token: alice, body: stringsReader("{not json"),
		header: map[string]string{"Content-Type": "application/json"}}), 400, ferry.CodeBadRequest)
	// Nothing was created or reserved.
	if len(e.list(alice, "outbox").Transfers) != 0 || e.storage(alice) != 0 {
		t.Fatal("a refused create left something behind")
	}
}
