package e2e

import (
	"strings"
	"testing"
	"time"

	"github.com/ferryhq/ferry"
	"github.com/ferryhq/ferry/httpapi/wire"
	"github.com/ferryhq/ferry/server"
)

func TestAdminUsers(t *testing.T) {
	e := start(t, nil)
	alice := e.user("alice", ferry.TierFree)
	e.wantError(e.do(request{method: "GET", path: "/api/v1/admin/users", token: alice}), 403, ferry.CodeForbidden)
	e.wantError(e.do(request{method: "POST", path: "/api/v1/admin/users", token: e.admin,
		json: wire.CreateUserRequest{Username: "alice", Password: "another-pass", Tier: ferry.TierFree}}), 409, ferry.CodeAlreadyExists)
	e.wantError(e.do(request{method: "POST", path: "/api/v1/admin/users", token: e.admin,
		json: wire.CreateUserRequest{Username: "dave", Password: "another-pass", Tier: "platinum"}}), 400, ferry.CodeBadRequest)
	e.wantError(e.do(request{method: "POST", path: "/api/v1/admin/users", token: e.admin,
		json: wire.CreateUserRequest{Username: "dave", Password: "short", Tier: ferry.TierFree}}), 400, ferry.CodeBadRequest)

	var users wire.Users
	e.decode(e.do(request{method: "GET", path: "/api/v1/admin/users", token: e.admin}), 200, &users)
	if len(users.Users) != 2 || users.Users[0].Username != "admin" || !users.Users[0].Admin || users.Users[1].Username != "alice" {
		t.Fatalf("users %+v", users)
	}
	tier, disabled := ferry.TierMember, true
	var acct wire.Account
	e.decode(e.do(request{method: "PATCH", path: "/api/v1/admin/users/alice", token: e.admin,
		json: wire.UpdateUserRequest{Tier: &tier, Disabled: &disabled}}), 200, &acct)
	if acct.Tier != ferry.TierMember || !acct.Disabled {
		t.Fatalf("patched %+v", acct)
	}
	// A disabled account can neither sign in nor use its old token.
	e.wantError(e.do(request{method: "POST", path: "/api/v1/login", json: wire.LoginRequest{Username: "alice", Password: "alice-password"}}), 401, ferry.CodeLoginFailed)
	e.wantError(e.do(request{method: "GET", path: "/api/v1/me", token: alice}), 401, ferry.CodeUnauthenticated)
	e.wantError(e.do(request{method: "PATCH", path: "/api/v1/admin/users/nobody", token: e.admin, json: wire.UpdateUserRequest{}}), 404, ferry.CodeNotFound)
}

func TestLoginFailuresLookAlike(t *testing.T) {
	e := start(t, nil)
	e.user("alice", ferry.TierFree)
	a := e.wantError(e.do(request{method: "POST", path: "/api/v1/login", json: wire.LoginRequest{Username: "alice", Password: "wrong-password"}}), 401, ferry.CodeLoginFailed)
	b := e.wantError(e.do(request{method: "POST", path: "/api/v1/login", json: wire.LoginRequest{Username: "nobody", Password: "wrong-password"}}), 401, ferry.CodeLoginFailed)
	if a.Message != b.Message {
		t.Error("an unknown user and a wrong password must answer alike")
	}
}

func TestCodesAndUnknownRoutes(t *testing.T) {
	e := start(t, nil)
	var codes wire.Codes
	e.decode(e.do(request{method: "GET", path: "/api/v1/codes"}), 200, &codes)
	if len(codes.Codes) != len(ferry.Codes()) || codes.Codes[0].Code != 1001 || codes.Codes[0].Zh.Message == "" {
		t.Fatalf("codes: %d entries", len(codes.Codes))
	}
	e.wantError(e.do(request{method: "GET", path: "/api/v1/nothing-here"}), 404, ferry.CodeNotFound)
	r := e.do(request{method: "PUT", path: "/api/v1/inbox", token: e.admin})
	e.wantError(r, 405, ferry.CodeMethodNotAllowed)
	if r.Header.Get("Allow") == "" {
		t.Error("405 without Allow")
	}
}

// When the database is gone the answer is 9002, retryable, and says
// nothing of the driver's message.
func TestInternalTextNeverReachesClients(t *testing.T) {
	// The audit log cannot be stored once the database is closed: do not
	// wait for it at the end.
	e := startWith(t, nil, server.Options{CloseTimeout: time.Millisecond})
	alice := e.user("alice", ferry.TierFree)
	e.node.Meta.Close()
	r := e.do(request{method: "GET", path: "/api/v1/inbox", token: alice})
	b := e.wantError(r, 503, ferry.CodeDatabaseUnavailable)
	if !b.Retryable || strings.Contains(strings.ToLower(string(r.body)), "sql") || strings.Contains(string(r.body), "closed") {
		t.Fatalf("9002 leaks or is not retryable: %s", r.body)
	}
}
