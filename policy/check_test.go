package policy

import (
	"testing"
	"time"

	"github.com/ferryhq/ferry"
)

func TestEvaluateBoundaries(t *testing.T) {
	p := Default()
	if err := p.Complete(); err != nil {
		t.Fatal(err)
	}
	free := &ferry.Account{Username: "alice", Tier: ferry.TierFree}
	now := time.Date(2026, 3, 4, 5, 6, 7, 0, time.UTC)
	for _, tc := range []struct {
		name    string
		size    int64
		stored  int64
		want    ferry.Code
		rule    string
		account *ferry.Account
	}{
		{"at the file limit", 5e9, 0, 0, "", free},
		{"one byte over the file limit", 5e9 + 1, 0, ferry.CodeFileTooLarge, "tiers.free.max_file_size", free},
		{"exactly fills the quota", 1e9, 199e9, 0, "", free},
		{"one byte over the quota", 1e9 + 1, 199e9, ferry.CodeStorageQuotaExceeded, "tiers.free.storage_quota", free},
		{"enterprise may send 50 GB", 50e9, 0, 0, "", &ferry.Account{Tier: ferry.TierEnterprise}},
		{"unknown tier fails closed", 1, 0, ferry.CodeForbidden, "tiers.gold", &ferry.Account{Tier: "gold"}},
	} {
		checks := p.Evaluate(Facts{Now: now, Account: tc.account, Name: "f.txt", Size: tc.size, Usage: &ferry.Usage{StorageBytes: tc.stored}})
		err := Verdict(checks)
		if ferry.ErrorCode(err) != tc.want {
			t.Errorf("%s: verdict %v, want code %d", tc.name, err, tc.want)
			continue
		}
		if err != nil && ferry.AsError(err).Rule != tc.rule {
			t.Errorf("%s: rule %q, want %q", tc.name, ferry.AsError(err).Rule, tc.rule)
		}
	}
}

func TestEvaluateListsEveryRule(t *testing.T) {
	p := Default()
	checks := p.Evaluate(Facts{Account: &ferry.Account{Tier: ferry.TierFree}, Name: "a/b", Size: 6e9, Usage: &ferry.Usage{}})
	want := []struct {
		rule   string
		passed bool
	}{{"files.name", false}, {"tiers.free.max_file_size", false}, {"tiers.free.storage_quota", true}}
	if len(checks) != len(want) {
		t.Fatalf("got %d checks, want %d: %+v", len(checks), len(want), checks)
	}
	for i, w := range want {
		if checks[i].Rule != w.rule || checks[i].Passed != w.passed {
			t.Errorf("check %d = %s passed=%v, want %s passed=%v", i, checks[i].Rule, checks[i].Passed, w.rule, w.passed)
		}
	}
	if ferry.ErrorCode(Verdict(checks)) != ferry.CodeFileNameInvalid {
		t.Errorf("verdict should be the first failure, 1004")
	}
	// Without usage the quota rule is left out.
	if n := len(p.Evaluate(Facts{Account: &ferry.Account{Tier: ferry.TierFree}, Name: "a", Size: 1})); n != 2 {
		t.Errorf("without usage: %d checks, want 2", n)
	}
}

func TestCompleteFillsDefaults(t *testing.T) {
	p := &Policy{Tiers: map[ferry.Tier]*Tier{
		ferry.TierFree: {MaxFileSize: 1e6},
		"staff":        {MaxFileSize: 1e9, StorageQuota: 1e10, Retention: Duration(48 * time.Hour)},
	}}
	if err := p.Complete(); err != nil {
		t.Fatal(err)
	}
	if got := p.Tiers[ferry.TierFree]; got.MaxFileSize != 1e6 || got.StorageQuota != 200e9 || got.Retention != Duration(7*day) {
		t.Errorf("free = %+v", got)
	}
	if p.Tier(ferry.TierEnterprise) == nil || p.Tier("staff") == nil {
		t.Errorf("tiers missing: %v", p.TierNames())
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
	for _, bad := range []string{"", "x", "-1d", "d"} {
		if _, err := ParseDuration(bad); err == nil && bad != "" {
			t.Errorf("ParseDuration(%q): want an error", bad)
		}
	}
	if s := Duration(15 * day).String(); s != "15d" {
		t.Errorf("String = %q", s)
	}
}
