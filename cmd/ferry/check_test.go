package main

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/ferryhq/ferry"
	"github.com/ferryhq/ferry/httpapi/wire"
	"github.com/ferryhq/ferry/policy"
)

// checkAPI is the fake API with what `ferry check` and the TOTP commands
// add: the published policy, a pre-check that runs the real policy rules
// on the request (as the server's does, with a storage use the test
// sets), and the authenticator endpoints. Everything else is fakeAPI's.
type checkAPI struct {
	*fakeAPI
	front *httptest.Server

	policy  *policy.Policy
	used    int64                        // storage the sender holds
	checks  []wire.CreateTransferRequest // pre-check bodies
	logins  []wire.LoginRequest
	codes   []string // one-time codes sent to confirm and step-up
	enrolls int
	// enrolled, when set, is whether confirm and step-up find an
	// authenticator enrolled: they answer 4007 or 4006.
	enrolled *bool
}

func newCheckAPI(t *testing.T, edit func(*policy.Policy)) *checkAPI {
	p := policy.Default()
	if edit != nil {
		edit(p)
	}
	if err := p.Complete(); err != nil {
		t.Fatal(err)
	}
	f := &checkAPI{fakeAPI: newFakeAPI(t), policy: p}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /api/v1/login", f.login)
	mux.HandleFunc("GET /api/v1/policy", f.effectivePolicy)
	mux.HandleFunc("POST /api/v1/precheck", f.precheck)
	mux.HandleFunc("POST /api/v1/me/totp", f.enroll)
	mux.HandleFunc("POST /api/v1/me/totp/confirm", f.oneTimeCode)
	mux.HandleFunc("POST /api/v1/me/step-up", f.oneTimeCode)
	mux.Handle("/", f.fakeAPI.srv.Config.Handler) // checks the version and token itself
	f.front = httptest.NewServer(f.authed(mux))
	t.Cleanup(f.front.Close)
	return f
}

// withCheckAPI starts a checkAPI and signs in to it as ana.
func (c *cli) withCheckAPI(edit func(*policy.Policy)) *checkAPI {
	f := newCheckAPI(c.t, edit)
	c.api = f.fakeAPI
	if code, _, errOut := c.run("secret\n", "login", "--server", f.front.URL, "--user", "ana", "--password-stdin"); code != 0 {
		c.t.Fatalf("login: %d %s", code, errOut)
	}
	return f
}

// authed checks, for the endpoints added here, what fakeAPI.guard checks
// for its own: the client version and ana's token; it serves one request
// at a time.
func (f *checkAPI) authed(mux *http.ServeMux) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if h, pattern := mux.Handler(r); pattern == "/" {
			h.ServeHTTP(w, r)
			return
		}
		f.mu.Lock()
		defer f.mu.Unlock()
		if r.Header.Get(wire.HeaderClientVersion) != "1.0.0-test" {
			f.t.Errorf("%s %s without Ferry-Client-Version", r.Method, r.URL.Path)
		}
		if r.URL.Path != "/api/v1/login" && r.Header.Get("Authorization") != "Bearer tok-ana" {
			writeErr(w, ferry.E(ferry.CodeUnauthenticated), r)
			return
		}
		mux.ServeHTTP(w, r)
	})
}

func (f *checkAPI) login(w http.ResponseWriter, r *http.Request) {
	var req wire.LoginRequest
	_ = json.NewDecoder(r.Body).Decode(&req)
	f.logins = append(f.logins, req)
	if req.Password != "secret" {
		writeErr(w, ferry.E(ferry.CodeLoginFailed), r)
		return
	}
	writeJSONStatus(w, 200, wire.LoginResponse{Token: "tok-" + req.Username})
}

func (f *checkAPI) effectivePolicy(w http.ResponseWriter, r *http.Request) {
	p := f.policy
	writeJSONStatus(w, 200, wire.EffectivePolicy{Tier: ferry.TierFree, Limits: p.Tier(ferry.TierFree), Types: p.Types,
		BlockedTypes: p.BlockedTypes, MaintenanceWindows: p.MaintenanceWindows, MaxNameBytes: policy.MaxNameBytes})
}

