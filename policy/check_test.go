package policy

import (
	"net/netip"
	"testing"
	"time"

	"github.com/ferryhq/ferry"
)

var (
	free       = &ferry.Account{ID: 1, Username: "alice", Tier: ferry.TierFree}
	edu        = &ferry.Account{ID: 2, Username: "eve", Tier: ferry.TierEdu}
	enterprise = &ferry.Account{ID: 3, Username: "ent", Tier: ferry.TierEnterprise}
	monday9am  = time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC) // a Monday
)

func completed(t *testing.T, edit func(*Policy)) *Policy {
	t.Helper()
	p := Default()
	if edit != nil {
		edit(p)
	}
	if err := p.Complete(); err != nil {
		t.Fatal(err)
	}
	return p
}

type ruleCase struct {
	name   string
	edit   func(*Policy)
	facts  Facts
	code   ferry.Code
	rule   string
	retry  time.Duration // expected Retry-After, when non-zero
	detail map[string]any
}

func (tc ruleCase) run(t *testing.T) {
	t.Helper()
	p := completed(t, tc.edit)
	f := tc.facts
	if f.Account == nil {
		f.Account = free
	}
	if f.Name == "" {
		f.Name = "report.pdf"
	}
	if f.Now.IsZero() {
		f.Now = monday9am
	}
	err := Verdict(p.Evaluate(f))
	if ferry.ErrorCode(err) != tc.code {
		t.Fatalf("%s: verdict %v, want code %d", tc.name, err, tc.code)
	}
	if err == nil {
		return
	}
	fe := ferry.AsError(err)
	if fe.Rule != tc.rule {
		t.Errorf("%s: rule %q, want %q", tc.name, fe.Rule, tc.rule)
	}
	if tc.retry != 0 && fe.RetryAfter != tc.retry {
		t.Errorf("%s: Retry-After %v, want %v", tc.name, fe.RetryAfter, tc.retry)
	}
	for k, v := range tc.detail {
		if fe.Details[k] != v {
			t.Errorf("%s: detail %s = %v (%T), want %v (%T)", tc.name, k, fe.Details[k], fe.Details[k], v, v)
		}
	}
}

func TestFileRules(t *testing.T) {
	for _, tc := range []ruleCase{
		{name: "a pdf passes", facts: Facts{Name: "季度 报告.pdf", Size: 1}},
		{name: "at the file limit", facts: Facts{Size: 5e9}},
		{name: "one byte over the file limit", facts: Facts{Size: 5e9 + 1}, code: ferry.CodeFileTooLarge, rule: "tiers.free.max_file_size",
			detail: map[string]any{"limit": ferry.Bytes(5e9), "actual": ferry.Bytes(5e9 + 1)}},
		{name: "enterprise may send 50 GB", facts: Facts{Account: enterprise, Size: 50e9}},
		{name: "media at its 4 GB cap", facts: Facts{Name: "film.mp4", Size: 4e9}},
		{name: "media one byte over its cap", facts: Facts{Name: "film.mp4", Size: 4e9 + 1}, code: ferry.CodeFileTooLargeForType,
			rule: "tiers.free.group_limits.media", detail: map[string]any{"group": "media", "limit": ferry.Bytes(4e9)}},
		{name: "a shortcut is blocked for everyone", facts: Facts{Account: enterprise, Name: "Payroll.LNK"}, code: ferry.CodeFileTypeBlocked,
			rule: "blocked_types", detail: map[string]any{"extension": ".lnk"}},
		{name: "an exe is not in free's groups", facts: Facts{Name: "setup.exe"}, code: ferry.CodeFileTypeNotAllowed, rule: "tiers.free.type_groups",
			detail: map[string]any{"extension": ".exe", "group": "executable"}},
		{name: "psd is professional: not for free", facts: Facts{Name: "poster.psd"}, code: ferry.CodeFileTypeNotAllowed, rule: "tiers.free.type_groups"},
		{name: "psd is fine for edu", facts: Facts{Account: edu, Name: "poster.psd"}},
		{name: "an unknown extension is not whitelisted", facts: Facts{Name: "data.xyzzy"}, code: ferry.CodeFileTypeNotAllowed,
			detail: map[string]any{"extension": ".xyzzy"}, rule: "tiers.free.type_groups"},
		{name: "no extension", facts: Facts{Name: "Makefile"}, code: ferry.CodeFileTypeNotAllowed, rule: "tiers.free.type_groups",
			detail: map[string]any{"extension": "(no extension)"}},
		{name: "an unsafe name comes before its type", facts: Facts{Name: "../x.exe"}, code: ferry.CodeFileNameInvalid, rule: RuleFileName},
		{name: "unknown tier fails closed", facts: Facts{Account: &ferry.Account{Tier: "gold"}}, code: ferry.CodeForbidden, rule: "tiers.gold"},
	} {
		tc.run(t)
	}
}

