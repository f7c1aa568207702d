package httpapi_test

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/ferryhq/ferry"
	"github.com/ferryhq/ferry/account"
	"github.com/ferryhq/ferry/httpapi"
	"github.com/ferryhq/ferry/httpapi/wire"
	"github.com/ferryhq/ferry/meta/sqlite"
	"github.com/pquerna/otp"
	"github.com/pquerna/otp/totp"
)

// riskClock moves only when a test says so.
type riskClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *riskClock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }

func (c *riskClock) advance(d time.Duration) { c.mu.Lock(); c.t = c.t.Add(d); c.mu.Unlock() }

// riskServer is the API over a real SQLite store and account service, with
// an administrator and a user, alice, signed in.
type riskServer struct {
	t        *testing.T
	url      string
	clock    *riskClock
	accounts *account.Service
	alice    *ferry.Account
	admin    string // tokens
	user     string
}

func newRiskServer(t *testing.T) *riskServer {
	t.Helper()
	store, err := sqlite.Open(filepath.Join(t.TempDir(), "ferry.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	s := &riskServer{t: t, clock: &riskClock{t: time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)}}
	s.accounts = account.New(store, s.clock, account.Config{})
	if _, err := s.accounts.Create(t.Context(), "root", "root-password", ferry.TierEnterprise, true); err != nil {
		t.Fatal(err)
	}
	if s.alice, err = s.accounts.Create(t.Context(), "alice", "alice-password", ferry.TierFree, false); err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(httpapi.New(httpapi.Options{Accounts: s.accounts}))
	t.Cleanup(srv.Close)
	s.url = srv.URL
	s.admin = s.login("root", "root-password", http.StatusOK)
	s.user = s.login("alice", "alice-password", http.StatusOK)
	return s
}

// riskResp is a finished response with its body read.
type riskResp struct {
	*http.Response
	body []byte
}

func (s *riskServer) do(method, path, token string, body any) *riskResp {
	s.t.Helper()
	var r io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			s.t.Fatal(err)
		}
		r = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, s.url+path, r)
	if err != nil {
		s.t.Fatal(err)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		s.t.Fatal(err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		s.t.Fatal(err)
	}
	return &riskResp{Response: res, body: b}
}

// ok asserts the status and decodes the body into v (when not nil).
func (s *riskServer) ok(r *riskResp, status int, v any) {
	s.t.Helper()
	if r.StatusCode != status {
		s.t.Fatalf("%s %s: status %d, want %d; body %s", r.Request.Method, r.Request.URL.Path, r.StatusCode, status, r.body)
	}
	if v != nil {
		if err := json.Unmarshal(r.body, v); err != nil {
			s.t.Fatalf("decode %s: %v", r.body, err)
		}
	}
}

// wantError asserts a coded error: status, code, name, header, message and
// remedy.
func (s *riskServer) wantError(r *riskResp, status int, code ferry.Code) wire.Error {
	s.t.Helper()
	var b wire.ErrorBody
	if err := json.Unmarshal(r.body, &b); err != nil {
		s.t.Fatalf("%s %s: error body %s: %v", r.Request.Method, r.Request.URL.Path, r.body, err)
	}
	e := b.Error
	if r.StatusCode != status || e.Code != code {
		s.t.Fatalf("%s %s: %d code %d, want %d code %d; body %s", r.Request.Method, r.Request.URL.Path,
			r.StatusCode, e.Code, status, code, r.body)
	}
	if e.Name != code.Name() || e.Message == "" || e.Remedy == "" || r.Header.Get(wire.HeaderErrorCode) != strconv.Itoa(int(code)) {
		s.t.Errorf("incomplete error: header %q, body %s", r.Header.Get(wire.HeaderErrorCode), r.body)
	}
	return e
}

func (s *riskServer) login(user, password string, status int) string {
	s.t.Helper()
	var out wire.LoginResponse
	r := s.do("POST", "/api/v1/login", "", wire.LoginRequest{Username: user, Password: password})
	if status != http.StatusOK {
		s.wantError(r, status, ferry.CodeLoginFailed)
		return ""
	}
	s.ok(r, status, &out)
	return out.Token
}

func (s *riskServer) risk(name string) wire.Risk {
	s.t.Helper()
	var out wire.Risk
	s.ok(s.do("GET", "/api/v1/admin/users/"+name+"/risk", s.admin, nil), http.StatusOK, &out)
	return out
}

func totpCode(t *testing.T, secret string, at time.Time) string {
	t.Helper()
	c, err := totp.GenerateCodeCustom(secret, at, totp.ValidateOpts{Period: 30, Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func otherCode(c string) string {
	if c == "000000" {
		return "000001"
	}
	return "000000"
}

func TestTOTPEnrolmentAndStepUp(t *testing.T) {
	s := newRiskServer(t)
	var en wire.TOTPEnrollment
	r := s.do("POST", "/api/v1/me/totp", s.user, nil)
	s.ok(r, http.StatusOK, &en)
	if en.Secret == "" || en.OTPAuthURL == "" || r.Header.Get("Cache-Control") != "no-store" {
		t.Fatalf("enrolment: %s, Cache-Control %q", r.body, r.Header.Get("Cache-Control"))
	}
	right := totpCode(t, en.Secret, s.clock.Now())
	s.wantError(s.do("POST", "/api/v1/me/totp/confirm", s.user, wire.OneTimeCode{Code: otherCode(right)}),
		http.StatusUnauthorized, ferry.CodeOneTimeCodeInvalid)
	s.wantError(s.do("POST", "/api/v1/me/totp/confirm", s.user, map[string]string{"cod": right}),
		http.StatusBadRequest, ferry.CodeBadRequest)
	s.ok(s.do("POST", "/api/v1/me/totp/confirm", s.user, wire.OneTimeCode{Code: right}), http.StatusNoContent, nil)
	s.wantError(s.do("POST", "/api/v1/me/totp", s.user, nil), http.StatusConflict, ferry.CodeTOTPAlreadyEnrolled)

	for range 3 {
		s.login("alice", "wrong-password", http.StatusUnauthorized)
	}
	wantSend(t, s.accounts.CheckSend(t.Context(), s.alice), ferry.CodeStepUpRequired)
	until := s.clock.Now().Add(24 * time.Hour)
	got := s.risk("alice")
	if got.Level != 2 || got.Until == nil || !got.Until.Equal(until) || got.FailedLogins != 3 || got.Events24h != 1 || !got.TOTPEnrolled {
		t.Errorf("risk after 3 failed logins: %+v, want level 2 until %v, 3 failures, 1 event, enrolled", got, until)
	}

	s.clock.advance(30 * time.Second) // past the step of the confirming code
	right = totpCode(t, en.Secret, s.clock.Now())
	s.wantError(s.do("POST", "/api/v1/me/step-up", s.user, wire.OneTimeCode{Code: otherCode(right)}),
		http.StatusUnauthorized, ferry.CodeOneTimeCodeInvalid)
	s.ok(s.do("POST", "/api/v1/me/step-up", s.user, wire.OneTimeCode{Code: right}), http.StatusNoContent, nil)
	s.wantError(s.do("POST", "/api/v1/me/step-up", s.user, wire.OneTimeCode{Code: right}), // replay
		http.StatusUnauthorized, ferry.CodeOneTimeCodeInvalid)
	wantSend(t, s.accounts.CheckSend(t.Context(), s.alice), 0)
	if got := s.risk("alice"); got.Level != 1 || got.Until != nil || got.FailedLogins != 0 || got.Events24h != 2 {
		t.Errorf("risk after the step-up: %+v, want level 1, no failures, 2 events (level 2, the wrong code)", got)
	}
	var raw map[string]any
	s.ok(s.do("GET", "/api/v1/admin/users/alice/risk", s.admin, nil), http.StatusOK, &raw)
	if _, ok := raw["until"]; ok {
		t.Errorf("until present at level 1: %v", raw)
	}
}

// The 4002 and 4003 of risk control reach clients with their rule,
// details and Retry-After.
func TestRiskErrors(t *testing.T) {
	s := newRiskServer(t)
	for range 3 {
		s.login("alice", "wrong-password", http.StatusUnauthorized)
	}
	r := s.do("POST", "/api/v1/me/totp", s.user, nil) // no enrolment at level 2
	e := s.wantError(r, http.StatusForbidden, ferry.CodeStepUpRequired)
	if r.Header.Get("Retry-After") != "1800" || e.RetryAfterSeconds != 1800 || e.Rule != "risk.login_failures" ||
		e.Details["totp_enrolled"] != false {
		t.Errorf("4002: Retry-After %q, body %s", r.Header.Get("Retry-After"), r.body)
	}
	s.wantError(s.do("POST", "/api/v1/me/step-up", s.user, wire.OneTimeCode{Code: "123456"}),
		http.StatusConflict, ferry.CodeTOTPNotEnrolled) // nothing enrolled

	for range 5 {
		if err := s.accounts.RiskEvent(t.Context(), s.alice, "burst"); err != nil {
			t.Fatal(err)
		}
	}
	r = s.do("POST", "/api/v1/me/step-up", s.user, wire.OneTimeCode{Code: "123456"})
	e = s.wantError(r, http.StatusForbidden, ferry.CodeAccountRestricted)
	until := s.clock.Now().Add(24 * time.Hour).Format(time.RFC3339)
	if r.Header.Get("Retry-After") != "86400" || e.Rule != "risk.max_events" || e.Details["until"] != until {
		t.Errorf("4003: Retry-After %q, body %s; want until %s", r.Header.Get("Retry-After"), r.body, until)
	}
}

func TestAdminRisk(t *testing.T) {
	s := newRiskServer(t)
	for range 6 {
		if err := s.accounts.RiskEvent(t.Context(), s.alice, "wrong_proof"); err != nil {
			t.Fatal(err)
		}
	}
	s.login("alice", "wrong-password", http.StatusUnauthorized)
	until := s.clock.Now().Add(24 * time.Hour)
	if got := s.risk("alice"); got.Level != 3 || got.Until == nil || !got.Until.Equal(until) || got.FailedLogins != 1 || got.Events24h != 6 {
		t.Errorf("risk after 6 events: %+v, want level 3 until %v", got, until)
	}

	s.wantError(s.do("GET", "/api/v1/admin/users/alice/risk", s.user, nil), http.StatusForbidden, ferry.CodeForbidden)
	s.wantError(s.do("DELETE", "/api/v1/admin/users/alice/risk", s.user, nil), http.StatusForbidden, ferry.CodeForbidden)
	s.wantError(s.do("GET", "/api/v1/admin/users/alice/risk", "", nil), http.StatusUnauthorized, ferry.CodeUnauthenticated)
	s.wantError(s.do("GET", "/api/v1/admin/users/nobody/risk", s.admin, nil), http.StatusNotFound, ferry.CodeNotFound)
	s.wantError(s.do("DELETE", "/api/v1/admin/users/nobody/risk", s.admin, nil), http.StatusNotFound, ferry.CodeNotFound)
	wantSend(t, s.accounts.CheckSend(t.Context(), s.alice), ferry.CodeAccountRestricted)

	s.ok(s.do("DELETE", "/api/v1/admin/users/alice/risk", s.admin, nil), http.StatusNoContent, nil)
	if got := s.risk("alice"); got != (wire.Risk{Level: 1}) {
		t.Errorf("risk after clearing: %+v, want level 1 and nothing counted", got)
	}
	wantSend(t, s.accounts.CheckSend(t.Context(), s.alice), 0)
}

func wantSend(t *testing.T, err error, code ferry.Code) {
	t.Helper()
	if got := ferry.ErrorCode(err); got != code {
		t.Fatalf("CheckSend: %v, want code %d", err, code)
	}
}

// An administrator removes the authenticator of a user who lost it; the
// user enrols a new one, and the old secret's codes no longer count.
func TestAdminRemovesAnAuthenticator(t *testing.T) {
	s := newRiskServer(t)
	var en wire.TOTPEnrollment
	s.ok(s.do("POST", "/api/v1/me/totp", s.user, nil), http.StatusOK, &en)
	s.ok(s.do("POST", "/api/v1/me/totp/confirm", s.user, wire.OneTimeCode{Code: totpCode(t, en.Secret, s.clock.Now())}), http.StatusNoContent, nil)
	s.wantError(s.do("DELETE", "/api/v1/admin/users/alice/totp", s.user, nil), http.StatusForbidden, ferry.CodeForbidden)
	s.wantError(s.do("DELETE", "/api/v1/admin/users/nobody/totp", s.admin, nil), http.StatusNotFound, ferry.CodeNotFound)
	s.ok(s.do("DELETE", "/api/v1/admin/users/alice/totp", s.admin, nil), http.StatusNoContent, nil)
	if got := s.risk("alice"); got.TOTPEnrolled {
		t.Fatalf("still enrolled: %+v", got)
	}
	s.clock.advance(30 * time.Second)
	s.wantError(s.do("POST", "/api/v1/me/step-up", s.user, wire.OneTimeCode{Code: totpCode(t, en.Secret, s.clock.Now())}),
		http.StatusConflict, ferry.CodeTOTPNotEnrolled)
	var again wire.TOTPEnrollment
	s.ok(s.do("POST", "/api/v1/me/totp", s.user, nil), http.StatusOK, &again)
	if again.Secret == en.Secret {
		t.Error("the new enrolment reuses the old secret")
	}
}