// precheck answers as the server's handler does: every rule of the
// policy, then the recipients (only bo and li exist).
func (f *checkAPI) precheck(w http.ResponseWriter, r *http.Request) {
	var req wire.CreateTransferRequest
	_ = json.NewDecoder(r.Body).Decode(&req)
	f.checks = append(f.checks, req)
	lang := ferry.English
	if r.Header.Get("Accept-Language") == "zh-CN" {
		lang = ferry.Chinese
	}
	checks := f.policy.Evaluate(policy.Facts{Now: time.Now(), Account: &ferry.Account{Tier: ferry.TierFree},
		Name: req.Name, Size: req.Size, ClientVersion: r.Header.Get(wire.HeaderClientVersion),
		Usage: &ferry.Usage{StorageBytes: f.used}})
	var rerr *ferry.Error
	for _, to := range req.To {
		if to != "bo" && to != "li" && rerr == nil {
			rerr = ferry.E(ferry.CodeRecipientUnavailable).WithRule("recipients").With("recipient", to)
		}
	}
	if len(req.To) == 0 {
		rerr = ferry.E(ferry.CodeBadRequest).With("reason", "name at least one recipient")
	}
	rc := policy.Check{Rule: "recipients", Passed: rerr == nil, Err: rerr}
	if rerr != nil {
		rc.Code = rerr.Code
	}
	out := wire.Precheck{Verdict: "accepted", Checks: []wire.Check{}}
	for _, c := range append(checks, rc) {
		wc := wire.Check{Rule: c.Rule, Passed: c.Passed, Code: c.Code, Limit: c.Limit, Actual: c.Actual}
		if c.Err != nil {
			e := wire.NewError(c.Err, lang)
			wc.Name, wc.Message = e.Name, e.Message
			if out.Error == nil {
				out.Verdict, out.Error = "rejected", &e
			}
		}
		out.Checks = append(out.Checks, wc)
	}
	writeJSONStatus(w, 200, out)
}

func (f *checkAPI) enroll(w http.ResponseWriter, r *http.Request) {
	f.enrolls++
	writeJSONStatus(w, 200, wire.TOTPEnrollment{Secret: "JBSWY3DPEHPK3PXP", OTPAuthURL: "otpauth://totp/ferry:ana?issuer=ferry&secret=JBSWY3DPEHPK3PXP"})
}

