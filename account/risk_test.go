package account

import (
	"context"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/ferryhq/ferry"
	"github.com/ferryhq/ferry/meta/sqlite"
)

// fakeClock moves only when a test says so.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *fakeClock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }

func (c *fakeClock) advance(d time.Duration) { c.mu.Lock(); c.t = c.t.Add(d); c.mu.Unlock() }

// riskEnv is a Service over a real SQLite store, with one account, alice.
type riskEnv struct {
	t      *testing.T
	ctx    context.Context
	clock  *fakeClock
	policy RiskPolicy // what Config.Risk returns; tests may change it
	s      *Service
	alice  *ferry.Account
}

const alicePassword = "alice-password"

func newRiskEnv(t *testing.T) *riskEnv {
	t.Helper()
	store, err := sqlite.Open(filepath.Join(t.TempDir(), "ferry.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	e := &riskEnv{t: t, ctx: t.Context(), clock: &fakeClock{t: time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)},
		policy: DefaultRiskPolicy()}
	e.s = New(store, e.clock, Config{Risk: func() RiskPolicy { return e.policy }})
	if e.alice, err = e.s.Create(e.ctx, "alice", alicePassword, ferry.TierFree, false); err != nil {
		t.Fatal(err)
	}
	return e
}

// fail makes n failed logins of alice.
func (e *riskEnv) fail(n int) {
	e.t.Helper()
	for range n {
		_, _, _, err := e.s.Login(e.ctx, "alice", "wrong-password")
		wantCode(e.t, err, ferry.CodeLoginFailed, "login with a wrong password")
	}
}

// login signs alice in with the right password.
func (e *riskEnv) login() {
	e.t.Helper()
	if _, _, _, err := e.s.Login(e.ctx, "alice", alicePassword); err != nil {
		e.t.Fatalf("login: %v", err)
	}
}

// events records n risk events of alice.
func (e *riskEnv) events(n int) {
	e.t.Helper()
	for range n {
		if err := e.s.RiskEvent(e.ctx, e.alice, "burst"); err != nil {
			e.t.Fatalf("RiskEvent: %v", err)
		}
	}
}

// view returns alice's risk standing.
func (e *riskEnv) view() RiskView {
	e.t.Helper()
	v, err := e.s.RiskOf(e.ctx, e.alice)
	if err != nil {
		e.t.Fatalf("RiskOf: %v", err)
	}
	return v
}

// send asserts what CheckSend answers for alice: code 0 for nil.
func (e *riskEnv) send(code ferry.Code) *ferry.Error {
	e.t.Helper()
	err := e.s.CheckSend(e.ctx, e.alice)
	wantCode(e.t, err, code, "CheckSend")
	if err == nil {
		return nil
	}
	return ferry.AsError(err)
}

func wantCode(t *testing.T, err error, code ferry.Code, what string) {
	t.Helper()
	if got := ferry.ErrorCode(err); got != code {
		t.Fatalf("%s: %v (code %d), want code %d", what, err, got, code)
	}
}

// wantStepUp asserts a 4002 with its rule, detail and Retry-After.
func wantStepUp(t *testing.T, fe *ferry.Error, enrolled bool, retry time.Duration) {
	t.Helper()
	if fe.Rule != RuleLoginFailures || fe.Details["totp_enrolled"] != enrolled || fe.RetryAfter != retry {
		t.Errorf("4002: rule %q, details %v, Retry-After %v; want %q, totp_enrolled %v, %v",
			fe.Rule, fe.Details, fe.RetryAfter, RuleLoginFailures, enrolled, retry)
	}
}

func TestLoginFailuresRaiseLevel2(t *testing.T) {
	for _, tc := range []struct {
		name     string
		failures int
		advance  time.Duration
		want     ferry.Code
		retry    time.Duration // of a 4002
	}{
		{"two failures", 2, 0, 0, 0},
		{"third failure", 3, 0, ferry.CodeStepUpRequired, 30 * time.Minute},
		{"a second before the cool-down ends", 3, 30*time.Minute - time.Second, ferry.CodeStepUpRequired, time.Second},
		{"when the cool-down ends", 3, 30 * time.Minute, 0, 0},
		{"fourth and fifth failure after the cool-down", 5, 30 * time.Minute, 0, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newRiskEnv(t)
			e.fail(tc.failures)
			e.clock.advance(tc.advance)
			if fe := e.send(tc.want); fe != nil {
				wantStepUp(t, fe, false, tc.retry)
			}
			v := e.view()
			if v.FailedLogins != tc.failures {
				t.Errorf("FailedLogins = %d, want %d", v.FailedLogins, tc.failures)
			}
			if tc.failures >= 3 && v.Events24h != 1 {
				t.Errorf("entering level 2 recorded %d events, want 1", v.Events24h)
			}
		})
	}
}

