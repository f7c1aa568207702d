package e2e

import (
	"testing"
	"time"

	"github.com/ferryhq/ferry"
	"github.com/ferryhq/ferry/httpapi/wire"
	"github.com/ferryhq/ferry/policy"
	"github.com/ferryhq/ferry/server"
)

// A file that would be accepted: every check passed, in either language.
// And pre-checks reserve nothing: after any number of them, a create that
// exactly fills the 24-hour volume is accepted — and so is one within the
// burst limit —; then a pre-check, like a create, finds the volume full.
func TestPrecheckAcceptedLeavesVolumeAndBurst(t *testing.T) {
	t.Parallel()
	e := start(t, func(c *server.Config) {
		free := c.Policy.Tiers[ferry.TierFree]
		free.DailyVolume = 1000
		free.Burst = policy.Burst{Count: 1, Per: policy.Duration(time.Minute)}
	})
	alice := e.user("alice", ferry.TierFree)
	e.user("bob", ferry.TierFree)
	all := wire.CreateTransferRequest{To: []string{"bob"}, Name: "季度 报告 final.pdf", Size: 1000}
	before := e.usageOf(alice)
	for _, lang := range codeLangs {
		pc := e.precheck(alice, all, withLang(lang, nil))
		if pc.Verdict != "accepted" || pc.Error != nil {
			t.Fatalf("pre-check of the whole volume: %+v", pc)
		}
		rules := map[string]bool{}
		for _, c := range pc.Checks {
			rules[c.Rule] = true
			if !c.Passed || c.Code != 0 || c.Message != "" {
				t.Errorf("check %+v of an acceptable file", c)
			}
		}
		for _, r := range []string{"admission.shed_first", policy.RuleFileName, "blocked_types", "tiers.free.type_groups",
			"tiers.free.max_file_size", "tiers.free.burst", "tiers.free.storage_quota", "tiers.free.daily_volume", "recipients"} {
			if !rules[r] {
				t.Errorf("no check of %s among %v", r, rules)
			}
		}
	}
	if got := e.usageOf(alice); got != before {
		t.Errorf("pre-checks changed the sender's usage: %+v, was %+v", got, before)
	}
	e.create(alice, all.To, all.Name, all.Size, "")

	e.clock.Advance(time.Minute) // past the burst limit, well within the 24 hours
	more := wire.CreateTransferRequest{To: []string{"bob"}, Name: "more.img", Size: 1}
	want := codeWant{rule: "tiers.free.daily_volume", retryAfter: 24*3600 - 60}
	e.wantPrecheckRejects(e.precheck(alice, more, nil), ferry.CodeDailyVolumeExceeded, ferry.English, want)
	e.wantCode(e.do(request{method: "POST", path: "/api/v1/transfers", token: alice, json: more}), ferry.CodeDailyVolumeExceeded, ferry.English, want)
}

// When a request breaks two rules, the pre-check names the one a create
// answers: "the first failed check is the code a real create would
// return now" (transfer.Precheck).
func TestPrecheckParityWhenTwoRulesFail(t *testing.T) {
	t.Parallel()
	e := start(t, func(c *server.Config) {
		c.Policy.Tiers[ferry.TierFree].StorageQuota = 1000
	})
	alice := e.user("alice", ferry.TierFree)
	e.user("bob", ferry.TierFree)
	for _, tc := range []struct {
		name string
		req  wire.CreateTransferRequest
	}{
		{"unknown recipient, over the storage quota", wire.CreateTransferRequest{To: []string{"nobody"}, Name: "a.img", Size: 2000}},
		{"malformed sha256, over the storage quota", wire.CreateTransferRequest{To: []string{"bob"}, Name: "a.img", Size: 2000, SHA256: "xyz"}},
	} {
		pc := e.precheck(alice, tc.req, nil)
		r := e.do(request{method: "POST", path: "/api/v1/transfers", token: alice, json: tc.req})
		b := r.errBody()
		if pc.Error == nil || pc.Error.Code != b.Code {
			t.Errorf("%s: the pre-check says %+v, the create %d %d", tc.name, pc.Error, r.StatusCode, b.Code)
		}
	}
}
