package e2e

import (
	"testing"

	"github.com/ferryhq/ferry"
	"github.com/ferryhq/ferry/httpapi/wire"
)

// Every decision reads the account as it is at that moment: nothing of a
// session, an account or its tier is kept between requests, so a tier
// change, a disabled account and a logout apply to the very next request
// (on every node that shares the database).
func TestDecisionsSeeTheAccountAsItIsNow(t *testing.T) {
	e := start(t, nil)
	alice := e.user("alice", ferry.TierFree)
	e.user("bob", ferry.TierFree)
	design := wire.CreateTransferRequest{To: []string{"bob"}, Name: "poster.psd", Size: 1000} // professional
	precheck := func() wire.Precheck {
		t.Helper()
		var out wire.Precheck
		e.decode(e.do(request{method: "POST", path: "/api/v1/precheck", token: alice, json: design}), 200, &out)
		return out
	}
	patch := func(u wire.UpdateUserRequest) {
		t.Helper()
		e.decode(e.do(request{method: "PATCH", path: "/api/v1/admin/users/alice", token: e.admin, json: u}), 200, nil)
	}

	if p := precheck(); p.Verdict != "rejected" || p.Error == nil || p.Error.Code != ferry.CodeFileTypeNotAllowed {
		t.Fatalf("free tier, a .psd: %+v", p)
	}
	edu := ferry.TierEdu
	patch(wire.UpdateUserRequest{Tier: &edu})
	if p := precheck(); p.Verdict != "accepted" {
		t.Fatalf("right after the change to edu: %+v", p.Error)
	}
	e.create(alice, design.To, design.Name, design.Size, "")

	off, on := true, false
	patch(wire.UpdateUserRequest{Disabled: &off})
	e.wantError(e.do(request{method: "POST", path: "/api/v1/precheck", token: alice, json: design}), 401, ferry.CodeUnauthenticated)
	e.wantError(e.do(request{method: "POST", path: "/api/v1/transfers", token: alice, json: design}), 401, ferry.CodeUnauthenticated)
	patch(wire.UpdateUserRequest{Disabled: &on})
	if p := precheck(); p.Verdict != "accepted" {
		t.Fatalf("enabled again: %+v", p.Error)
	}

	free := ferry.TierFree
	patch(wire.UpdateUserRequest{Tier: &free})
	e.wantError(e.do(request{method: "POST", path: "/api/v1/transfers", token: alice, json: design}), 415, ferry.CodeFileTypeNotAllowed)

	e.decode(e.do(request{method: "POST", path: "/api/v1/logout", token: alice}), 204, nil)
	e.wantError(e.do(request{method: "POST", path: "/api/v1/precheck", token: alice, json: design}), 401, ferry.CodeUnauthenticated)
}
