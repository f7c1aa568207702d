package account

import (
	"net/url"
	"testing"
	"time"

	"github.com/ferryhq/ferry"
	"github.com/pquerna/otp"
	"github.com/pquerna/otp/totp"
)

// code is the authenticator's code for secret at t.
func code(t *testing.T, secret string, at time.Time) string {
	t.Helper()
	c, err := totp.GenerateCodeCustom(secret, at, totp.ValidateOpts{Period: 30, Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// wrong returns a code that is not c.
func wrong(c string) string {
	if c == "000000" {
		return "000001"
	}
	return "000000"
}

// enrol enrols and confirms an authenticator for alice, moves the clock
// past the step of the confirming code, and returns the secret.
func (e *riskEnv) enrol() string {
	e.t.Helper()
	en, err := e.s.EnrollTOTP(e.ctx, e.alice)
	if err != nil {
		e.t.Fatalf("EnrollTOTP: %v", err)
	}
	if err := e.s.ConfirmTOTP(e.ctx, e.alice, code(e.t, en.Secret, e.clock.Now())); err != nil {
		e.t.Fatalf("ConfirmTOTP: %v", err)
	}
	e.clock.advance(30 * time.Second)
	return en.Secret
}

func TestEnrolment(t *testing.T) {
	e := newRiskEnv(t)
	first, err := e.s.EnrollTOTP(e.ctx, e.alice)
	if err != nil {
		t.Fatal(err)
	}
	u, err := url.Parse(first.URL)
	if err != nil || u.Scheme != "otpauth" || u.Host != "totp" || u.Query().Get("secret") != first.Secret ||
		u.Query().Get("issuer") != "ferry" || u.Query().Get("digits") != "6" || u.Query().Get("period") != "30" {
		t.Errorf("otpauth URL %q does not carry the secret, issuer, 6 digits and 30 s", first.URL)
	}
	if v := e.view(); v.TOTPEnrolled {
		t.Error("an unconfirmed secret counts as enrolled")
	}
	second, err := e.s.EnrollTOTP(e.ctx, e.alice)
	if err != nil || second.Secret == first.Secret {
		t.Fatalf("enrolling again: %v, secret %q then %q; want a new secret", err, first.Secret, second.Secret)
	}
	now := e.clock.Now()
	wantCode(t, e.s.ConfirmTOTP(e.ctx, e.alice, code(t, first.Secret, now)), ferry.CodeOneTimeCodeInvalid, "confirm with the replaced secret")
	wantCode(t, e.s.ConfirmTOTP(e.ctx, e.alice, "12345"), ferry.CodeOneTimeCodeInvalid, "confirm with 5 digits")
	wantCode(t, e.s.ConfirmTOTP(e.ctx, e.alice, ""), ferry.CodeOneTimeCodeInvalid, "confirm with no code")
	if err := e.s.ConfirmTOTP(e.ctx, e.alice, code(t, second.Secret, now)); err != nil {
		t.Fatalf("confirm with the right code: %v", err)
	}
	if v := e.view(); !v.TOTPEnrolled || v.Events24h != 0 {
		t.Errorf("after confirming: %+v, want enrolled and no risk events", v)
	}
	_, err = e.s.EnrollTOTP(e.ctx, e.alice)
	wantCode(t, err, ferry.CodeTOTPAlreadyEnrolled, "enrol over a confirmed secret")
	wantCode(t, e.s.ConfirmTOTP(e.ctx, e.alice, code(t, second.Secret, now)), ferry.CodeTOTPAlreadyEnrolled, "confirm twice")
}

// Nothing to confirm, and no enrolment at level 2: a secret made by
// whoever holds the session then must not step up.
func TestEnrolmentRefused(t *testing.T) {
	e := newRiskEnv(t)
	wantCode(t, e.s.ConfirmTOTP(e.ctx, e.alice, "123456"), ferry.CodeTOTPNotEnrolled, "confirm before enrolling")
	wantCode(t, e.s.StepUp(e.ctx, e.alice, "123456"), ferry.CodeTOTPNotEnrolled, "step up without an enrolment")
	en, err := e.s.EnrollTOTP(e.ctx, e.alice)
	if err != nil {
		t.Fatal(err)
	}
	e.fail(3)
	_, err = e.s.EnrollTOTP(e.ctx, e.alice)
	wantCode(t, err, ferry.CodeStepUpRequired, "enrol at level 2")
	wantCode(t, e.s.ConfirmTOTP(e.ctx, e.alice, code(t, en.Secret, e.clock.Now())), ferry.CodeStepUpRequired, "confirm at level 2")
	e.clock.advance(30 * time.Minute)
	if err := e.s.ConfirmTOTP(e.ctx, e.alice, code(t, en.Secret, e.clock.Now())); err != nil {
		t.Fatalf("confirm after the cool-down: %v", err)
	}
}

func TestStepUp(t *testing.T) {
	e := newRiskEnv(t)
	secret := e.enrol()
	e.fail(3)
	// With an authenticator the cool-down does not lift level 2.
	e.clock.advance(time.Hour)
	wantStepUp(t, e.send(ferry.CodeStepUpRequired), true, 0)

	right := code(t, secret, e.clock.Now())
	events := e.view().Events24h
	wantCode(t, e.s.StepUp(e.ctx, e.alice, wrong(right)), ferry.CodeOneTimeCodeInvalid, "step up with a wrong code")
	if v := e.view(); v.Events24h != events+1 || v.Level != ferry.RiskStepUp {
		t.Errorf("after a wrong code: %+v, want one more event (%d) and still level 2", v, events+1)
	}
	if err := e.s.StepUp(e.ctx, e.alice, right); err != nil {
		t.Fatalf("step up with the right code: %v", err)
	}
	e.send(0)
	if v := e.view(); v.Level != ferry.RiskNormal || v.FailedLogins != 0 {
		t.Errorf("after a step-up: %+v, want level 1 with no failures", v)
	}
	// The same code again is a replay, and no risk event.
	e.fail(3)
	events = e.view().Events24h
	wantCode(t, e.s.StepUp(e.ctx, e.alice, right), ferry.CodeOneTimeCodeInvalid, "replayed code")
	if v := e.view(); v.Events24h != events || v.Level != ferry.RiskStepUp {
		t.Errorf("after a replay: %+v, want %d events and still level 2", v, events)
	}
}

// Level 2 with an authenticator decays after 24 hours without a step-up.
func TestStepUpLevelDecays(t *testing.T) {
	e := newRiskEnv(t)
	e.enrol()
	e.fail(3)
	e.clock.advance(24*time.Hour - time.Second)
	e.send(ferry.CodeStepUpRequired)
	e.clock.advance(time.Second)
	e.send(0)
}

// One step of clock skew either way is allowed, not two.
func TestStepUpSkew(t *testing.T) {
	for _, tc := range []struct {
		name string
		skew time.Duration
		ok   bool
	}{
		{"previous step", -30 * time.Second, true},
		{"next step", 30 * time.Second, true},
		{"two steps behind", -60 * time.Second, false},
		{"two steps ahead", 60 * time.Second, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newRiskEnv(t)
			secret := e.enrol()
			e.clock.advance(2 * time.Minute) // clear of the confirming code's step
			e.fail(3)
			err := e.s.StepUp(e.ctx, e.alice, code(t, secret, e.clock.Now().Add(tc.skew)))
			if tc.ok && err != nil || !tc.ok && ferry.ErrorCode(err) != ferry.CodeOneTimeCodeInvalid {
				t.Errorf("StepUp with a code %v off: %v, want ok=%v", tc.skew, err, tc.ok)
			}
		})
	}
}

// A step-up does not lift level 3; its codes are not even looked at.
func TestStepUpAtLevel3(t *testing.T) {
	e := newRiskEnv(t)
	secret := e.enrol()
	e.events(6)
	err := e.s.StepUp(e.ctx, e.alice, code(t, secret, e.clock.Now()))
	wantCode(t, err, ferry.CodeAccountRestricted, "step up at level 3")
	e.send(ferry.CodeAccountRestricted)
}

func TestLoginWithTOTP(t *testing.T) {
	e := newRiskEnv(t)
	secret := e.enrol()
	e.fail(3)
	right := code(t, secret, e.clock.Now())
	_, _, _, err := e.s.LoginWithTOTP(e.ctx, "alice", alicePassword, wrong(right))
	wantCode(t, err, ferry.CodeOneTimeCodeInvalid, "login with a wrong code")
	_, _, _, err = e.s.LoginWithTOTP(e.ctx, "alice", "wrong-password", right)
	wantCode(t, err, ferry.CodeLoginFailed, "login with a wrong password and the right code")
	e.send(ferry.CodeStepUpRequired)
	if v := e.view(); v.Events24h != 2 || v.FailedLogins != 4 {
		t.Errorf("after a wrong code and a wrong password: %+v, want 2 events, 4 failures", v)
	}
	if _, _, _, err := e.s.LoginWithTOTP(e.ctx, "alice", alicePassword, right); err != nil {
		t.Fatalf("login with the right code: %v", err)
	}
	e.send(0)
	// Without an enrolment the code is not looked at.
	bob, err := e.s.Create(e.ctx, "bob", "bob-password", ferry.TierFree, false)
	if err != nil {
		t.Fatal(err)
	}
	if _, _, _, err := e.s.LoginWithTOTP(e.ctx, "bob", "bob-password", "123456"); err != nil {
		t.Errorf("login of an account without an authenticator, with a code: %v", err)
	}
	if err := e.s.CheckSend(e.ctx, bob); err != nil {
		t.Errorf("bob: %v", err)
	}
}
