package e2e

import (
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/ferryhq/ferry"
	"github.com/ferryhq/ferry/httpapi/wire"
	"github.com/ferryhq/ferry/policy"
	"github.com/ferryhq/ferry/server"
)

// createCase is one code that a create refuses with before a byte is sent.
type createCase struct {
	name string
	code ferry.Code
	want codeWant
	// details are details the answer must carry, as JSON has them.
	details map[string]any
	// setup brings the node where the create is refused.
	setup  func(t *testing.T, e *env, s sender)
	req    wire.CreateTransferRequest // To: bob when empty
	header map[string]string
	// honest: once the injected clock has moved on by the Retry-After,
	// the same create is accepted.
	honest bool
	// then runs after the refusals.
	then func(t *testing.T, e *env, s sender)
}

// sender is the account a case sends from.
type sender struct{ name, token string }

// createGroup is cases that run one after the other on one node.
type createGroup struct {
	name  string
	edit  func(*server.Config)
	cases []createCase
	// ownSender: each case sends from an account of its own, as its rule
	// looks at what the sender did before (usage, risk) or the rule
	// refuses every create of the sender; otherwise all share one.
	ownSender bool
}

// The time zone the schedules below are written in: the harness clock
// starts at 2026-11-02 09:00 UTC, a Monday, 17:00 in Shanghai.
const shanghai = "Asia/Shanghai"

func createGroups() []createGroup {
	return []createGroup{
		{name: "files and requests", edit: fileRules, cases: fileCases()},
		{name: "usage and risk", edit: usageRules, cases: usageCases(), ownSender: true},
		{name: "maintenance window", cases: []createCase{{name: "maintenance window", code: ferry.CodeMaintenanceWindow,
			// 16:00–01:00 in Shanghai: it is 17:00 there, the window ends
			// after midnight, at 17:00 UTC, in 8 hours
			want: codeWant{rule: "maintenance_windows[0]", retryAfter: 8 * 3600}, details: map[string]any{"until": "2026-11-03T01:00:00+08:00"},
			req: wire.CreateTransferRequest{Name: "a.pdf", Size: 1000}, honest: true}},
			edit: func(c *server.Config) {
				c.Policy.MaintenanceWindows = []policy.Window{{Start: "16:00", End: "01:00", Timezone: shanghai}}
			}},
		{name: "peak hours", cases: []createCase{{name: "peak hours", code: ferry.CodePeakHoursLimit,
			// 09:00–18:00 on weekdays in Shanghai: one more hour
			want: codeWant{rule: "peak_hours[0]", retryAfter: 3600}, details: map[string]any{"limit": 1e6, "actual": 2e6, "until": "2026-11-02T18:00:00+08:00"},
			setup: func(t *testing.T, e *env, s sender) {
				e.create(s.token, []string{"bob"}, "small.mp4", 1e6, "") // small files go at peak too
			},
			req: wire.CreateTransferRequest{Name: "talk.mp4", Size: 2e6}, honest: true}},
			edit: func(c *server.Config) {
				c.Policy.PeakHours = []policy.PeakHours{{Window: policy.Window{Start: "09:00", End: "18:00", Timezone: shanghai,
					Days: []string{"mon", "tue", "wed", "thu", "fri"}}, Tiers: []string{"free"}, MaxFileSize: 1e6}}
			}},
	}
}

// fileRules are the rules of fileCases: none of them refuses a create
// that another case makes.
func fileRules(c *server.Config) {
	free := c.Policy.Tiers[ferry.TierFree]
	free.GroupLimits["media"] = 1000                   // 1006
	free.MaxFileSize = 5000                            // 6002
	c.Policy.MinClientVersion = "1.0.0"                // 2001: only clients that say their version
	c.Policy.TrustedProxies = []string{"127.0.0.1/32"} // 3003: the test is the proxy
	c.Policy.Regions = []policy.Region{{Name: "guest Wi-Fi", CIDRs: []string{"198.51.100.0/24"}, Action: "deny"}}
}

