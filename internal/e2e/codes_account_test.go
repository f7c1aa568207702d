package e2e

import (
	"fmt"
	"testing"
	"time"

	"github.com/pquerna/otp/totp"

	"github.com/ferryhq/ferry"
	"github.com/ferryhq/ferry/httpapi/wire"
	"github.com/ferryhq/ferry/policy"
	"github.com/ferryhq/ferry/server"
)

// wrongCode returns a 6-digit code that the authenticator of secret does
// not show around now (the server accepts a step of skew either way).
func wrongCode(t testing.TB, secret string, now time.Time) string {
	right := map[string]bool{}
	for _, d := range []time.Duration{-30 * time.Second, 0, 30 * time.Second} {
		c, err := totp.GenerateCode(secret, now.Add(d))
		if err != nil {
			t.Fatal(err)
		}
		right[c] = true
	}
	for i := 0; ; i++ {
		if c := fmt.Sprintf("%06d", i); !right[c] {
			return c
		}
	}
}

// 4001, 4002 for an account with an authenticator, and 4005: after 3
// failed logins (4001, as for an unknown user) sending needs a one-time
// code — no Retry-After, since time does not lift it —; a wrong code is
// 4005 (at confirmation and at step-up); the right one lets the account
// send again.
func TestCodesLoginStepUpAndOneTimeCode(t *testing.T) {
	t.Parallel()
	e := start(t, nil)
	alice := e.user("alice", ferry.TierFree)
	e.user("bob", ferry.TierFree)

	var en wire.TOTPEnrollment
	e.decode(e.do(request{method: "POST", path: "/api/v1/me/totp", token: alice}), 200, &en)
	code := func() string {
		t.Helper()
		e.clock.Advance(30 * time.Second) // a fresh step: a code counts once
		c, err := totp.GenerateCode(en.Secret, e.clock.Now())
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	oneTime := func(path, code string, lang ferry.Lang) *resp {
		return e.do(request{method: "POST", path: path, token: alice, header: withLang(lang, nil), json: wire.OneTimeCode{Code: code}})
	}
	for _, lang := range codeLangs {
		e.wantCode(oneTime("/api/v1/me/totp/confirm", wrongCode(t, en.Secret, e.clock.Now()), lang), ferry.CodeOneTimeCodeInvalid, lang, codeWant{})
	}
	e.decode(oneTime("/api/v1/me/totp/confirm", code(), ferry.English), 204, nil)

	// 4001: a wrong password and an unknown user answer alike; two of
	// alice's, then the third raises her to level 2.
	for _, lang := range codeLangs {
		for _, user := range []string{"alice", "nobody"} {
			e.wantCode(e.do(request{method: "POST", path: "/api/v1/login", header: withLang(lang, nil),
				json: wire.LoginRequest{Username: user, Password: "wrong-password"}}), ferry.CodeLoginFailed, lang, codeWant{})
		}
	}
	failLogins(e, "alice", 1)
	req := wire.CreateTransferRequest{To: []string{"bob"}, Name: "a.pdf", Size: 1000}
	want := codeWant{rule: "risk.login_failures"}
	for _, lang := range codeLangs {
		b := e.wantCode(e.do(request{method: "POST", path: "/api/v1/transfers", token: alice, json: req, header: withLang(lang, nil)}),
			ferry.CodeStepUpRequired, lang, want)
		wantDetails(t, b.Code, b.Details, map[string]any{"totp_enrolled": true})
		if b.RetryAfterSeconds != 0 {
			t.Errorf("4002 with an authenticator says to retry after %d s; only a code lifts it", b.RetryAfterSeconds)
		}
		e.wantPrecheckRejects(e.precheck(alice, req, withLang(lang, nil)), ferry.CodeStepUpRequired, lang, want)
	}
	for _, lang := range codeLangs {
		e.wantCode(oneTime("/api/v1/me/step-up", wrongCode(t, en.Secret, e.clock.Now()), lang), ferry.CodeOneTimeCodeInvalid, lang, codeWant{})
	}
	e.wantCode(e.do(request{method: "POST", path: "/api/v1/transfers", token: alice, json: req}), ferry.CodeStepUpRequired, ferry.English, want)
	e.decode(oneTime("/api/v1/me/step-up", code(), ferry.English), 204, nil)
	e.create(alice, []string{"bob"}, "a.pdf", 1000, "")
	if r := e.riskOf("alice"); r.Level != ferry.RiskNormal || !r.TOTPEnrolled {
		t.Errorf("risk after the step-up: %+v", r)
	}
}

// 4003, and what lifts it: more than 5 risk events in 24 hours (refused
// bursts) suspend sending; the administrator sees the level and until
// when, a step-up does not lift it, the administrator's clearing does.
func TestCodesAccountRestrictedAdminClears(t *testing.T) {
	t.Parallel()
	e := start(t, func(c *server.Config) {
		c.Policy.Tiers[ferry.TierFree].Burst = policy.Burst{Count: 1, Per: policy.Duration(time.Minute)}
	})
	alice := e.user("alice", ferry.TierFree)
	e.user("bob", ferry.TierFree)
	burstEvents(e, alice, 1, 6)
	until := e.clock.Now().Add(24 * time.Hour)
	if r := e.riskOf("alice"); r.Level != ferry.RiskRestricted || r.Until == nil || !r.Until.Equal(until) || r.Events24h != 6 {
		t.Fatalf("risk after 6 events: %+v, want level 3 until %s", r, until)
	}
	req := wire.CreateTransferRequest{To: []string{"bob"}, Name: "a.pdf", Size: 1}
	for _, lang := range codeLangs {
		b := e.wantCode(e.do(request{method: "POST", path: "/api/v1/transfers", token: alice, json: req, header: withLang(lang, nil)}),
			ferry.CodeAccountRestricted, lang, codeWant{rule: "risk.max_events", retryAfter: 24 * 3600})
		wantDetails(t, b.Code, b.Details, map[string]any{"until": until.Format(time.RFC3339)})
	}
	e.wantCode(e.do(request{method: "POST", path: "/api/v1/me/step-up", token: alice, json: wire.OneTimeCode{Code: "123456"}}),
		ferry.CodeAccountRestricted, ferry.English, codeWant{rule: "risk.max_events"})
	e.wantError(e.do(request{method: "DELETE", path: "/api/v1/admin/users/alice/risk", token: alice}), 403, ferry.CodeForbidden)

	e.decode(e.do(request{method: "DELETE", path: "/api/v1/admin/users/alice/risk", token: e.admin}), 204, nil)
	if r := e.riskOf("alice"); r.Level != ferry.RiskNormal || r.Until != nil || r.Events24h != 0 {
		t.Fatalf("risk after clearing: %+v", r)
	}
	e.clock.Advance(time.Minute) // the burst limit still counts
	e.create(alice, []string{"bob"}, "a.pdf", 1, "")
}
