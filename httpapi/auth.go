package httpapi

import (
	"net/http"
	"slices"
	"strings"

	"github.com/ferryhq/ferry"
	"github.com/ferryhq/ferry/account"
	"github.com/ferryhq/ferry/httpapi/wire"
	"github.com/ferryhq/ferry/policy"
)

func (a *API) login(w http.ResponseWriter, r *http.Request) {
	var req wire.LoginRequest
	if err := readJSON(r, &req); err != nil {
		a.writeError(w, r, err)
		return
	}
	token, t, acct, err := a.accounts.LoginWithTOTP(r.Context(), req.Username, req.Password, req.TOTP)
	a.auditLogin(r, req.Username, acct, err)
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	w.Header().Set("Cache-Control", "no-store")
	writeJSON(w, r, http.StatusOK, wire.LoginResponse{Token: token, ExpiresAt: t.ExpiresAt.UTC(), Account: accountJSON(acct)})
}

// auditLogin records a login's outcome: the name as given, the account
// when the login succeeded, and the client's address.
func (a *API) auditLogin(r *http.Request, username string, acct *ferry.Account, err error) {
	if a.auditor == nil {
		return
	}
	rec := &ferry.AuditRecord{Account: username, Action: ferry.AuditLogin, Verdict: ferry.VerdictAccepted}
	if acct != nil {
		rec.AccountID = acct.ID
	}
	if ip := a.client(r).IP; ip.IsValid() {
		rec.IP = ip.String()
	}
	if err != nil {
		fe := ferry.AsError(err)
		rec.Verdict, rec.Code, rec.Rule = ferry.VerdictRejected, fe.Code, fe.Rule
	}
	a.auditor.Record(rec)
}

func (a *API) logout(w http.ResponseWriter, r *http.Request) {
	token := strings.TrimSpace(strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer "))
	if err := a.accounts.Logout(r.Context(), token); err != nil {
		a.writeError(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (a *API) me(w http.ResponseWriter, r *http.Request) {
	acct := caller(r)
	u, err := a.transfers.Usage(r.Context(), acct)
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	writeJSON(w, r, http.StatusOK, wire.Me{Account: accountJSON(acct), StorageBytes: u.StorageBytes})
}

// effectivePolicy publishes the rules that apply to the caller, so that
// clients (ferry check) can evaluate them locally.
func (a *API) effectivePolicy(w http.ResponseWriter, r *http.Request) {
	p := a.policy()
	acct := caller(r)
	out := wire.EffectivePolicy{Tier: acct.Tier, Limits: p.Tier(acct.Tier), Types: p.Types, BlockedTypes: p.BlockedTypes,
		MinClientVersion: p.MinClientVersion, MaintenanceWindows: p.MaintenanceWindows, MaxNameBytes: policy.MaxNameBytes}
	for _, ph := range p.PeakHours {
		if slices.Contains(ph.Tiers, string(acct.Tier)) {
			out.PeakHours = append(out.PeakHours, ph)
		}
	}
	writeJSON(w, r, http.StatusOK, out)
}

func (a *API) codes(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Cache-Control", "public, max-age=3600")
	writeJSON(w, r, http.StatusOK, wire.Codes{Codes: ferry.Codes()})
}

func accountJSON(a *ferry.Account) wire.Account {
	return wire.Account{Username: a.Username, Tier: a.Tier, Admin: a.Admin, Disabled: a.Disabled, CreatedAt: a.CreatedAt.UTC()}
}

func (a *API) listUsers(w http.ResponseWriter, r *http.Request) {
	list, err := a.accounts.List(r.Context())
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	out := wire.Users{Users: make([]wire.Account, 0, len(list))}
	for _, acct := range list {
		out.Users = append(out.Users, accountJSON(acct))
	}
	writeJSON(w, r, http.StatusOK, out)
}

func (a *API) createUser(w http.ResponseWriter, r *http.Request) {
	var req wire.CreateUserRequest
	if err := readJSON(r, &req); err != nil {
		a.writeError(w, r, err)
		return
	}
	if req.Tier == "" {
		req.Tier = ferry.TierFree
	}
	acct, err := a.accounts.Create(r.Context(), req.Username, req.Password, req.Tier, req.Admin)
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	a.log.Info("account created", "username", acct.Username, "tier", string(acct.Tier), "by", caller(r).Username)
	writeJSON(w, r, http.StatusCreated, accountJSON(acct))
}

func (a *API) getUser(w http.ResponseWriter, r *http.Request) {
	acct, err := a.accounts.Get(r.Context(), r.PathValue("name"))
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	writeJSON(w, r, http.StatusOK, accountJSON(acct))
}

func (a *API) updateUser(w http.ResponseWriter, r *http.Request) {
	var req wire.UpdateUserRequest
	if err := readJSON(r, &req); err != nil {
		a.writeError(w, r, err)
		return
	}
	acct, err := a.accounts.Update(r.Context(), r.PathValue("name"), account.Update{
		Tier: req.Tier, Disabled: req.Disabled, Password: req.Password, Admin: req.Admin,
	})
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	a.log.Info("account updated", "username", acct.Username, "by", caller(r).Username)
	writeJSON(w, r, http.StatusOK, accountJSON(acct))
}