func TestScheduleRules(t *testing.T) {
	window := func(ws ...Window) func(*Policy) { return func(p *Policy) { p.MaintenanceWindows = ws } }
	night := Window{Start: "23:30", End: "02:00", Timezone: "Asia/Shanghai"} // crosses midnight, UTC+8
	peak := func(p *Policy) {
		p.PeakHours = []PeakHours{{Window: Window{Start: "09:00", End: "18:00", Timezone: "Asia/Shanghai",
			Days: []string{"mon", "tue", "wed", "thu", "fri"}}, Tiers: []string{"free"}, MaxFileSize: 1e9}}
	}
	sh := func(h, m int, day int) time.Time { // Shanghai wall time on March <day>, 2026 (the 2nd is a Monday)
		return time.Date(2026, 3, day, h, m, 0, 0, time.FixedZone("CST", 8*3600))
	}
	for _, tc := range []ruleCase{
		{name: "before the window", edit: window(night), facts: Facts{Now: sh(23, 29, 2)}},
		{name: "at its start", edit: window(night), facts: Facts{Now: sh(23, 30, 2)}, code: ferry.CodeMaintenanceWindow,
			rule: "maintenance_windows[0]", retry: 150 * time.Minute},
		{name: "after midnight, still in it", edit: window(night), facts: Facts{Now: sh(1, 59, 3)}, code: ferry.CodeMaintenanceWindow,
			retry: time.Minute, detail: map[string]any{"until": "2026-03-03T02:00:00+08:00"}, rule: "maintenance_windows[0]"},
		{name: "at its end", edit: window(night), facts: Facts{Now: sh(2, 0, 3)}},
		{name: "the same instant in UTC", edit: window(night), facts: Facts{Now: sh(0, 15, 3).UTC()}, code: ferry.CodeMaintenanceWindow,
			rule: "maintenance_windows[0]", retry: 105 * time.Minute},
		{name: "second window fires", edit: window(Window{Start: "03:00", End: "04:00"}, Window{Start: "08:00", End: "10:00", Timezone: "UTC"}),
			code: ferry.CodeMaintenanceWindow, rule: "maintenance_windows[1]", retry: time.Hour},
		{name: "peak: small file passes", edit: peak, facts: Facts{Now: sh(10, 0, 2), Size: 1e9}},
		{name: "peak: large file waits", edit: peak, facts: Facts{Now: sh(10, 0, 2), Size: 1e9 + 1}, code: ferry.CodePeakHoursLimit,
			rule: "peak_hours[0]", retry: 8 * time.Hour},
		{name: "peak: other tiers unaffected", edit: peak, facts: Facts{Account: enterprise, Now: sh(10, 0, 2), Size: 2e9}},
		{name: "peak: not on Saturday", edit: peak, facts: Facts{Now: sh(10, 0, 7), Size: 2e9}},
	} {
		tc.run(t)
	}
}