func fileCases() []createCase {
	return []createCase{
		{name: "type not allowed", code: ferry.CodeFileTypeNotAllowed,
			want:    codeWant{rule: "tiers.free.type_groups"},
			details: map[string]any{"extension": ".exe", "group": "executable"},
			req:     wire.CreateTransferRequest{Name: "setup.exe", Size: 1000}},
		{name: "type blocked", code: ferry.CodeFileTypeBlocked,
			want: codeWant{rule: "blocked_types"}, details: map[string]any{"extension": ".lnk"},
			req: wire.CreateTransferRequest{Name: "report.pdf.lnk", Size: 1000}},
		{name: "name with a slash", code: ferry.CodeFileNameInvalid,
			want: codeWant{rule: policy.RuleFileName}, details: map[string]any{"reason": "it contains a path separator"},
			req: wire.CreateTransferRequest{Name: "reports/q3.pdf", Size: 1000}},
		{name: "name with a control character", code: ferry.CodeFileNameInvalid,
			want: codeWant{rule: policy.RuleFileName}, details: map[string]any{"reason": "it contains a control character"},
			req: wire.CreateTransferRequest{Name: "bell\a.pdf", Size: 1000}},
		{name: "too large for its type", code: ferry.CodeFileTooLargeForType,
			want: codeWant{rule: "tiers.free.group_limits.media"}, details: map[string]any{"group": "media", "limit": 1000, "actual": 1001},
			req: wire.CreateTransferRequest{Name: "talk.mp4", Size: 1001},
			then: func(t *testing.T, e *env, s sender) {
				e.create(s.token, []string{"bob"}, "talk.pdf", 1001, "") // the cap is the media group's only
			}},
		{name: "file too large", code: ferry.CodeFileTooLarge,
			want: codeWant{rule: "tiers.free.max_file_size"}, details: map[string]any{"limit": 5000, "actual": 5001},
			req: wire.CreateTransferRequest{Name: "notes.pdf", Size: 5001}},
		{name: "client too old", code: ferry.CodeClientTooOld,
			want: codeWant{rule: "min_client_version"}, details: map[string]any{"limit": "1.0.0", "actual": "0.9.0"},
			req:    wire.CreateTransferRequest{Name: "a.pdf", Size: 1000},
			header: map[string]string{wire.HeaderClientVersion: "0.9.0"},
			then: func(t *testing.T, e *env, s sender) {
				for _, h := range []map[string]string{{wire.HeaderClientVersion: "1.0.0"}, nil} { // the minimum; a third-party client
					e.createFrom(s.token, h, "a.pdf", 1000)
				}
			}},
		{name: "region restricted", code: ferry.CodeRegionRestricted,
			want: codeWant{rule: "regions[0]"}, details: map[string]any{"region": "guest Wi-Fi"},
			req: wire.CreateTransferRequest{Name: "a.pdf", Size: 1000}, header: map[string]string{"X-Forwarded-For": "198.51.100.7"},
			then: func(t *testing.T, e *env, s sender) {
				e.createFrom(s.token, map[string]string{"X-Forwarded-For": "203.0.113.9"}, "a.pdf", 1000)
			}},
		{name: "unknown recipient", code: ferry.CodeRecipientUnavailable,
			want: codeWant{rule: "recipients"}, details: map[string]any{"recipient": "nobody"},
			req: wire.CreateTransferRequest{To: []string{"bob", "nobody"}, Name: "a.pdf", Size: 1000}},
		{name: "disabled recipient", code: ferry.CodeRecipientUnavailable,
			want: codeWant{rule: "recipients"}, details: map[string]any{"recipient": "dave"},
			setup: func(t *testing.T, e *env, s sender) {
				e.user("dave", ferry.TierFree)
				disabled := true
				e.decode(e.do(request{method: "PATCH", path: "/api/v1/admin/users/dave", token: e.admin,
					json: wire.UpdateUserRequest{Disabled: &disabled}}), 200, nil)
			},
			req: wire.CreateTransferRequest{To: []string{"dave"}, Name: "a.pdf", Size: 1000}},
	}
}

