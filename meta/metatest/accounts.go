package metatest

import (
	"crypto/sha256"
	"time"

	"github.com/ferryhq/ferry"
)

func accountTests() []test {
	return []test{
		{"Account/RoundTrip", testAccountRoundTrip},
		{"Account/Errors", testAccountErrors},
		{"Account/List", testAccountList},
		{"Account/Update", testAccountUpdate},
		{"Token/RoundTrip", testTokenRoundTrip},
		{"Token/DeleteExpired", testDeleteExpiredTokens},
		{"Session", testSession},
	}
}

func checkAccount(e *env, got, want *ferry.Account) {
	e.t.Helper()
	if got == nil {
		e.t.Fatalf("account %s: got nil", want.Username)
	}
	var d diff
	d.eq("ID", got.ID, want.ID)
	d.eq("Username", got.Username, want.Username)
	d.eq("Tier", got.Tier, want.Tier)
	d.eq("PasswordHash", got.PasswordHash, want.PasswordHash)
	d.eq("Admin", got.Admin, want.Admin)
	d.eq("Disabled", got.Disabled, want.Disabled)
	d.time("CreatedAt", got.CreatedAt, want.CreatedAt)
	d.time("UpdatedAt", got.UpdatedAt, want.UpdatedAt)
	d.report(e.t, "account "+want.Username)
}

func testAccountRoundTrip(e *env) {
	a := &ferry.Account{Username: "alice", Tier: ferry.TierMember, PasswordHash: "$argon2id$v=19$m=65536,t=3,p=4$YQ$Yg",
		Admin: true, CreatedAt: base()} // UpdatedAt zero: must come back zero, not 1970
	e.ok(e.s.CreateAccount(e.ctx, a), "CreateAccount")
	if a.ID == 0 {
		e.t.Fatal("CreateAccount did not set ID")
	}
	b := &ferry.Account{Username: "bob", Tier: ferry.TierFree, Disabled: true, CreatedAt: at(time.Second), UpdatedAt: at(2 * time.Second)}
	e.ok(e.s.CreateAccount(e.ctx, b), "CreateAccount")
	if b.ID == 0 || b.ID == a.ID {
		e.t.Fatalf("CreateAccount set IDs %d and %d, want distinct non-zero", a.ID, b.ID)
	}
	for _, want := range []*ferry.Account{a, b} {
		got, err := e.s.Account(e.ctx, want.Username)
		e.ok(err, "Account")
		checkAccount(e, got, want)
		got, err = e.s.AccountByID(e.ctx, want.ID)
		e.ok(err, "AccountByID")
		checkAccount(e, got, want)
		// Every read is a fresh copy.
		got.Tier, got.Admin = ferry.TierEnterprise, !got.Admin
		again, err := e.s.AccountByID(e.ctx, want.ID)
		e.ok(err, "AccountByID")
		checkAccount(e, again, want)
	}
	if got, _ := e.s.Account(e.ctx, "alice"); got != nil && !got.UpdatedAt.IsZero() {
		e.t.Errorf("zero UpdatedAt read back as %v", got.UpdatedAt)
	}
}

func testAccountErrors(e *env) {
	a := e.account("alice")
	err := e.s.CreateAccount(e.ctx, &ferry.Account{Username: "alice", Tier: ferry.TierFree, CreatedAt: base()})
	e.wantCode(err, ferry.CodeAlreadyExists, "CreateAccount(duplicate username)")
	_, err = e.s.Account(e.ctx, "nobody")
	e.wantCode(err, ferry.CodeNotFound, "Account(nobody)")
	_, err = e.s.AccountByID(e.ctx, a.ID+1000)
	e.wantCode(err, ferry.CodeNotFound, "AccountByID(unknown)")
	err = e.s.UpdateAccount(e.ctx, &ferry.Account{ID: a.ID + 1000, Username: "ghost", Tier: ferry.TierFree})
	e.wantCode(err, ferry.CodeNotFound, "UpdateAccount(unknown)")
	as, err := e.s.Accounts(e.ctx)
	e.ok(err, "Accounts")
	if len(as) != 1 {
		e.t.Errorf("Accounts after a failed duplicate create: %d accounts, want 1", len(as))
	}
}