// Daylight saving: a 01:00–03:00 window in New York on the night the
// clocks go forward lasts one hour, not two.
func TestWindowAcrossDST(t *testing.T) {
	w := Window{Start: "01:00", End: "03:00", Timezone: "America/New_York"}
	ny, _ := time.LoadLocation("America/New_York")
	at := time.Date(2026, 3, 8, 1, 30, 0, 0, ny) // 2026-03-08: clocks jump from 02:00 to 03:00
	on, end := w.Active(at)
	if !on || end.Sub(at) != 30*time.Minute {
		t.Fatalf("active %v, ends in %v; want 30m", on, end.Sub(at))
	}
}

func TestNetworkRules(t *testing.T) {
	ip := netip.MustParseAddr
	regions := func(p *Policy) {
		p.Regions = []Region{
			{Name: "office", CIDRs: []string{"10.1.0.0/16"}, Action: "allow"},
			{Name: "guest wifi", CIDRs: []string{"10.0.0.0/8"}, Action: "deny", Tiers: []string{"free"}},
			{Name: "embargoed", CIDRs: []string{"2001:db8:bad::/48", "203.0.113.0/24"}, Action: "deny"},
		}
	}
	for _, tc := range []ruleCase{
		{name: "no region matches", edit: regions, facts: Facts{ClientIP: ip("198.51.100.7")}},
		{name: "first match allows", edit: regions, facts: Facts{ClientIP: ip("10.1.2.3")}},
		{name: "tier-scoped deny", edit: regions, facts: Facts{ClientIP: ip("10.9.9.9")}, code: ferry.CodeRegionRestricted,
			rule: "regions[1]", detail: map[string]any{"region": "guest wifi"}},
		{name: "tier-scoped deny spares others", edit: regions, facts: Facts{Account: enterprise, ClientIP: ip("10.9.9.9")}},
		{name: "IPv6 deny", edit: regions, facts: Facts{Account: enterprise, ClientIP: ip("2001:db8:bad::1")}, code: ferry.CodeRegionRestricted, rule: "regions[2]"},
		{name: "unknown address is not denied", edit: regions},
	} {
		tc.run(t)
	}
}

func TestClientIP(t *testing.T) {
	none := completed(t, nil)
	proxied := completed(t, func(p *Policy) { p.TrustedProxies = []string{"10.0.0.0/8", "::1/128"} })
	for _, tc := range []struct {
		p      *Policy
		remote string
		xff    string
		want   string
	}{
		{none, "203.0.113.5:4711", "", "203.0.113.5"},
		{none, "203.0.113.5:4711", "1.2.3.4", "203.0.113.5"}, // nobody chooses their own address
		{proxied, "10.0.0.2:80", "198.51.100.9", "198.51.100.9"},
		{proxied, "10.0.0.2:80", "1.2.3.4, 198.51.100.9, 10.0.0.7", "198.51.100.9"}, // spoofed hop left of the real one
		{proxied, "203.0.113.5:80", "1.2.3.4", "203.0.113.5"},                       // not from a proxy
		{proxied, "[::1]:80", "2001:db8::5", "2001:db8::5"},
		{proxied, "10.0.0.2:80", "garbage, 198.51.100.9", "198.51.100.9"},
		{proxied, "10.0.0.2:80", "10.0.0.3, 10.0.0.4", "10.0.0.3"},
		{none, "[::ffff:192.0.2.1]:80", "", "192.0.2.1"},
	} {
		if got := tc.p.ClientIP(tc.remote, tc.xff).String(); got != tc.want {
			t.Errorf("ClientIP(%q, %q) = %s, want %s", tc.remote, tc.xff, got, tc.want)
		}
	}
	if Network(netip.MustParseAddr("198.51.100.9")) != "198.51.100.0/24" || Network(netip.MustParseAddr("2001:db8:1:2:3::4")) != "2001:db8:1:2::/64" {
		t.Error("Network prefixes")
	}
}