// A run of failures after the cool-down raises level 2 again, with a new
// cool-down and another event.
func TestLevel2AgainAfterCooldown(t *testing.T) {
	e := newRiskEnv(t)
	e.fail(3)
	e.clock.advance(30 * time.Minute)
	e.send(0)
	e.fail(3)
	wantStepUp(t, e.send(ferry.CodeStepUpRequired), false, 30*time.Minute)
	if v := e.view(); v.Events24h != 2 || v.Level != ferry.RiskStepUp || !v.Until.Equal(e.clock.Now().Add(30*time.Minute)) {
		t.Errorf("view = %+v, want level 2 until now+30m with 2 events", v)
	}
}

func TestSuccessfulLoginResetsStreak(t *testing.T) {
	e := newRiskEnv(t)
	e.fail(2)
	e.login()
	e.fail(2)
	e.send(0)
	if v := e.view(); v.FailedLogins != 2 {
		t.Errorf("FailedLogins = %d, want 2 (the run after the success)", v.FailedLogins)
	}
	e.fail(1)
	e.send(ferry.CodeStepUpRequired)
	e.login() // ends the run but does not lift level 2
	e.send(ferry.CodeStepUpRequired)
	if v := e.view(); v.FailedLogins != 0 || v.Level != ferry.RiskStepUp {
		t.Errorf("after a successful login at level 2: %+v, want level 2 with no failures", v)
	}
}

// A disabled account's right password is no failure; an unknown user has
// nothing to count.
func TestLoginFailureAccounting(t *testing.T) {
	e := newRiskEnv(t)
	_, _, _, err := e.s.Login(e.ctx, "nobody", "whatever-password")
	wantCode(t, err, ferry.CodeLoginFailed, "unknown user")
	disabled := true
	if _, err := e.s.Update(e.ctx, "alice", Update{Disabled: &disabled}); err != nil {
		t.Fatal(err)
	}
	for range 3 {
		_, _, _, err = e.s.Login(e.ctx, "alice", alicePassword)
		wantCode(t, err, ferry.CodeLoginFailed, "disabled account")
	}
	if v := e.view(); v.FailedLogins != 0 || v.Level != ferry.RiskNormal {
		t.Errorf("after right passwords of a disabled account: %+v", v)
	}
}

func TestEventsRaiseLevel3(t *testing.T) {
	for _, tc := range []struct {
		name   string
		events int
		want   ferry.Code
	}{
		{"five events", 5, 0},
		{"six events", 6, ferry.CodeAccountRestricted},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newRiskEnv(t)
			e.events(tc.events)
			fe := e.send(tc.want)
			if fe == nil {
				return
			}
			until := e.clock.Now().Add(24 * time.Hour)
			if fe.Rule != RuleMaxEvents || fe.Details["until"] != until.Format(time.RFC3339) || fe.RetryAfter != 24*time.Hour {
				t.Errorf("4003: rule %q, details %v, Retry-After %v; want until %s", fe.Rule, fe.Details, fe.RetryAfter, until.Format(time.RFC3339))
			}
			if v := e.view(); v.Level != ferry.RiskRestricted || !v.Until.Equal(until) {
				t.Errorf("view = %+v, want level 3 until %v", v, until)
			}
		})
	}
}

// Events drop out of the count when they are 24 hours old.
func TestEventWindow(t *testing.T) {
	for _, tc := range []struct {
		name  string
		after time.Duration // from the five first events to the sixth
		want  ferry.Code
	}{
		{"a second before they are 24 h old", 24*time.Hour - time.Second, ferry.CodeAccountRestricted},
		{"when they are 24 h old", 24 * time.Hour, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newRiskEnv(t)
			e.events(5)
			e.clock.advance(tc.after)
			e.events(1)
			e.send(tc.want)
			if tc.want == 0 {
				if v := e.view(); v.Events24h != 1 {
					t.Errorf("Events24h = %d, want 1", v.Events24h)
				}
			}
		})
	}
}

func TestLevel3Lifts(t *testing.T) {
	e := newRiskEnv(t)
	e.fail(3) // level 2 and an event
	e.events(5)
	e.send(ferry.CodeAccountRestricted) // level 3 outranks level 2
	e.fail(4)
	e.events(3) // not recorded while restricted
	e.clock.advance(24*time.Hour - time.Second)
	if fe := e.send(ferry.CodeAccountRestricted); fe.RetryAfter != time.Second {
		t.Errorf("Retry-After %v a second before the end, want 1s", fe.RetryAfter)
	}
	e.clock.advance(time.Second)
	e.send(0)
	if v := e.view(); v != (RiskView{Level: ferry.RiskNormal}) {
		t.Errorf("after level 3 lifted: %+v, want level 1 with nothing counted", v)
	}
	// The history is gone: it takes six new events to restrict again.
	e.events(5)
	e.send(0)
}