// usageRules are the limits of usageCases, which each count what their own
// sender did.
func usageRules(c *server.Config) {
	free := c.Policy.Tiers[ferry.TierFree]
	free.StorageQuota, free.DailyVolume = 2000, 1500                       // 6001, 6003
	free.Burst = policy.Burst{Count: 3, Per: policy.Duration(time.Minute)} // 7001, 4003
	c.Policy.TrustedProxies = []string{"127.0.0.1/32"}                     // 7003: the test is the proxy
	c.Policy.Sessions.MaxNetworks = 2
	c.Policy.Admission.MaxConcurrentUploads = 2 // 3001: free is shed from 1
	c.Policy.Admission.ShedAt = 0.5
}

func usageCases() []createCase {
	return []createCase{
		storageCase(),
		{name: "daily volume", code: ferry.CodeDailyVolumeExceeded,
			// the first transfer leaves the rolling 24 hours 23 hours from now
			want: codeWant{rule: "tiers.free.daily_volume", retryAfter: 23 * 3600}, details: map[string]any{"limit": 1500, "used": 900, "actual": 900},
			setup: func(t *testing.T, e *env, s sender) {
				e.create(s.token, []string{"bob"}, "monday.img", 900, "")
				e.clock.Advance(time.Hour)
			},
			req: wire.CreateTransferRequest{Name: "tuesday.img", Size: 900}, honest: true},
		admissionCase(),
		{name: "step-up required, no authenticator", code: ferry.CodeStepUpRequired,
			want: codeWant{rule: "risk.login_failures", retryAfter: 1800}, details: map[string]any{"totp_enrolled": false},
			setup: func(t *testing.T, e *env, s sender) { failLogins(e, s.name, 3) },
			req:   wire.CreateTransferRequest{Name: "a.pdf", Size: 100}, honest: true},
		{name: "account restricted", code: ferry.CodeAccountRestricted,
			want: codeWant{rule: "risk.max_events", retryAfter: 24 * 3600}, // details: TestCodesAccountRestrictedAdminClears
			setup: func(t *testing.T, e *env, s sender) {
				burstEvents(e, s.token, 3, 6) // one more than the 5 risk events allowed
			},
			req: wire.CreateTransferRequest{Name: "a.pdf", Size: 100}, honest: true},
		{name: "burst", code: ferry.CodeTooManyUploads,
			// three at one time, asked 10 s later: the first leaves the minute in 50 s
			want: codeWant{rule: "tiers.free.burst", retryAfter: 50}, details: map[string]any{"limit": 3, "actual": 3, "per": "1m"},
			setup: func(t *testing.T, e *env, s sender) {
				for range 3 {
					e.create(s.token, []string{"bob"}, "one.pdf", 100, "")
				}
				e.clock.Advance(10 * time.Second)
			},
			req: wire.CreateTransferRequest{Name: "four.pdf", Size: 100}, honest: true},
		{name: "session anomaly", code: ferry.CodeSessionAnomaly,
			want: codeWant{rule: "sessions.max_networks"}, details: map[string]any{"limit": 2, "actual": 3},
			setup: func(t *testing.T, e *env, s sender) {
				for _, ip := range []string{"10.1.1.1", "10.2.2.2"} { // two /24 networks
					e.createFrom(s.token, map[string]string{"X-Forwarded-For": ip}, "a.pdf", 100)
				}
			},
			req: wire.CreateTransferRequest{Name: "a.pdf", Size: 100}, header: map[string]string{"X-Forwarded-For": "10.3.3.3"},
			then: func(t *testing.T, e *env, s sender) { // a network in use is fine
				e.createFrom(s.token, map[string]string{"X-Forwarded-For": "10.1.1.200"}, "a.pdf", 100)
			}},
	}
}

