package httpapi_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"reflect"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/ferryhq/ferry"
	"github.com/ferryhq/ferry/account"
	"github.com/ferryhq/ferry/audit"
	"github.com/ferryhq/ferry/httpapi"
	"github.com/ferryhq/ferry/httpapi/wire"
	"github.com/ferryhq/ferry/meta/sqlite"
)

// auditServer is the API over a real SQLite store, with an administrator
// (root) and a user (alice) signed in, and a recorder to fill the log.
type auditServer struct {
	t           *testing.T
	url         string
	rec         *audit.Recorder
	admin, user string // tokens
}

func newAuditServer(t *testing.T) *auditServer {
	t.Helper()
	store, err := sqlite.Open(filepath.Join(t.TempDir(), "ferry.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	accounts := account.New(store, ferry.SystemClock{}, account.Config{})
	for _, u := range []struct {
		name  string
		admin bool
	}{{"root", true}, {"alice", false}} {
		if _, err := accounts.Create(t.Context(), u.name, u.name+"-password", ferry.TierFree, u.admin); err != nil {
			t.Fatal(err)
		}
	}
	srv := httptest.NewServer(httpapi.New(httpapi.Options{Accounts: accounts, Audit: store}))
	t.Cleanup(srv.Close)
	s := &auditServer{t: t, url: srv.URL, rec: audit.NewRecorder(store, nil, audit.Options{})}
	t.Cleanup(func() {
		if err := s.rec.Close(t.Context()); err != nil {
			t.Error(err)
		}
	})
	for _, u := range []struct {
		name  string
		token *string
	}{{"root", &s.admin}, {"alice", &s.user}} {
		var out wire.LoginResponse
		res := s.post("/api/v1/login", wire.LoginRequest{Username: u.name, Password: u.name + "-password"})
		s.ok(res, http.StatusOK, &out)
		*u.token = out.Token
	}
	return s
}

// auditResp is a finished response with its body read.
type auditResp struct {
	*http.Response
	body []byte
}

func (s *auditServer) get(path, token string) *auditResp {
	s.t.Helper()
	req, err := http.NewRequest("GET", s.url+path, nil)
	if err != nil {
		s.t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	return s.send(req)
}

func (s *auditServer) post(path string, body any) *auditResp {
	s.t.Helper()
	b, err := json.Marshal(body)
	if err != nil {
		s.t.Fatal(err)
	}
	req, err := http.NewRequest("POST", s.url+path, bytes.NewReader(b))
	if err != nil {
		s.t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	return s.send(req)
}

func (s *auditServer) send(req *http.Request) *auditResp {
	s.t.Helper()
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		s.t.Fatal(err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		s.t.Fatal(err)
	}
	return &auditResp{Response: res, body: b}
}

// ok asserts the status and decodes the body into v (unless nil).
func (s *auditServer) ok(r *auditResp, status int, v any) {
	s.t.Helper()
	if r.StatusCode != status {
		s.t.Fatalf("%s %s: status %d, want %d; body %s", r.Request.Method, r.Request.URL, r.StatusCode, status, r.body)
	}
	if v != nil {
		if err := json.Unmarshal(r.body, v); err != nil {
			s.t.Fatalf("decode %s: %v", r.body, err)
		}
	}
}

// wantError asserts a coded error and returns it.
func (s *auditServer) wantError(r *auditResp, code ferry.Code) wire.Error {
	s.t.Helper()
	var b wire.ErrorBody
	if err := json.Unmarshal(r.body, &b); err != nil {
		s.t.Fatalf("%s %s: error body %s: %v", r.Request.Method, r.Request.URL, r.body, err)
	}
	if b.Error.Code != code || r.StatusCode != code.Info().Status || r.Header.Get(wire.HeaderErrorCode) != strconv.Itoa(int(code)) {
		s.t.Fatalf("%s %s: %d %s, want code %d; body %s", r.Request.Method, r.Request.URL, r.StatusCode,
			r.Header.Get(wire.HeaderErrorCode), code, r.body)
	}
	return b.Error
}

// record stores recs through the recorder.
func (s *auditServer) record(recs ...*ferry.AuditRecord) {
	s.t.Helper()
	for _, r := range recs {
		s.rec.Record(r)
	}
	if err := s.rec.Flush(s.t.Context()); err != nil {
		s.t.Fatal(err)
	}
}

// list answers GET /api/v1/admin/audit with query q, as the administrator.
func (s *auditServer) list(q url.Values) wire.AuditList {
	s.t.Helper()
	var out wire.AuditList
	r := s.get("/api/v1/admin/audit?"+q.Encode(), s.admin)
	s.ok(r, http.StatusOK, &out)
	if r.Header.Get("Cache-Control") != "no-store" {
		s.t.Errorf("audit list without Cache-Control: no-store")
	}
	return out
}

func recordNames(l wire.AuditList) []string {
	out := make([]string, len(l.Records))
	for i, r := range l.Records {
		out[i] = r.Name
	}
	return out
}

var auditDay = time.Date(2026, 3, 4, 0, 0, 0, 0, time.UTC)

// auditAt is auditDay plus h hours.
func auditAt(h float64) time.Time { return auditDay.Add(time.Duration(h * float64(time.Hour))) }

// auditDecision is a record of name by user at t; a refusal when code is set.
func auditDecision(name, user, action string, code ferry.Code, t time.Time) *ferry.AuditRecord {
	r := &ferry.AuditRecord{At: t, Account: user, Action: action, Name: name, Size: 100, Verdict: ferry.VerdictAccepted}
	if code != 0 {
		r.Verdict, r.Code = ferry.VerdictRejected, code
	}
	return r
}

func TestAuditAdminOnly(t *testing.T) {
	s := newAuditServer(t)
	for _, path := range []string{"/api/v1/admin/audit", "/api/v1/admin/audit/summary"} {
		s.wantError(s.get(path, ""), ferry.CodeUnauthenticated)
		s.wantError(s.get(path, s.user), ferry.CodeForbidden)
		s.ok(s.get(path, s.admin), http.StatusOK, nil)
	}
}

func TestAuditRecordJSON(t *testing.T) {
	s := newAuditServer(t)
	east := time.FixedZone("UTC+8", 8*60*60)
	s.record(&ferry.AuditRecord{At: auditAt(1).In(east), AccountID: 7, Account: "alice", Action: ferry.AuditUpload,
		TransferID: "t-1", Name: "季度报告 final.pdf", Size: 123456, Verdict: ferry.VerdictRejected,
		Code: ferry.CodeMalwareDetected, Rule: "inspect.malware", IP: "2001:db8::7",
		Details: map[string]any{"signature": "EICAR-Test", "depth": 2}})
	got := s.list(nil)
	if len(got.Records) != 1 || got.NextCursor != "" {
		t.Fatalf("audit = %+v, want one record and no cursor", got)
	}
	r := got.Records[0]
	want := wire.AuditRecord{ID: r.ID, At: auditAt(1), User: "alice", Action: "upload", TransferID: "t-1",
		Name: "季度报告 final.pdf", Size: 123456, Verdict: "rejected", Code: ferry.CodeMalwareDetected,
		CodeName: "MALWARE_DETECTED", Rule: "inspect.malware", IP: "2001:db8::7",
		Details: map[string]any{"signature": "EICAR-Test", "depth": float64(2)}}
	if r.ID <= 0 || !reflect.DeepEqual(r, want) || r.At.Location() != time.UTC {
		t.Errorf("record = %+v,\nwant %+v", r, want)
	}
	// An acceptance has code 0 and no code name.
	s.record(auditDecision("ok.txt", "alice", ferry.AuditCreate, 0, auditAt(2)))
	var raw struct {
		Records []map[string]any `json:"records"`
	}
	s.ok(s.get("/api/v1/admin/audit?limit=1", s.admin), http.StatusOK, &raw)
	if len(raw.Records) != 1 || raw.Records[0]["code"] != float64(0) || raw.Records[0]["code_name"] != nil {
		t.Errorf("an acceptance = %v, want code 0 and no code_name", raw.Records)
	}
}

func TestAuditFilters(t *testing.T) {
	s := newAuditServer(t)
	s.record(
		auditDecision("a1", "alice", ferry.AuditCreate, 0, auditAt(0)),
		auditDecision("a2", "alice", ferry.AuditCreate, ferry.CodeFileTypeNotAllowed, auditAt(1)),
		auditDecision("b1", "bob", ferry.AuditCreate, ferry.CodeFileTooLarge, auditAt(2)),
		auditDecision("b2", "bob", ferry.AuditUpload, ferry.CodeMalwareDetected, auditAt(3)),
		auditDecision("", "mallory", ferry.AuditLogin, ferry.CodeLoginFailed, auditAt(4)),
		auditDecision("c1", "carol", ferry.AuditDownload, 0, auditAt(25)),
	)
	rfc := func(t time.Time) string { return t.Format(time.RFC3339) }
	for _, c := range []struct {
		query string
		want  []string
	}{
		{"", []string{"c1", "", "b2", "b1", "a2", "a1"}},
		{"user=alice", []string{"a2", "a1"}},
		{"user=nobody", nil},
		{"action=create", []string{"b1", "a2", "a1"}},
		{"verdict=accepted", []string{"c1", "a1"}},
		{"code=6002", []string{"b1"}},
		{"code=file_type_not_allowed", []string{"a2"}},
		{"since=" + rfc(auditAt(2)), []string{"c1", "", "b2", "b1"}}, // inclusive
		{"until=" + rfc(auditAt(2)), []string{"a2", "a1"}},           // exclusive
		{"since=" + url.QueryEscape(auditAt(1).In(time.FixedZone("", -5*3600)).Format(time.RFC3339)) + "&until=" + rfc(auditAt(24)),
			[]string{"", "b2", "b1", "a2"}},
		{"user=bob&verdict=rejected&action=upload&code=MALWARE_DETECTED", []string{"b2"}},
	} {
		var out wire.AuditList
		r := s.get("/api/v1/admin/audit?"+c.query, s.admin)
		s.ok(r, http.StatusOK, &out)
		if got := recordNames(out); !slices.Equal(got, c.want) || out.Records == nil {
			t.Errorf("?%s = %q (records %v), want %q", c.query, got, out.Records, c.want)
		}
	}
}

func TestAuditPages(t *testing.T) {
	s := newAuditServer(t)
	// Nine records, three at each of three times: newest first, and among
	// equal times the one recorded last first.
	var want []string
	for i := range 9 {
		s.record(auditDecision(fmt.Sprint("r", i), "alice", ferry.AuditCreate, 0, auditAt(float64(i/3))))
	}
	for _, i := range []int{8, 7, 6, 5, 4, 3, 2, 1, 0} {
		want = append(want, fmt.Sprint("r", i))
	}
	for _, limit := range []int{1, 2, 4, 9, 500} {
		var got []string
		q := url.Values{"limit": {strconv.Itoa(limit)}}
		for page := 0; ; page++ {
			out := s.list(q)
			if len(out.Records) > limit || page > 9 {
				t.Fatalf("limit %d: page %d has %d records", limit, page, len(out.Records))
			}
			got = append(got, recordNames(out)...)
			if out.NextCursor == "" {
				break
			}
			q.Set("cursor", out.NextCursor)
		}
		if !slices.Equal(got, want) {
			t.Errorf("pages of %d = %q, want %q", limit, got, want)
		}
	}
	// Filters hold across pages.
	q := url.Values{"limit": {"2"}, "until": {auditAt(2).Format(time.RFC3339)}}
	first := s.list(q)
	q.Set("cursor", first.NextCursor)
	second := s.list(q)
	if got := append(recordNames(first), recordNames(second)...); !slices.Equal(got, want[3:7]) {
		t.Errorf("filtered pages = %q, want %q", got, want[3:7])
	}
}

func TestAuditBadParams(t *testing.T) {
	s := newAuditServer(t)
	for _, q := range []string{
		"since=yesterday",
		"until=2026-13-01T00:00:00Z",
		"since=2026-01-02", // a date is not a time
		"since=2026-01-02T00:00:00Z&until=2026-01-02T00:00:00Z",
		"since=2026-01-03T00:00:00Z&until=2026-01-02T00:00:00Z",
		"code=9999",
		"code=0",
		"code=NOT_A_CODE",
		"limit=0",
		"limit=501",
		"limit=ten",
		"cursor=%25%25not-a-cursor",
		"usr=alice",
		"user=alice&user=bob",
		"a=%zz",
	} {
		e := s.wantError(s.get("/api/v1/admin/audit?"+q, s.admin), ferry.CodeBadRequest)
		if reason, _ := e.Details["reason"].(string); reason == "" {
			t.Errorf("?%s: 8004 without a reason: %+v", q, e)
		}
	}
	for _, q := range []string{"since=soon", "until=2026-01-01T00:00:00Z&since=2026-02-01T00:00:00Z", "user=alice"} {
		e := s.wantError(s.get("/api/v1/admin/audit/summary?"+q, s.admin), ferry.CodeBadRequest)
		if reason, _ := e.Details["reason"].(string); reason == "" {
			t.Errorf("summary ?%s: 8004 without a reason: %+v", q, e)
		}
	}
}

func TestAuditSummary(t *testing.T) {
	s := newAuditServer(t)
	s.record(
		auditDecision("x", "alice", ferry.AuditCreate, 0, auditAt(-1)),
		auditDecision("x", "alice", ferry.AuditCreate, 0, auditAt(0)),
		auditDecision("x", "bob", ferry.AuditCreate, 0, auditAt(23.5)),
		auditDecision("x", "bob", ferry.AuditCreate, ferry.CodeFileTooLarge, auditAt(5)),
		auditDecision("x", "bob", ferry.AuditCreate, ferry.CodeFileTooLarge, auditAt(6)),
		auditDecision("x", "carol", ferry.AuditUpload, ferry.CodeMalwareDetected, auditAt(7)),
		auditDecision("", "mallory", ferry.AuditLogin, ferry.CodeLoginFailed, auditAt(30)),
	)
	summary := func(q string) []wire.AuditCount {
		t.Helper()
		var out wire.AuditSummary
		s.ok(s.get("/api/v1/admin/audit/summary?"+q, s.admin), http.StatusOK, &out)
		if out.Counts == nil {
			t.Errorf("?%s: counts is null, want a list", q)
		}
		return out.Counts
	}
	all := []wire.AuditCount{
		{Day: "2026-03-03", Action: "create", Verdict: "accepted", Count: 1},
		{Day: "2026-03-04", Action: "create", Verdict: "accepted", Count: 2},
		{Day: "2026-03-04", Action: "create", Verdict: "rejected", Code: ferry.CodeFileTooLarge, Name: "FILE_TOO_LARGE", Count: 2},
		{Day: "2026-03-04", Action: "upload", Verdict: "rejected", Code: ferry.CodeMalwareDetected, Name: "MALWARE_DETECTED", Count: 1},
		{Day: "2026-03-05", Action: "login", Verdict: "rejected", Code: ferry.CodeLoginFailed, Name: "LOGIN_FAILED", Count: 1},
	}
	if got := summary(""); !slices.Equal(got, all) {
		t.Errorf("summary = %+v,\nwant %+v", got, all)
	}
	day := "since=" + auditAt(0).Format(time.RFC3339) + "&until=" + auditAt(24).Format(time.RFC3339)
	if got := summary(day); !slices.Equal(got, all[1:4]) {
		t.Errorf("summary of one day = %+v,\nwant %+v", got, all[1:4])
	}
	if got := summary("since=" + auditAt(100).Format(time.RFC3339)); len(got) != 0 {
		t.Errorf("summary of the future = %+v, want none", got)
	}
}