func TestClearRisk(t *testing.T) {
	e := newRiskEnv(t)
	secret := e.enrol()
	e.events(6)
	e.fail(2)
	e.send(ferry.CodeAccountRestricted)
	if err := e.s.ClearRisk(e.ctx, e.alice); err != nil {
		t.Fatal(err)
	}
	e.send(0)
	if v := e.view(); v != (RiskView{Level: ferry.RiskNormal, TOTPEnrolled: true}) {
		t.Errorf("after ClearRisk: %+v, want level 1 with the enrolment kept", v)
	}
	// The enrolment still steps up.
	e.fail(3)
	e.clock.advance(time.Minute)
	if err := e.s.StepUp(e.ctx, e.alice, code(t, secret, e.clock.Now())); err != nil {
		t.Fatalf("StepUp after ClearRisk: %v", err)
	}
	e.send(0)
}

// The policy is read at every decision: a reload applies at once.
func TestRiskPolicyReload(t *testing.T) {
	e := newRiskEnv(t)
	e.fail(2)
	e.send(0)
	e.policy.LoginFailures = 2
	e.fail(2)
	wantStepUp(t, e.send(ferry.CodeStepUpRequired), false, 30*time.Minute)
	e.policy.StepUpCooldown = 10 * time.Minute
	wantStepUp(t, e.send(ferry.CodeStepUpRequired), false, 10*time.Minute)
	e.policy = RiskPolicy{} // zero fields take the defaults
	wantStepUp(t, e.send(ferry.CodeStepUpRequired), false, 30*time.Minute)
}

// Concurrent failures are all counted: UpdateRisk is transactional.
func TestConcurrentLoginFailures(t *testing.T) {
	e := newRiskEnv(t)
	e.policy.LoginFailures = 100 // count only
	const n = 20
	var wg sync.WaitGroup
	for range n {
		wg.Go(func() {
			_, _, _, err := e.s.Login(e.ctx, "alice", "wrong-password")
			if ferry.ErrorCode(err) != ferry.CodeLoginFailed {
				t.Errorf("login: %v", err)
			}
		})
	}
	wg.Wait()
	if v := e.view(); v.FailedLogins != n {
		t.Errorf("FailedLogins = %d after %d concurrent failures", v.FailedLogins, n)
	}
}

// The decay rules as a table over the pure state machine.
func TestSettle(t *testing.T) {
	p := DefaultRiskPolicy()
	t0 := time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)
	ev := func(d time.Duration) ferry.RiskEvent { return ferry.RiskEvent{Kind: "burst", At: t0.Add(d)} }
	for _, tc := range []struct {
		name   string
		r      ferry.Risk
		at     time.Duration
		level  int
		events int
	}{
		{"zero level is 1", ferry.Risk{}, 0, 1, 0},
		{"level 2 in its cool-down", ferry.Risk{Level: 2, LevelSince: t0}, 29 * time.Minute, 2, 0},
		{"level 2 after its cool-down", ferry.Risk{Level: 2, LevelSince: t0}, 30 * time.Minute, 1, 0},
		{"level 2 with TOTP after the cool-down", ferry.Risk{Level: 2, LevelSince: t0, TOTPConfirmed: true}, 23 * time.Hour, 2, 0},
		{"level 2 with TOTP after 24 h", ferry.Risk{Level: 2, LevelSince: t0, TOTPConfirmed: true}, 24 * time.Hour, 1, 0},
		{"level 3 before its end", ferry.Risk{Level: 3, LevelSince: t0, Events: []ferry.RiskEvent{ev(0)}}, time.Hour, 3, 1},
		{"level 3 at its end forgets events", ferry.Risk{Level: 3, LevelSince: t0, Events: []ferry.RiskEvent{ev(23 * time.Hour)}}, 24 * time.Hour, 1, 0},
		{"old events drop out", ferry.Risk{Events: []ferry.RiskEvent{ev(0), ev(time.Hour), ev(2 * time.Hour)}}, 25 * time.Hour, 1, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := tc.r
			p.settle(&r, t0.Add(tc.at))
			if r.Level != tc.level || len(r.Events) != tc.events {
				t.Errorf("settled: level %d with %d events, want %d with %d", r.Level, len(r.Events), tc.level, tc.events)
			}
		})
	}
}
