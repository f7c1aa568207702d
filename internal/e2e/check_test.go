package e2e

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/pquerna/otp/totp"

	"github.com/ferryhq/ferry"
	"github.com/ferryhq/ferry/httpapi/wire"
	"github.com/ferryhq/ferry/policy"
	"github.com/ferryhq/ferry/server"
)

// checked is the part of one element of `ferry check --json` these tests
// read.
type checked struct {
	File    string      `json:"file"`
	Verdict string      `json:"verdict"`
	Error   *wire.Error `json:"error"`
	Checks  []struct {
		Rule   string     `json:"rule"`
		Passed bool       `json:"passed"`
		Code   ferry.Code `json:"code"`
		Source string     `json:"source"`
	} `json:"checks"`
}

// pdfStart is how every PDF begins.
const pdfStart = "%PDF-1.7\n%\xe2\xe3\xcf\xd3\n"

// `ferry check`, the real binary against a real node: what it can judge
// from the file it judges itself, on the published policy (an .exe
// renamed .pdf, a shortcut, a file too large for the tier); what it
// cannot, the server judges (a storage quota lowered to 1 MiB); and it
// leaves nothing behind: no transfer, no storage reserved.
func TestCheckCLI(t *testing.T) {
	e := start(t, func(c *server.Config) {
		c.Policy = policy.Default()
		c.Policy.Tiers[ferry.TierFree].StorageQuota = 1 << 20
	})
	alice := e.user("alice", ferry.TierFree)
	e.user("bob", ferry.TierFree)
	sender := newCLI(t)
	sender.ok("alice-password\n", "login", "--server", e.url, "--user", "alice", "--password-stdin")

	dir := t.TempDir()
	write := func(name string, b []byte, size int64) string {
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, b, 0o600); err != nil {
			t.Fatal(err)
		}
		if size > int64(len(b)) { // sparse: the size is declared, no bytes are written
			if err := os.Truncate(path, size); err != nil {
				t.Fatal(err)
			}
		}
		return path
	}
	report := write("季度 报告 final.pdf", append([]byte(pdfStart), randomBytes(t, 50_000)...), 0)
	fake := write("invoice.pdf", []byte("MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00"), 0)
	shortcut := write("desk.lnk", []byte("L\x00\x00\x00\x01\x14\x02\x00"), 0)
	huge := write("huge.pdf", []byte(pdfStart), 6e9)
	overQuota := write("scan.pdf", []byte(pdfStart), 2<<20)

	out := sender.ok("", "check", report, "--to", "bob")
	if out != report+": accepted (5 rules checked here, 6 by the server)\n" {
		t.Errorf("accepted file:\n%s", out)
	}
	for _, tc := range []struct {
		file  string
		first string // the verdict's first line
		rule  string
	}{
		{fake, "error 1002 FILE_TYPE_MISMATCH: The file is named as pdf but its content is exe.", "types.document.pdf"},
		{shortcut, "error 1003 FILE_TYPE_BLOCKED: Files of type .lnk are blocked for everyone because they can be dangerous.", "blocked_types"},
		{huge, "error 6002 FILE_TOO_LARGE: Your tier allows files of at most 5 GB; this one is 6 GB.", "tiers.free.max_file_size"},
		{overQuota, "error 6001 STORAGE_QUOTA_EXCEEDED: ", "tiers.free.storage_quota"},
	} {
		code, out, errOut := sender.run("", "check", tc.file, "--to", "bob")
		lines := strings.Split(out, "\n")
		if code != 1 || len(lines) < 4 || lines[0] != tc.file+": rejected" || !strings.HasPrefix(lines[1], tc.first) ||
			!strings.HasPrefix(lines[2], "remedy: ") || lines[3] != "rule: "+tc.rule || errOut != "" {
			t.Errorf("%s: exit %d\nstdout:\n%s\nstderr:\n%s", filepath.Base(tc.file), code, out, errOut)
		}
	}

	// All at once as JSON: who judged what; exit 1 because some are refused.
	code, out, errOut := sender.run("", "check", report, fake, huge, overQuota, "--json")
	var res []checked
	if err := json.Unmarshal([]byte(out), &res); err != nil || code != 1 || len(res) != 4 {
		t.Fatalf("--json: exit %d, %v\n%s%s", code, err, out, errOut)
	}
	want := []struct {
		verdict string
		code    ferry.Code
		source  string
	}{{"accepted", 0, ""}, {"rejected", ferry.CodeFileTypeMismatch, "local"}, {"rejected", ferry.CodeFileTooLarge, "local"},
		{"rejected", ferry.CodeStorageQuotaExceeded, "server"}}
	for i, w := range want {
		r := res[i]
		var failed []string
		source := ""
		for _, c := range r.Checks {
			if c.Rule == "recipients" {
				t.Errorf("%s: recipients checked without --to", r.File)
			}
			if !c.Passed {
				failed = append(failed, c.Rule)
				if source == "" {
					source = c.Source
				}
			}
		}
		if r.Verdict != w.verdict || (r.Error == nil) != (w.code == 0) || r.Error != nil && r.Error.Code != w.code || source != w.source {
			t.Errorf("%s: %s %+v, first failure from %q (failed: %v)", r.File, r.Verdict, r.Error, source, failed)
		}
	}
	// The 6 GB file also overflows the 1 MiB quota: the server says so too, after the local verdict.
	if rules := failedRules(res[2]); len(rules) != 2 || rules[0] != "tiers.free.max_file_size" || rules[1] != "tiers.free.storage_quota" {
		t.Errorf("huge.pdf failed %v", rules)
	}

	// Only accepted files: exit 0.
	if code, out, errOut := sender.run("", "check", report, report, "--to", "bob"); code != 0 || strings.Count(out, ": accepted") != 2 {
		t.Errorf("two accepted: exit %d\n%s%s", code, out, errOut)
	}
	// Checking created and reserved nothing.
	if list := e.list(alice, "outbox"); len(list.Transfers) != 0 {
		t.Errorf("outbox after check: %+v", list.Transfers)
	}
	if got := e.storage(alice); got != 0 {
		t.Errorf("storage after check: %d", got)
	}

	// What check judged here is what the server says when the bytes come.
	_, out, _ = sender.run("", "send", fake, "--to", "bob", "--quiet", "--json")
	var sent []struct {
		Error *wire.Error `json:"error"`
	}
	if err := json.Unmarshal([]byte(out), &sent); err != nil || len(sent) != 1 || sent[0].Error == nil {
		t.Fatalf("send of the renamed .exe: %v\n%s", err, out)
	}
	if got, want := errJSON(sent[0].Error), errJSON(res[1].Error); got != want {
		t.Errorf("the server refused the upload with\n%s\nferry check said\n%s", got, want)
	}
}