// storageCase: 6001. A transfer of yesterday (outside the daily volume)
// holds 1000 of 2000; recalling it gives its storage back.
func storageCase() createCase {
	var first string
	return createCase{name: "storage quota", code: ferry.CodeStorageQuotaExceeded,
		want: codeWant{rule: "tiers.free.storage_quota"}, details: map[string]any{"limit": 2000, "used": 1000, "actual": 1001},
		setup: func(t *testing.T, e *env, s sender) {
			first = e.send(s.token, []string{"bob"}, "first.img", randomBytes(t, 1000))
			e.clock.Advance(24 * time.Hour)
		},
		req: wire.CreateTransferRequest{Name: "second.img", Size: 1001},
		then: func(t *testing.T, e *env, s sender) {
			e.decode(e.do(request{method: "DELETE", path: "/api/v1/transfers/" + first, token: s.token}), 200, nil)
			e.create(s.token, []string{"bob"}, "second.img", 1001, "")
		}}
}

// admissionCase: 3001. The node takes 2 uploads at once and sheds the
// free tier from half of that: while one upload is being received, a free
// sender's create and its other upload are refused, a member's create is
// not; once the upload is done, the free sender may create again.
func admissionCase() createCase {
	var held *heldPatch
	var waiting wire.CreateTransferResponse
	return createCase{name: "server busy", code: ferry.CodeServerBusy,
		want: codeWant{rule: "admission.shed_first", retryAfter: 30}, details: map[string]any{"limit": 1, "actual": 1},
		setup: func(t *testing.T, e *env, s sender) {
			c := e.create(s.token, []string{"bob"}, "held.img", 10, "")
			waiting = e.create(s.token, []string{"bob"}, "waiting.img", 10, "")
			held = e.holdPatch(s.token, c.UploadURL, 0, 10, nil)
		},
		req: wire.CreateTransferRequest{Name: "a.pdf", Size: 100},
		then: func(t *testing.T, e *env, s sender) {
			for _, lang := range codeLangs { // an upload request is admitted alike
				e.wantCode(e.patch(s.token, waiting.UploadURL, 0, randomBytes(t, 10), withLang(lang, nil)), ferry.CodeServerBusy, lang,
					codeWant{rule: "admission.shed_first", retryAfter: 30})
			}
			if n := e.offsetOf(s.token, waiting.UploadURL); n != 0 {
				t.Errorf("a refused upload wrote %d bytes", n)
			}
			carol := e.user("carol", ferry.TierMember) // paying tiers are shed last
			e.create(carol, []string{"bob"}, "a.pdf", 100, "")
			if r := held.finish(randomBytes(t, 10)); r.StatusCode != 204 {
				t.Fatalf("the held upload: %d %s", r.StatusCode, r.body)
			}
			e.create(s.token, []string{"bob"}, "a.pdf", 100, "")
		}}
}

// createFrom creates a transfer to bob with the request headers h.
func (e *env) createFrom(token string, h map[string]string, name string, size int64) {
	e.t.Helper()
	e.decode(e.do(request{method: "POST", path: "/api/v1/transfers", token: token, header: h,
		json: wire.CreateTransferRequest{To: []string{"bob"}, Name: name, Size: size}}), 201, nil)
}

// failLogins fails n logins of user.
func failLogins(e *env, user string, n int) {
	e.t.Helper()
	for range n {
		e.wantError(e.do(request{method: "POST", path: "/api/v1/login",
			json: wire.LoginRequest{Username: user, Password: "not-" + user + "-password"}}), 401, ferry.CodeLoginFailed)
	}
}

// burstEvents makes n risk events for the sender of token, under a burst
// limit of count creates a minute: count creates, then n refused (7001).
func burstEvents(e *env, token string, count, n int) {
	e.t.Helper()
	for range count {
		e.create(token, []string{"bob"}, "burst.pdf", 1, "")
	}
	for range n {
		e.wantError(e.do(request{method: "POST", path: "/api/v1/transfers", token: token,
			json: wire.CreateTransferRequest{To: []string{"bob"}, Name: "burst.pdf", Size: 1}}), 429, ferry.CodeTooManyUploads)
	}
}

// riskOf answers GET /api/v1/admin/users/{name}/risk.
func (e *env) riskOf(name string) wire.Risk {
	e.t.Helper()
	var out wire.Risk
	e.decode(e.do(request{method: "GET", path: "/api/v1/admin/users/" + name + "/risk", token: e.admin}), 200, &out)
	return out
}