// oneTimeCode accepts 123456 only.
func (f *checkAPI) oneTimeCode(w http.ResponseWriter, r *http.Request) {
	var req wire.OneTimeCode
	_ = json.NewDecoder(r.Body).Decode(&req)
	f.codes = append(f.codes, r.URL.Path+" "+req.Code)
	if f.enrolled != nil {
		code := ferry.CodeTOTPNotEnrolled
		if *f.enrolled {
			code = ferry.CodeTOTPAlreadyEnrolled
		}
		writeErr(w, ferry.E(code).With("totp_enrolled", *f.enrolled), r)
		return
	}
	if req.Code != "123456" {
		writeErr(w, ferry.E(ferry.CodeOneTimeCodeInvalid), r)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// Heads of files of a kind.
var (
	pdfHead = []byte("%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n")
	exeHead = []byte("MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00")
)

func TestCheckAccepted(t *testing.T) {
	c := newCLI(t)
	api := c.withCheckAPI(nil)
	file := writeFile(t, "季度 报告 final 🚀.pdf", pdfHead)
	code, out, errOut := c.run("", "check", file, "--to", "bo")
	if code != 0 || errOut != "" {
		t.Fatalf("exit %d\nstdout %q\nstderr %q", code, out, errOut)
	}
	if want := file + ": accepted (5 rules checked here, 5 by the server)\n"; out != want {
		t.Errorf("stdout %q\nwant   %q", out, want)
	}
	if len(api.checks) != 1 || api.checks[0].Name != "季度 报告 final 🚀.pdf" || api.checks[0].Size != int64(len(pdfHead)) ||
		!reflect.DeepEqual(api.checks[0].To, []string{"bo"}) || api.checks[0].SHA256 != "" {
		t.Errorf("pre-check bodies %+v", api.checks)
	}
	if n := api.count("POST /api/v1/transfers"); n != 0 {
		t.Errorf("check created %d transfers", n)
	}
}

// Without --to the server's recipients check is not part of the verdict,
// and the output says it was not checked.
func TestCheckWithoutRecipients(t *testing.T) {
	c := newCLI(t)
	c.withCheckAPI(nil)
	file := writeFile(t, "a.pdf", pdfHead)
	code, out, _ := c.run("", "check", file)
	if code != 0 || out != file+": accepted (5 rules checked here, 4 by the server; recipients not checked: name them with --to)\n" {
		t.Fatalf("exit %d, stdout %q", code, out)
	}
	code, out, _ = c.run("", "check", file, "--json")
	res := decodeChecks(t, out)
	if code != 0 || res[0].RecipientsChecked || res[0].Verdict != verdictAccepted || hasRule(res[0], "recipients") {
		t.Errorf("--json without --to: exit %d %+v", code, res[0])
	}
	code, out, _ = c.run("", "check", file, "--to", "nobody")
	if code != 1 || !strings.Contains(out, "error 4004 RECIPIENT_UNAVAILABLE: ") || !strings.Contains(out, "rule: recipients\n") {
		t.Errorf("--to nobody: exit %d\n%s", code, out)
	}
}

// An .exe renamed .pdf is refused here, as every ferry error prints, with
// the declared and detected types; the server never sees its content.
func TestCheckContentMismatch(t *testing.T) {
	c := newCLI(t)
	c.withCheckAPI(nil)
	file := writeFile(t, "invoice.pdf", exeHead)
	code, out, errOut := c.run("", "check", file, "--to", "bo")
	info := ferry.CodeFileTypeMismatch.Info()
	want := file + ": rejected\n" +
		"error 1002 FILE_TYPE_MISMATCH: The file is named as pdf but its content is exe.\n" +
		"remedy: " + info.En.Remedy + "\n" +
		"rule: types.document.pdf\n"
	if code != 1 || out != want || errOut != "" {
		t.Errorf("exit %d\nstdout %q\nwant   %q\nstderr %q", code, out, want, errOut)
	}
}

// When rules fail here and on the server, the local one is the verdict
// and the others are listed after it.
func TestCheckLocalFailureFirst(t *testing.T) {
	c := newCLI(t)
	api := c.withCheckAPI(nil)
	api.used = 200e9 // the quota is full
	file := writeFile(t, "invoice.pdf", exeHead)
	code, out, _ := c.run("", "check", file, "--to", "bo")
	lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
	if code != 1 || len(lines) != 5 || lines[1] != "error 1002 FILE_TYPE_MISMATCH: The file is named as pdf but its content is exe." ||
		!strings.HasPrefix(lines[4], "also failed: 6001 STORAGE_QUOTA_EXCEEDED: ") || !strings.HasSuffix(lines[4], "(rule tiers.free.storage_quota, checked by the server)") {
		t.Fatalf("exit %d\n%s", code, out)
	}
}

// A rule only the server can judge: its error prints whole, remedy
// included.
func TestCheckServerRefusal(t *testing.T) {
	c := newCLI(t)
	api := c.withCheckAPI(nil)
	api.used = 200e9 - 10
	file := writeFile(t, "a.pdf", pdfHead) // 25 bytes: 15 too many
	code, out, _ := c.run("", "check", file, "--to", "bo")
	info := ferry.CodeStorageQuotaExceeded.Info()
	if code != 1 || !strings.HasPrefix(out, file+": rejected\nerror 6001 STORAGE_QUOTA_EXCEEDED: ") ||
		!strings.Contains(out, "\nremedy: "+info.En.Remedy+"\nrule: tiers.free.storage_quota\n") || strings.Contains(out, "also failed") {
		t.Fatalf("exit %d\n%s", code, out)
	}
}

// Each rule that needs only the file, with the code and rule the server
// gives it; a large file is declared by its size (a sparse file), never
// read whole.
func TestCheckLocalRules(t *testing.T) {
	c := newCLI(t)
	c.withCheckAPI(nil)
	dir := t.TempDir()
	sparse := filepath.Join(dir, "big.pdf")
	if err := os.WriteFile(sparse, pdfHead, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Truncate(sparse, 6e9); err != nil {
		t.Fatal(err)
	}
	video := filepath.Join(dir, "film.mp4")
	if err := os.WriteFile(video, []byte("\x00\x00\x00\x20ftypisom\x00\x00\x02\x00"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Truncate(video, 4.5e9); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		file string
		code ferry.Code
		rule string
	}{
		{writeFile(t, "desk.lnk", []byte("L\x00\x00\x00")), ferry.CodeFileTypeBlocked, "blocked_types"},
		{writeFile(t, "tool.exe", exeHead), ferry.CodeFileTypeNotAllowed, "tiers.free.type_groups"},
		{writeFile(t, "CON.pdf", pdfHead), ferry.CodeFileNameInvalid, "files.name"},
		{sparse, ferry.CodeFileTooLarge, "tiers.free.max_file_size"},
		{video, ferry.CodeFileTooLargeForType, "tiers.free.group_limits.media"},
	} {
		code, out, _ := c.run("", "check", tc.file, "--to", "bo", "--json")
		res := decodeChecks(t, out)
		e := res[0].Error
		if code != 1 || res[0].Verdict != verdictRejected || e == nil || e.Code != tc.code || e.Rule != tc.rule || e.Remedy == "" {
			t.Errorf("%s: exit %d, %+v", filepath.Base(tc.file), code, e)
			continue
		}
		if first := firstFailed(res[0]); first.Source != sourceLocal || first.Rule != tc.rule {
			t.Errorf("%s: first failed check %+v", filepath.Base(tc.file), first)
		}
	}
}

// --json: one array, an element per file, in order; local checks first,
// each rule once; a file that cannot be read is unchecked and exits 1.
func TestCheckJSON(t *testing.T) {
	c := newCLI(t)
	c.withCheckAPI(nil)
	good := writeFile(t, "good.pdf", pdfHead)
	bad := writeFile(t, "bad.pdf", exeHead)
	missing := filepath.Join(t.TempDir(), "missing.pdf")
	code, out, errOut := c.run("", "check", good, bad, missing, "--to", "bo,li", "--json")
	if code != 1 || errOut != "" {
		t.Fatalf("exit %d, stderr %q", code, errOut)
	}
	res := decodeChecks(t, out)
	if len(res) != 3 || res[0].File != good || res[1].File != bad || res[2].File != missing {
		t.Fatalf("results %+v", res)
	}
	if r := res[0]; r.Verdict != verdictAccepted || r.Error != nil || r.Name != "good.pdf" || r.Size != int64(len(pdfHead)) || !r.RecipientsChecked {
		t.Errorf("good: %+v", r)
	}
	if r := res[1]; r.Verdict != verdictRejected || r.Error == nil || r.Error.Code != ferry.CodeFileTypeMismatch ||
		r.Error.Details["declared_type"] != "pdf" || r.Error.Details["detected_type"] != "exe" {
		t.Errorf("bad: %+v", r)
	}
	if r := res[2]; r.Verdict != verdictUnchecked || r.Failure == "" || r.Error != nil || len(r.Checks) != 0 {
		t.Errorf("missing: %+v", r)
	}
	for _, r := range res[:2] {
		seen, server := map[string]bool{}, false
		for _, ch := range r.Checks {
			if seen[ch.Rule] {
				t.Errorf("%s: rule %s twice", r.Name, ch.Rule)
			}
			seen[ch.Rule] = true
			switch ch.Source {
			case sourceServer:
				server = true
			case sourceLocal:
				if server {
					t.Errorf("%s: local check %s after a server one", r.Name, ch.Rule)
				}
			default:
				t.Errorf("%s: source %q", r.Name, ch.Source)
			}
		}
		for _, rule := range []string{"files.name", "blocked_types", "tiers.free.type_groups", "tiers.free.max_file_size",
			"types.document.pdf", "tiers.free.storage_quota", "tiers.free.daily_volume", "recipients"} {
			if !seen[rule] {
				t.Errorf("%s: no check %s", r.Name, rule)
			}
		}
	}
	var raw []map[string]any // the documented keys, spelled as documented
	_ = json.Unmarshal([]byte(out), &raw)
	ch := raw[1]["checks"].([]any)[0].(map[string]any)
	for _, k := range []string{"file", "name", "size", "verdict", "error", "recipients_checked", "checks"} {
		if _, ok := raw[1][k]; !ok {
			t.Errorf("no key %q in %v", k, raw[1])
		}
	}
	if _, ok := ch["source"]; !ok || ch["rule"] != "files.name" || ch["passed"] != true {
		t.Errorf("first check %v", ch)
	}
}

// The text of every failure is in the user's language, local and
// server's alike.
func TestCheckInChinese(t *testing.T) {
	c := newCLI(t)
	api := c.withCheckAPI(nil)
	api.used = 200e9
	c.env["LANG"] = "zh_CN.UTF-8"
	file := writeFile(t, "发票.pdf", exeHead)
	code, out, _ := c.run("", "check", file, "--to", "bo")
	zh := ferry.CodeFileTypeMismatch.Info().Zh
	if code != 1 || !strings.Contains(out, "error 1002 FILE_TYPE_MISMATCH: 文件名表明是 pdf,但内容实际是 exe。\nremedy: "+zh.Remedy+"\n") {
		t.Errorf("local error not in Chinese:\n%s", out)
	}
	if !strings.Contains(out, "also failed: 6001 STORAGE_QUOTA_EXCEEDED: 您") {
		t.Errorf("server's message not in Chinese:\n%s", out)
	}
}

// A file that cannot be read is reported, the others are still checked.
func TestCheckUnreadableFile(t *testing.T) {
	c := newCLI(t)
	c.withCheckAPI(nil)
	good := writeFile(t, "good.pdf", pdfHead)
	missing := filepath.Join(t.TempDir(), "missing.pdf")
	code, out, errOut := c.run("", "check", missing, good, "--to", "bo")
	if code != 1 || !strings.HasPrefix(out, good+": accepted") || !strings.HasPrefix(errOut, missing+":\nerror: open ") {
		t.Errorf("exit %d\nstdout %q\nstderr %q", code, out, errOut)
	}
	code, _, errOut = c.run("", "check", t.TempDir())
	if code != 1 || !strings.Contains(errOut, "is not a regular file") {
		t.Errorf("a folder: exit %d, %q", code, errOut)
	}
}

func TestCheckCannotAsk(t *testing.T) {
	file := writeFile(t, "a.pdf", pdfHead)
	code, out, errOut := newCLI(t).run("", "check", file)
	if code != 1 || out != "" || !strings.Contains(errOut, "not signed in") {
		t.Errorf("not signed in: exit %d, %q %q", code, out, errOut)
	}

	c := newCLI(t)
	api := c.withCheckAPI(nil)
	api.front.Close()
	code, out, errOut = c.run("", "check", file, "--json")
	if code != 1 || out != "" || !strings.Contains(errOut, "cannot be reached") || !strings.Contains(errOut, api.front.URL) {
		t.Errorf("server down: exit %d, %q %q", code, out, errOut)
	}

	if code, _, errOut := newCLI(t).run("", "check"); code != 2 || !strings.Contains(errOut, "name at least one FILE") {
		t.Errorf("no files: exit %d, %q", code, errOut)
	}
}

// The local checks decide as the server's rules do — same code, rule and
// details — on the policy as it travels (JSON), including one whose tier
// caps no group.
func TestLocalChecksMatchServerRules(t *testing.T) {
	for _, edit := range []func(*policy.Policy){nil, func(p *policy.Policy) { p.Tiers[ferry.TierFree].GroupLimits = map[string]ferry.Bytes{} }} {
		server := policy.Default()
		if edit != nil {
			edit(server)
		}
		if err := server.Complete(); err != nil {
			t.Fatal(err)
		}
		b, _ := json.Marshal(wire.EffectivePolicy{Tier: ferry.TierFree, Limits: server.Tier(ferry.TierFree), Types: server.Types, BlockedTypes: server.BlockedTypes})
		var ep wire.EffectivePolicy
		if err := json.Unmarshal(b, &ep); err != nil {
			t.Fatal(err)
		}
		lp, err := newLocalPolicy(&ep)
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range []struct {
			name string
			size int64
		}{
			{"a.pdf", 10}, {"a.exe", 10}, {"a.lnk", 10}, {"a.url", 10}, {"Makefile", 10}, {"a.bin", 10},
			{"季度 报告.PDF", 5e9 + 1}, {"film.mp4", 4.5e9}, {"x.tar.gz", 6e9}, {"NUL.txt", 1}, {"a\x01b.pdf", 1},
		} {
			want := map[string]policy.Check{}
			for _, c := range server.Evaluate(policy.Facts{Account: &ferry.Account{Tier: ferry.TierFree}, Name: f.name, Size: f.size}) {
				want[c.Rule] = c
			}
			local := lp.check(f.name, f.size, nil)
			if len(local) < 5 {
				t.Errorf("%s: only %d local checks", f.name, len(local))
			}
			for _, c := range local[:len(local)-1] { // the last is sniffing, which the create does not do
				w, ok := want[c.Rule]
				if !ok || c.Passed != w.Passed || c.Code != w.Code || !reflect.DeepEqual(errFields(c.Err), errFields(w.Err)) {
					t.Errorf("%s %d: local %s = %+v %+v; server %+v %+v", f.name, f.size, c.Rule, c, c.Err, w, w.Err)
				}
				delete(want, c.Rule)
			}
			for rule := range want { // without usage, all the server's rules but its load are the file's
				if !strings.HasPrefix(rule, "admission.") {
					t.Errorf("%s %d: rule %s not checked locally", f.name, f.size, rule)
				}
			}
		}
	}
}

func errFields(e *ferry.Error) any {
	if e == nil {
		return nil
	}
	b, _ := json.Marshal(map[string]any{"code": e.Code, "rule": e.Rule, "details": e.Details})
	return string(b)
}

func TestReadHeadReadsOnlyTheStart(t *testing.T) {
	data := testBytes(3 * policy.SniffLen)
	size, head, err := readHead(writeFile(t, "a.bin", data))
	if err != nil || size != int64(len(data)) || string(head) != string(data[:policy.SniffLen]) {
		t.Fatalf("readHead = %d, %d bytes, %v", size, len(head), err)
	}
	size, head, err = readHead(writeFile(t, "empty.pdf", nil))
	if err != nil || size != 0 || len(head) != 0 {
		t.Fatalf("empty: %d, %d bytes, %v", size, len(head), err)
	}
}

func decodeChecks(t *testing.T, out string) []checkResult {
	t.Helper()
	var res []checkResult
	if err := json.Unmarshal([]byte(out), &res); err != nil || len(res) == 0 {
		t.Fatalf("--json: %v\n%s", err, out)
	}
	return res
}

func hasRule(r checkResult, rule string) bool {
	for _, c := range r.Checks {
		if c.Rule == rule {
			return true
		}
	}
	return false
}

func firstFailed(r checkResult) checkOutcome {
	for _, c := range r.Checks {
		if !c.Passed {
			return c
		}
	}
	return checkOutcome{}
}