func testAccountList(e *env) {
	as, err := e.s.Accounts(e.ctx)
	e.ok(err, "Accounts(empty)")
	if len(as) != 0 {
		e.t.Errorf("Accounts of an empty store = %d accounts", len(as))
	}
	want := map[string]*ferry.Account{}
	for _, name := range []string{"mallory", "alice", "zoe", "bob"} {
		want[name] = e.account(name)
	}
	as, err = e.s.Accounts(e.ctx)
	e.ok(err, "Accounts")
	var names []string
	for _, a := range as {
		names = append(names, a.Username)
		if w := want[a.Username]; w != nil {
			checkAccount(e, a, w)
		}
	}
	if got := names; len(got) != 4 || got[0] != "alice" || got[1] != "bob" || got[2] != "mallory" || got[3] != "zoe" {
		e.t.Errorf("Accounts = %q, want alice, bob, mallory, zoe", got)
	}
}

func testAccountUpdate(e *env) {
	a := e.account("alice")
	e.account("bob")
	want := *a
	want.Tier, want.PasswordHash, want.Admin, want.Disabled = ferry.TierEdu, "$argon2id$new", true, true
	want.UpdatedAt = at(time.Hour)
	upd := want
	upd.Username, upd.CreatedAt = "renamed", at(5*time.Hour) // neither is stored
	e.ok(e.s.UpdateAccount(e.ctx, &upd), "UpdateAccount")
	got, err := e.s.AccountByID(e.ctx, a.ID)
	e.ok(err, "AccountByID")
	checkAccount(e, got, &want)
	// Back again, including to the zero UpdatedAt.
	back := *a
	back.UpdatedAt = time.Time{}
	e.ok(e.s.UpdateAccount(e.ctx, &back), "UpdateAccount")
	got, err = e.s.Account(e.ctx, "alice")
	e.ok(err, "Account")
	checkAccount(e, got, &back)
	other, err := e.s.Account(e.ctx, "bob")
	e.ok(err, "Account(bob)")
	if other.Tier != ferry.TierFree || other.Admin || other.Disabled {
		e.t.Errorf("UpdateAccount(alice) changed bob: %+v", other)
	}
}

func tokenHash(s string) []byte {
	h := sha256.Sum256([]byte(s))
	return h[:]
}

func checkToken(e *env, got, want *ferry.Token) {
	e.t.Helper()
	var d diff
	d.eq("Hash", string(got.Hash), string(want.Hash))
	d.eq("AccountID", got.AccountID, want.AccountID)
	d.time("CreatedAt", got.CreatedAt, want.CreatedAt)
	d.time("ExpiresAt", got.ExpiresAt, want.ExpiresAt)
	d.report(e.t, "token")
}

func testTokenRoundTrip(e *env) {
	a := e.account("alice")
	live := &ferry.Token{Hash: tokenHash("live"), AccountID: a.ID, CreatedAt: base(), ExpiresAt: at(time.Hour)}
	old := &ferry.Token{Hash: tokenHash("old"), AccountID: a.ID, CreatedAt: at(-48 * time.Hour), ExpiresAt: at(-24 * time.Hour)}
	for name, tok := range map[string]*ferry.Token{"live": live, "old": old} {
		e.ok(e.s.CreateToken(e.ctx, tok), "CreateToken")
		tok.Hash[0] ^= 0xff // the store keeps no reference to the caller's slice
		tok.Hash = tokenHash(name)
		got, err := e.s.Token(e.ctx, tok.Hash)
		e.ok(err, "Token") // expired or not: the caller checks expiry
		checkToken(e, got, tok)
		got.Hash[0] ^= 0xff // nor hands out its own
		got, err = e.s.Token(e.ctx, tokenHash(name))
		e.ok(err, "Token")
		checkToken(e, got, tok)
	}
	err := e.s.CreateToken(e.ctx, &ferry.Token{Hash: tokenHash("live"), AccountID: a.ID, CreatedAt: base(), ExpiresAt: at(time.Hour)})
	e.wantCode(err, ferry.CodeAlreadyExists, "CreateToken(duplicate hash)")
	err = e.s.CreateToken(e.ctx, &ferry.Token{Hash: tokenHash("ghost"), AccountID: a.ID + 1000, CreatedAt: base(), ExpiresAt: at(time.Hour)})
	e.wantCode(err, ferry.CodeNotFound, "CreateToken(unknown account)")
	_, err = e.s.Token(e.ctx, tokenHash("nope"))
	e.wantCode(err, ferry.CodeNotFound, "Token(unknown)")

	e.ok(e.s.DeleteToken(e.ctx, live.Hash), "DeleteToken")
	_, err = e.s.Token(e.ctx, live.Hash)
	e.wantCode(err, ferry.CodeNotFound, "Token after DeleteToken")
	e.ok(e.s.DeleteToken(e.ctx, live.Hash), "DeleteToken(missing)")
	if _, err := e.s.Token(e.ctx, old.Hash); err != nil {
		e.t.Errorf("DeleteToken removed another token: %v", err)
	}
}