func TestLoadAndRiskRules(t *testing.T) {
	for _, tc := range []ruleCase{
		{name: "free below shed point", facts: Facts{ActiveUploads: 203}},
		{name: "free sheds at 80%", facts: Facts{ActiveUploads: 204}, code: ferry.CodeServerBusy, rule: "admission.shed_first", retry: 30 * time.Second},
		{name: "enterprise still admitted", facts: Facts{Account: enterprise, ActiveUploads: 255}},
		{name: "a one-upload node admits free when idle", edit: func(p *Policy) { p.Admission.MaxConcurrentUploads = 1 }},
		{name: "a one-upload node sheds free when busy", edit: func(p *Policy) { p.Admission.MaxConcurrentUploads = 1 },
			facts: Facts{ActiveUploads: 1}, code: ferry.CodeServerBusy, rule: "admission.shed_first", detail: map[string]any{"limit": 1}},
		{name: "everyone refused when full", facts: Facts{Account: enterprise, ActiveUploads: 256}, code: ferry.CodeServerBusy,
			rule: "admission.max_concurrent_uploads"},
		{name: "level 2 passes through", facts: Facts{Risk: ferry.E(ferry.CodeStepUpRequired).WithRule("risk.login_failures")},
			code: ferry.CodeStepUpRequired, rule: "risk.login_failures"},
		{name: "client older", edit: func(p *Policy) { p.MinClientVersion = "1.4.0" }, facts: Facts{ClientVersion: "1.3.9"},
			code: ferry.CodeClientTooOld, rule: "min_client_version", detail: map[string]any{"limit": "1.4.0", "actual": "1.3.9"}},
		{name: "client equal", edit: func(p *Policy) { p.MinClientVersion = "1.4.0" }, facts: Facts{ClientVersion: "v1.4"}},
		{name: "client newer", edit: func(p *Policy) { p.MinClientVersion = "1.4.0" }, facts: Facts{ClientVersion: "1.10.0-dev"}},
		{name: "client malformed", edit: func(p *Policy) { p.MinClientVersion = "1.4.0" }, facts: Facts{ClientVersion: "banana"}, code: ferry.CodeClientTooOld, rule: "min_client_version"},
		{name: "third-party client", edit: func(p *Policy) { p.MinClientVersion = "1.4.0" }},
	} {
		tc.run(t)
	}
}