// errJSON is what of a refusal must not depend on who judged it.
func errJSON(e *wire.Error) string {
	b, _ := json.Marshal(map[string]any{"code": e.Code, "name": e.Name, "message": e.Message, "remedy": e.Remedy, "rule": e.Rule, "details": e.Details})
	return string(b)
}

func failedRules(r checked) []string {
	var out []string
	for _, c := range r.Checks {
		if !c.Passed {
			out = append(out, c.Rule)
		}
	}
	return out
}

// The command line side of account risk: enrol an authenticator with
// `ferry totp`, and when failed logins raise the account to level 2,
// `ferry check` shows the server's 4002 and `ferry step-up CODE` (or
// `ferry login --totp CODE`) lifts it.
func TestTOTPStepUpCLI(t *testing.T) {
	e := start(t, nil)
	e.user("alice", ferry.TierFree)
	e.user("bob", ferry.TierFree)
	c := newCLI(t)
	c.ok("alice-password\n", "login", "--server", e.url, "--user", "alice", "--password-stdin")

	if rc, _, errOut := c.run("", "step-up", "123456"); rc != 1 || !strings.HasPrefix(errOut, "error 4006 TOTP_NOT_ENROLLED: ") ||
		!strings.Contains(errOut, "\nremedy: Enrol one first: run `ferry totp enroll`") {
		t.Errorf("step-up before enrolling: exit %d %q", rc, errOut)
	}
	var en wire.TOTPEnrollment
	if err := json.Unmarshal([]byte(c.ok("", "totp", "enroll", "--json")), &en); err != nil || en.Secret == "" || !strings.HasPrefix(en.OTPAuthURL, "otpauth://totp/") {
		t.Fatalf("enroll: %v %+v", err, en)
	}
	code := func() string {
		t.Helper()
		e.clock.Advance(30 * time.Second) // a fresh step: a code counts once
		s, err := totp.GenerateCode(en.Secret, e.clock.Now())
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	if rc, _, errOut := c.run("", "totp", "confirm", "000000"); rc != 1 || !strings.HasPrefix(errOut, "error 4005 ONE_TIME_CODE_INVALID: ") {
		t.Fatalf("confirm with a wrong code: exit %d %q", rc, errOut)
	}
	c.ok("", "totp", "confirm", code())
	if rc, _, errOut := c.run("", "totp", "enroll"); rc != 1 || !strings.HasPrefix(errOut, "error 4007 TOTP_ALREADY_ENROLLED: ") {
		t.Errorf("enrolling again: exit %d %q", rc, errOut)
	}

	failLogins := func() {
		t.Helper()
		for range 3 {
			e.wantError(e.do(request{method: "POST", path: "/api/v1/login", json: wire.LoginRequest{Username: "alice", Password: "wrong"}}), 401, ferry.CodeLoginFailed)
		}
	}
	file := filepath.Join(t.TempDir(), "a.pdf")
	if err := os.WriteFile(file, []byte(pdfStart), 0o600); err != nil {
		t.Fatal(err)
	}
	failLogins()
	rc, out, _ := c.run("", "check", file, "--to", "bob")
	if rc != 1 || !strings.Contains(out, "\nerror 4002 STEP_UP_REQUIRED: ") || !strings.Contains(out, "\nrule: risk.login_failures\n") {
		t.Fatalf("check at level 2: exit %d\n%s", rc, out)
	}
	if rc, _, errOut := c.run("", "step-up", "000000"); rc != 1 || !strings.HasPrefix(errOut, "error 4005 ONE_TIME_CODE_INVALID: ") {
		t.Errorf("step-up with a wrong code: exit %d %q", rc, errOut)
	}
	if out := c.ok("", "step-up", code()); out != "confirmed: you can send again\n" {
		t.Errorf("step-up printed %q", out)
	}
	c.ok("", "check", file, "--to", "bob")

	failLogins()
	if rc, _, _ := c.run("", "check", file, "--to", "bob"); rc != 1 {
		t.Fatalf("check at level 2 again: exit %d", rc)
	}
	c.ok("alice-password\n", "login", "--server", e.url, "--user", "alice", "--password-stdin", "--totp", code())
	c.ok("", "check", file, "--to", "bob")
}
