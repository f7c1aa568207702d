package metatest

import (
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/ferryhq/ferry"
)

func riskTests() []test {
	return []test{
		{"Risk/Default", testRiskDefault},
		{"Risk/RoundTrip", testRiskRoundTrip},
		{"Risk/FnError", testRiskFnError},
		{"Risk/UnknownAccount", testRiskUnknownAccount},
		{"Risk/PerAccount", testRiskPerAccount},
		{"Risk/Concurrent", testRiskConcurrent},
	}
}

// checkRisk compares every field of got with want.
func checkRisk(e *env, got, want *ferry.Risk) {
	e.t.Helper()
	if got == nil {
		e.t.Fatalf("risk of account %d: got nil", want.AccountID)
	}
	var d diff
	d.eq("AccountID", got.AccountID, want.AccountID)
	d.eq("FailedLogins", got.FailedLogins, want.FailedLogins)
	d.eq("Level", got.Level, want.Level)
	d.time("LevelSince", got.LevelSince, want.LevelSince)
	d.eq("TOTPSecret", got.TOTPSecret, want.TOTPSecret)
	d.eq("TOTPConfirmed", got.TOTPConfirmed, want.TOTPConfirmed)
	d.eq("TOTPLastStep", got.TOTPLastStep, want.TOTPLastStep)
	if len(got.Events) != len(want.Events) {
		d = append(d, fmt.Sprintf("Events = %v, want %v", got.Events, want.Events))
	} else {
		for i, w := range want.Events {
			d.eq(fmt.Sprintf("Events[%d].Kind", i), got.Events[i].Kind, w.Kind)
			d.time(fmt.Sprintf("Events[%d].At", i), got.Events[i].At, w.At)
		}
	}
	d.report(e.t, fmt.Sprintf("risk of account %d", want.AccountID))
}

// risk reads the risk state of an account.
func (e *env) risk(id int64) *ferry.Risk {
	e.t.Helper()
	r, err := e.s.Risk(e.ctx, id)
	e.ok(err, "Risk")
	return r
}

// Nothing stored is level 1 with nothing recorded, for an unknown account
// as well.
func testRiskDefault(e *env) {
	a := e.account("alice")
	checkRisk(e, e.risk(a.ID), &ferry.Risk{AccountID: a.ID, Level: ferry.RiskNormal})
	checkRisk(e, e.risk(a.ID+1000), &ferry.Risk{AccountID: a.ID + 1000, Level: ferry.RiskNormal})
	// fn sees the same default, and an update that changes nothing keeps it.
	e.ok(e.s.UpdateRisk(e.ctx, a.ID, func(r *ferry.Risk) error {
		checkRisk(e, r, &ferry.Risk{AccountID: a.ID, Level: ferry.RiskNormal})
		return nil
	}), "UpdateRisk(no change)")
	checkRisk(e, e.risk(a.ID), &ferry.Risk{AccountID: a.ID, Level: ferry.RiskNormal})
}

func testRiskRoundTrip(e *env) {
	a := e.account("alice")
	want := &ferry.Risk{AccountID: a.ID, FailedLogins: 4, Level: ferry.RiskStepUp, LevelSince: at(time.Minute),
		Events: []ferry.RiskEvent{
			{Kind: "login_failures", At: at(time.Minute)},
			{Kind: "burst", At: at(2 * time.Minute)},
			{Kind: "burst", At: at(2 * time.Minute)}, // twice at one time: both kept
		},
		TOTPSecret: "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP", TOTPConfirmed: true, TOTPLastStep: 59000000}
	e.ok(e.s.UpdateRisk(e.ctx, a.ID, func(r *ferry.Risk) error {
		*r = *want
		r.AccountID = 0 // ignored
		r.Events = append([]ferry.RiskEvent(nil), want.Events...)
		return nil
	}), "UpdateRisk")
	checkRisk(e, e.risk(a.ID), want)

	// fn sees what is stored; fewer events replace more; the zero time
	// comes back zero.
	next := *want
	next.Level, next.LevelSince, next.FailedLogins = ferry.RiskNormal, time.Time{}, 0
	next.Events = want.Events[1:2]
	next.TOTPConfirmed, next.TOTPLastStep = false, 0
	e.ok(e.s.UpdateRisk(e.ctx, a.ID, func(r *ferry.Risk) error {
		checkRisk(e, r, want)
		r.Level, r.LevelSince, r.FailedLogins = next.Level, next.LevelSince, next.FailedLogins
		r.Events = r.Events[1:2]
		r.TOTPConfirmed, r.TOTPLastStep = false, 0
		return nil
	}), "UpdateRisk")
	got := e.risk(a.ID)
	checkRisk(e, got, &next)

	// Every read is a fresh copy.
	got.Level, got.Events[0].Kind = ferry.RiskRestricted, "changed"
	checkRisk(e, e.risk(a.ID), &next)

	// No events at all.
	e.ok(e.s.UpdateRisk(e.ctx, a.ID, func(r *ferry.Risk) error { r.Events = nil; return nil }), "UpdateRisk")
	next.Events = nil
	checkRisk(e, e.risk(a.ID), &next)
}