func TestUsageRules(t *testing.T) {
	now := monday9am
	sent := func(ago time.Duration, size int64, st ferry.State, code ferry.Code, net string) ferry.Sent {
		return ferry.Sent{CreatedAt: now.Add(-ago), Size: size, State: st, Code: code, Network: net}
	}
	vol := func(extra ...ferry.Sent) *ferry.Usage {
		u := &ferry.Usage{Recent: []ferry.Sent{
			sent(23*time.Hour, 20e9, ferry.StateDownloaded, 0, ""),
			sent(10*time.Hour, 9e9, ferry.StateRejected, ferry.CodeChecksumMismatch, ""), // given back
			sent(9*time.Hour, 9e9, ferry.StateRecalled, 0, ""),                           // given back
			sent(8*time.Hour, 9e9, ferry.StateExpired, ferry.CodeUploadStalled, ""),      // abandoned: given back
			sent(7*time.Hour, 10e9, ferry.StateExpired, 0, ""),                           // delivered then expired: counts
			sent(2*time.Hour, 15e9, ferry.StateAvailable, 0, ""),
		}}
		u.Recent = append(u.Recent, extra...)
		return u
	}
	ip := netip.MustParseAddr
	nets := &ferry.Usage{Recent: []ferry.Sent{
		sent(14*time.Minute, 1, ferry.StateAvailable, 0, "198.51.100.0/24"),
		sent(10*time.Minute, 1, ferry.StateAvailable, 0, "203.0.113.0/24"),
		sent(5*time.Minute, 1, ferry.StateAvailable, 0, "192.0.2.0/24"),
		sent(time.Minute, 1, ferry.StateAvailable, 0, "2001:db8::/64"),
		sent(16*time.Minute, 1, ferry.StateAvailable, 0, "100.64.0.0/24"), // outside the 15m window
	}}
	// Files as large as the whole volume, so that the volume rule is the one that fires.
	bigFiles := func(p *Policy) { p.Tiers[ferry.TierFree].MaxFileSize = 50e9 }
	var burst []ferry.Sent
	for i := 0; i < 30; i++ {
		burst = append(burst, sent(time.Duration(59-i)*time.Second, 1, ferry.StateUploading, 0, ""))
	}
	for _, tc := range []ruleCase{
		{name: "volume exactly full", edit: bigFiles, facts: Facts{Size: 5e9, Usage: vol()}},
		{name: "volume one byte over", edit: bigFiles, facts: Facts{Size: 5e9 + 1, Usage: vol()}, code: ferry.CodeDailyVolumeExceeded,
			rule: "tiers.free.daily_volume", retry: time.Hour, detail: map[string]any{"used": ferry.Bytes(45e9)}},
		{name: "volume frees only when the 20 GB and the 10 GB leave", edit: bigFiles, facts: Facts{Size: 26e9, Usage: vol()},
			code: ferry.CodeDailyVolumeExceeded, rule: "tiers.free.daily_volume", retry: 17 * time.Hour},
		{name: "volume at a window's edge: 24 h ago no longer counts", edit: bigFiles,
			facts: Facts{Size: 50e9, Usage: &ferry.Usage{Recent: []ferry.Sent{sent(24*time.Hour, 1, ferry.StateAvailable, 0, "")}}}},
		{name: "volume just inside the window counts", edit: bigFiles,
			facts: Facts{Size: 50e9, Usage: &ferry.Usage{Recent: []ferry.Sent{sent(24*time.Hour-time.Second, 1, ferry.StateAvailable, 0, "")}}},
			code:  ferry.CodeDailyVolumeExceeded, rule: "tiers.free.daily_volume", retry: time.Second},
		{name: "larger than the whole volume: no retry", facts: Facts{Account: enterprise, Size: 501e9, Usage: &ferry.Usage{}},
			code: ferry.CodeFileTooLarge, rule: "tiers.enterprise.max_file_size"},
		{name: "storage exactly full", facts: Facts{Size: 1e9, Usage: &ferry.Usage{StorageBytes: 199e9}}},
		{name: "storage one byte over", facts: Facts{Size: 1e9 + 1, Usage: &ferry.Usage{StorageBytes: 199e9}}, code: ferry.CodeStorageQuotaExceeded,
			rule: "tiers.free.storage_quota", detail: map[string]any{"used": ferry.Bytes(199e9)}},
		{name: "29 in the last minute", facts: Facts{Usage: &ferry.Usage{Recent: burst[1:]}}},
		{name: "30 in the last minute", facts: Facts{Usage: &ferry.Usage{Recent: burst}}, code: ferry.CodeTooManyUploads,
			rule: "tiers.free.burst", retry: time.Second},
		{name: "fourth network ok", facts: Facts{ClientIP: ip("2001:db8::9"), Usage: nets}},
		{name: "known network ok", facts: Facts{ClientIP: ip("198.51.100.200"), Usage: nets}},
		{name: "fifth network refused", facts: Facts{ClientIP: ip("100.64.0.5"), Usage: nets}, code: ferry.CodeSessionAnomaly,
			rule: "sessions.max_networks", detail: map[string]any{"limit": 4, "actual": 5}},
	} {
		tc.run(t)
	}
}

func TestRateCheck(t *testing.T) {
	p := completed(t, func(p *Policy) { p.Tiers[ferry.TierFree].ExpectedRate = Rate(50e6 / 60.0) })
	if err := p.RateCheck(free, 50e6, time.Minute); err != nil {
		t.Errorf("exactly the expected rate: %v", err)
	}
	if err := p.RateCheck(free, 50e6+100, time.Minute); err == nil || err.Code != ferry.CodeUploadRateAnomaly || err.Rule != "tiers.free.expected_rate" {
		t.Errorf("above the rate: %v", err)
	}
	if err := p.RateCheck(free, 10e9, 59*time.Second); err != nil {
		t.Errorf("under a minute is not sustained: %v", err)
	}
	if err := p.RateCheck(enterprise, 10e9, time.Minute); err != nil {
		t.Errorf("tiers without an expected rate: %v", err)
	}
	for in, want := range map[string]float64{"50MB/min": 50e6 / 60, "1GB/s": 1e9, "300MB/10m": 300e6 / 600, "0": 0} {
		r, err := ParseRate(in)
		if err != nil || float64(r) != want {
			t.Errorf("ParseRate(%q) = %v, %v", in, r, err)
		}
	}
	if s := Rate(50e6 / 60.0).String(); s != "50 MB/min" {
		t.Errorf("String %q", s)
	}
}