// wantDetails asserts that got holds want's details, compared as JSON.
func wantDetails(t testing.TB, code ferry.Code, got, want map[string]any) {
	t.Helper()
	for k, v := range want {
		g, _ := json.Marshal(got[k])
		w, _ := json.Marshal(v)
		if string(g) != string(w) {
			t.Errorf("%d: details[%q] = %s, want %s (details %v)", code, k, g, w, got)
		}
	}
}

// Every code a create refuses with, through POST /api/v1/transfers, and
// the same request through POST /api/v1/precheck: the pre-check answers
// the create's code, names the failed rule among its checks, and — like
// the refused create — leaves outbox, storage, volume (and, for the
// pre-check, the risk events) as they were.
func TestCodesAtCreateAndPrecheck(t *testing.T) {
	t.Parallel()
	for _, g := range createGroups() {
		t.Run(g.name, func(t *testing.T) {
			t.Parallel()
			e := start(t, g.edit)
			e.decode(e.do(request{method: "POST", path: "/api/v1/admin/users", token: e.admin, // bob only receives
				json: wire.CreateUserRequest{Username: "bob", Password: "bob-password", Tier: ferry.TierFree}}), 201, nil)
			s := sender{name: "alice", token: e.user("alice", ferry.TierFree)}
			for i, tc := range g.cases {
				t.Run(tc.name, func(t *testing.T) {
					e := e.on(t)
					if g.ownSender && i > 0 {
						name := fmt.Sprintf("sender%d", tc.code)
						s = sender{name: name, token: e.user(name, ferry.TierFree)}
					}
					createRefused(t, e, s, tc)
				})
			}
		})
	}
}

// createRefused runs one createCase on e.
func createRefused(t *testing.T, e *env, s sender, tc createCase) {
	if tc.setup != nil {
		tc.setup(t, e, s)
	}
	req := tc.req
	if len(req.To) == 0 {
		req.To = []string{"bob"}
	}
	before, events := e.usageOf(s.token), e.riskOf(s.name).Events24h

	var checked wire.Error
	for _, lang := range codeLangs {
		pc := e.precheck(s.token, req, withLang(lang, tc.header))
		e.wantPrecheckRejects(pc, tc.code, lang, tc.want)
		wantDetails(t, tc.code, pc.Error.Details, tc.details)
		checked = *pc.Error
	}
	if got := e.usageOf(s.token); got != before {
		t.Errorf("pre-checks changed the sender's usage: %+v, was %+v", got, before)
	}
	if got := e.riskOf(s.name).Events24h; got != events {
		t.Errorf("pre-checks recorded risk events: %d, were %d", got, events)
	}

	for _, lang := range codeLangs {
		r := e.do(request{method: "POST", path: "/api/v1/transfers", token: s.token, json: req, header: withLang(lang, tc.header)})
		b := e.wantCode(r, tc.code, lang, tc.want)
		wantDetails(t, tc.code, b.Details, tc.details)
		if b.Rule != checked.Rule || b.RetryAfterSeconds != checked.RetryAfterSeconds {
			t.Errorf("create: rule %q retry after %d; the pre-check said %q, %d", b.Rule, b.RetryAfterSeconds, checked.Rule, checked.RetryAfterSeconds)
		}
	}
	if got := e.usageOf(s.token); got != before {
		t.Errorf("refused creates changed the sender's usage: %+v, was %+v", got, before)
	}

	if tc.honest {
		e.clock.Advance(time.Duration(tc.want.retryAfter) * time.Second)
		r := e.do(request{method: "POST", path: "/api/v1/transfers", token: s.token, json: req, header: tc.header})
		if r.StatusCode != 201 {
			t.Errorf("after Retry-After (%d s) the create is still refused: %d %s", tc.want.retryAfter, r.StatusCode, r.body)
		}
	}
	if tc.then != nil {
		tc.then(t, e, s)
	}
}
