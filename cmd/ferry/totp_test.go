package main

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/ferryhq/ferry/httpapi/wire"
)

func TestTOTPEnrollConfirmStepUp(t *testing.T) {
	c := newCLI(t)
	api := c.withCheckAPI(nil)
	code, out, errOut := c.run("", "totp", "enroll")
	if code != 0 || !strings.Contains(out, "secret:  JBSWY3DPEHPK3PXP\n") || !strings.Contains(out, "url:     otpauth://totp/ferry:ana?") ||
		!strings.Contains(out, "ferry totp confirm CODE") {
		t.Fatalf("enroll: exit %d\n%s%s", code, out, errOut)
	}
	code, out, _ = c.run("", "totp", "enroll", "--json")
	var en wire.TOTPEnrollment
	if code != 0 || json.Unmarshal([]byte(out), &en) != nil || en.Secret != "JBSWY3DPEHPK3PXP" || api.enrolls != 2 {
		t.Fatalf("enroll --json: exit %d %q", code, out)
	}
	if code, out, _ := c.run("", "totp", "confirm", "123 456"); code != 0 || !strings.HasPrefix(out, "authenticator enrolled") {
		t.Errorf("confirm: exit %d %q", code, out)
	}
	if code, out, _ := c.run("", "step-up", "123456"); code != 0 || out != "confirmed: you can send again\n" {
		t.Errorf("step-up: exit %d %q", code, out)
	}
	code, out, errOut = c.run("", "step-up", "654321")
	if code != 1 || out != "" || !strings.HasPrefix(errOut, "error 4005 ONE_TIME_CODE_INVALID: ") || !strings.Contains(errOut, "\nremedy: ") {
		t.Errorf("wrong code: exit %d %q %q", code, out, errOut)
	}
	want := []string{"/api/v1/me/totp/confirm 123456", "/api/v1/me/step-up 123456", "/api/v1/me/step-up 654321"}
	if strings.Join(api.codes, "|") != strings.Join(want, "|") {
		t.Errorf("codes sent %q, want %q", api.codes, want)
	}
}

// Refused for the state of the enrolment, the commands say what to do:
// the remedy of 4006 or 4007.
func TestTOTPStateHints(t *testing.T) {
	c := newCLI(t)
	api := c.withCheckAPI(nil)
	for _, tc := range []struct {
		enrolled bool
		args     []string
		want     string // how the error begins
	}{
		{false, []string{"step-up", "123456"}, "error 4006 TOTP_NOT_ENROLLED: "},
		{true, []string{"totp", "confirm", "123456"}, "error 4007 TOTP_ALREADY_ENROLLED: "},
	} {
		api.enrolled = &tc.enrolled
		code, _, errOut := c.run("", tc.args...)
		if code != 1 || !strings.HasPrefix(errOut, tc.want) || !strings.Contains(errOut, "\nremedy: ") {
			t.Errorf("%q: exit %d %q", tc.args, code, errOut)
		}
	}
}

func TestLoginWithTOTP(t *testing.T) {
	c := newCLI(t)
	api := c.withCheckAPI(nil)
	code, _, errOut := c.run("secret\n", "login", "--server", api.front.URL, "--user", "ana", "--password-stdin", "--totp", "123 456")
	if code != 0 {
		t.Fatalf("login: %d %s", code, errOut)
	}
	if n := len(api.logins); n != 2 || api.logins[0].TOTP != "" || api.logins[1].TOTP != "123456" {
		t.Errorf("logins %+v", api.logins)
	}
}

func TestTOTPUsageAndSession(t *testing.T) {
	c := newCLI(t)
	for _, args := range [][]string{{"totp", "confirm"}, {"step-up"}, {"step-up", "1", "2"}, {"totp", "bogus"}, {"totp", "enroll", "x"}} {
		if code, _, errOut := c.run("", args...); code != 2 || !strings.Contains(errOut, "--help' for usage") {
			t.Errorf("%q: exit %d %q", args, code, errOut)
		}
	}
	if code, _, errOut := c.run("", "step-up", "123456"); code != 1 || !strings.Contains(errOut, "ferry login") {
		t.Errorf("not signed in: exit %d %q", code, errOut)
	}
}