func testDeleteExpiredTokens(e *env) {
	a := e.account("alice")
	expiries := map[string]time.Time{
		"past":    at(-time.Hour),
		"now":     base(),              // expired at now: removed
		"nanosec": at(time.Nanosecond), // one nanosecond left: kept
		"future":  at(24 * time.Hour),
	}
	for name, exp := range expiries {
		e.ok(e.s.CreateToken(e.ctx, &ferry.Token{Hash: tokenHash(name), AccountID: a.ID, CreatedAt: at(-2 * time.Hour), ExpiresAt: exp}), "CreateToken")
	}
	n, err := e.s.DeleteExpiredTokens(e.ctx, base())
	e.ok(err, "DeleteExpiredTokens")
	if n != 2 {
		e.t.Errorf("DeleteExpiredTokens = %d, want 2", n)
	}
	for name := range expiries {
		_, err := e.s.Token(e.ctx, tokenHash(name))
		if gone := ferry.ErrorCode(err) == ferry.CodeNotFound; gone != (name == "past" || name == "now") {
			e.t.Errorf("token %s: Token error %v after DeleteExpiredTokens", name, err)
		}
	}
	n, err = e.s.DeleteExpiredTokens(e.ctx, base())
	e.ok(err, "DeleteExpiredTokens(again)")
	if n != 0 {
		e.t.Errorf("DeleteExpiredTokens(again) = %d, want 0", n)
	}
}

// testSession checks the optional ferry.SessionStore: a session and its
// account as they are stored now — a later change to the account, or the
// session's deletion, shows in the next read.
func testSession(e *env) {
	ss, ok := e.s.(ferry.SessionStore)
	if !ok {
		e.t.Skip("the store does not implement ferry.SessionStore")
	}
	a, b := e.account("alice"), e.account("bob")
	tok := &ferry.Token{Hash: tokenHash("alice"), AccountID: a.ID, CreatedAt: base(), ExpiresAt: at(-time.Hour)}
	e.ok(e.s.CreateToken(e.ctx, tok), "CreateToken")
	e.ok(e.s.CreateToken(e.ctx, &ferry.Token{Hash: tokenHash("bob"), AccountID: b.ID, CreatedAt: base(), ExpiresAt: at(time.Hour)}), "CreateToken")
	got, acct, err := ss.Session(e.ctx, tokenHash("alice"))
	e.ok(err, "Session") // expired or not: the caller checks expiry
	checkToken(e, got, tok)
	checkAccount(e, acct, a)

	upd := *a
	upd.Tier, upd.Disabled, upd.UpdatedAt = ferry.TierEnterprise, true, at(time.Minute)
	e.ok(e.s.UpdateAccount(e.ctx, &upd), "UpdateAccount")
	_, acct, err = ss.Session(e.ctx, tokenHash("alice"))
	e.ok(err, "Session after UpdateAccount")
	checkAccount(e, acct, &upd)

	e.ok(e.s.DeleteToken(e.ctx, tok.Hash), "DeleteToken")
	_, _, err = ss.Session(e.ctx, tok.Hash)
	e.wantCode(err, ferry.CodeNotFound, "Session after DeleteToken")
	_, _, err = ss.Session(e.ctx, tokenHash("nope"))
	e.wantCode(err, ferry.CodeNotFound, "Session(unknown)")
	if _, acct, err := ss.Session(e.ctx, tokenHash("bob")); err != nil || acct.ID != b.ID {
		e.t.Errorf("Session(bob) = %+v, %v", acct, err)
	}
}