// An error of fn comes back unchanged and writes nothing.
func testRiskFnError(e *env) {
	a := e.account("alice")
	e.ok(e.s.UpdateRisk(e.ctx, a.ID, func(r *ferry.Risk) error { r.FailedLogins = 1; return nil }), "UpdateRisk")
	for _, fail := range []error{errors.New("plain"), ferry.E(ferry.CodeOneTimeCodeInvalid)} {
		err := e.s.UpdateRisk(e.ctx, a.ID, func(r *ferry.Risk) error {
			r.FailedLogins, r.Level = 7, ferry.RiskRestricted
			r.Events = append(r.Events, ferry.RiskEvent{Kind: "burst", At: base()})
			return fail
		})
		if err != fail { // the very value, not a wrap of it
			e.t.Errorf("UpdateRisk returned %v, want fn's error %v unchanged", err, fail)
		}
	}
	checkRisk(e, e.risk(a.ID), &ferry.Risk{AccountID: a.ID, FailedLogins: 1, Level: ferry.RiskNormal})
}

func testRiskUnknownAccount(e *env) {
	a := e.account("alice")
	called := false
	err := e.s.UpdateRisk(e.ctx, a.ID+1000, func(r *ferry.Risk) error { called = true; return nil })
	e.wantCode(err, ferry.CodeNotFound, "UpdateRisk(unknown account)")
	if called {
		e.t.Error("UpdateRisk called fn for an unknown account")
	}
}

func testRiskPerAccount(e *env) {
	a, b := e.account("alice"), e.account("bob")
	e.ok(e.s.UpdateRisk(e.ctx, a.ID, func(r *ferry.Risk) error {
		r.FailedLogins, r.TOTPSecret = 2, "AAAA"
		r.Events = []ferry.RiskEvent{{Kind: "burst", At: base()}}
		return nil
	}), "UpdateRisk(alice)")
	e.ok(e.s.UpdateRisk(e.ctx, b.ID, func(r *ferry.Risk) error {
		r.Level, r.LevelSince = ferry.RiskRestricted, base()
		r.Events = []ferry.RiskEvent{{Kind: "wrong_proof", At: at(time.Second)}}
		return nil
	}), "UpdateRisk(bob)")
	checkRisk(e, e.risk(a.ID), &ferry.Risk{AccountID: a.ID, FailedLogins: 2, Level: ferry.RiskNormal, TOTPSecret: "AAAA",
		Events: []ferry.RiskEvent{{Kind: "burst", At: base()}}})
	checkRisk(e, e.risk(b.ID), &ferry.Risk{AccountID: b.ID, Level: ferry.RiskRestricted, LevelSince: base(),
		Events: []ferry.RiskEvent{{Kind: "wrong_proof", At: at(time.Second)}}})
}

// Concurrent read-modify-writes lose no update.
func testRiskConcurrent(e *env) {
	a := e.account("alice")
	const n = 20
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			err := e.s.UpdateRisk(e.ctx, a.ID, func(r *ferry.Risk) error {
				r.FailedLogins++
				r.Events = append(r.Events, ferry.RiskEvent{Kind: "burst", At: at(time.Duration(i) * time.Second)})
				return nil
			})
			if err != nil {
				e.t.Errorf("UpdateRisk: %v", err)
			}
		})
	}
	wg.Wait()
	r := e.risk(a.ID)
	if r.FailedLogins != n || len(r.Events) != n {
		e.t.Errorf("after %d concurrent increments: FailedLogins = %d, %d events; want %d and %d", n, r.FailedLogins, len(r.Events), n, n)
	}
}