// Evaluate lists every rule, passed or not, for the pre-check.
func TestEvaluateListsEveryRule(t *testing.T) {
	p := completed(t, func(p *Policy) { p.MaintenanceWindows = []Window{{Start: "00:00", End: "01:00"}} })
	checks := p.Evaluate(Facts{Now: monday9am, Account: free, Name: "a/b.exe", Size: 6e9, ClientIP: netip.MustParseAddr("192.0.2.1"), Usage: &ferry.Usage{}})
	var rules []string
	failed := map[string]ferry.Code{}
	for _, c := range checks {
		rules = append(rules, c.Rule)
		if !c.Passed {
			failed[c.Rule] = c.Code
		}
	}
	want := []string{"maintenance_windows", "admission.shed_first", "files.name", "blocked_types", "tiers.free.type_groups",
		"tiers.free.max_file_size", "tiers.free.burst", "sessions.max_networks", "tiers.free.storage_quota", "tiers.free.daily_volume"}
	if len(rules) != len(want) {
		t.Fatalf("rules %v, want %v", rules, want)
	}
	for i := range want {
		if rules[i] != want[i] {
			t.Fatalf("rules %v, want %v", rules, want)
		}
	}
	if failed["files.name"] != ferry.CodeFileNameInvalid || failed["tiers.free.type_groups"] != ferry.CodeFileTypeNotAllowed ||
		failed["tiers.free.max_file_size"] != ferry.CodeFileTooLarge || len(failed) != 3 {
		t.Errorf("failed %v", failed)
	}
}

func TestCompleteFillsDefaults(t *testing.T) {
	p := &Policy{Tiers: map[ferry.Tier]*Tier{
		ferry.TierFree: {MaxFileSize: 1e6},
		"staff":        {MaxFileSize: 1e9, StorageQuota: 1e10, DailyVolume: 1e10, Retention: Duration(48 * time.Hour)},
	}}
	if err := p.Complete(); err != nil {
		t.Fatal(err)
	}
	if got := p.Tiers[ferry.TierFree]; got.MaxFileSize != 1e6 || got.StorageQuota != 200e9 || got.Retention != Duration(7*day) || len(got.TypeGroups) != 4 {
		t.Errorf("free = %+v", got)
	}
	if p.Tier(ferry.TierEnterprise) == nil || p.Tier("staff") == nil || p.Risk.LoginFailures != 3 {
		t.Errorf("tiers %v, risk %+v", p.TierNames(), p.Risk)
	}
	bad := &Policy{Tiers: map[ferry.Tier]*Tier{"staff": {MaxFileSize: 1}}}
	if err := bad.Complete(); err == nil || err.Error() != "policy.tiers.staff.storage_quota: must be more than 0" {
		t.Errorf("Complete of a custom tier without quota = %v", err)
	}
}

func TestParseDuration(t *testing.T) {
	for in, want := range map[string]time.Duration{"7d": 7 * day, "24h": day, "1d12h": 36 * time.Hour, "90m": 90 * time.Minute} {
		got, err := ParseDuration(in)
		if err != nil || time.Duration(got) != want {
			t.Errorf("ParseDuration(%q) = %v, %v; want %v", in, got, err, want)
		}
	}
	for _, bad := range []string{"x", "-1d", "d"} {
		if _, err := ParseDuration(bad); err == nil {
			t.Errorf("ParseDuration(%q): want an error", bad)
		}
	}
	if s := Duration(15 * day).String(); s != "15d" {
		t.Errorf("String = %q", s)
	}
}
