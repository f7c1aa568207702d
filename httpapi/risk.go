package httpapi

import (
	"net/http"

	"github.com/ferryhq/ferry/httpapi/wire"
)

// riskRoutes serves account risk control: the caller's authenticator
// enrolment and step-up, and the administrators' view and clearing of an
// account's risk level.
func (a *API) riskRoutes() {
	m := a.mux
	m.HandleFunc("POST /api/v1/me/totp", a.authed(a.enrollTOTP))
	m.HandleFunc("POST /api/v1/me/totp/confirm", a.authed(a.confirmTOTP))
	m.HandleFunc("POST /api/v1/me/step-up", a.authed(a.stepUp))
	m.HandleFunc("GET /api/v1/admin/users/{name}/risk", a.admin(a.getRisk))
	m.HandleFunc("DELETE /api/v1/admin/users/{name}/risk", a.admin(a.clearRisk))
	m.HandleFunc("DELETE /api/v1/admin/users/{name}/totp", a.admin(a.resetTOTP))
}

// enrollTOTP answers a new, unconfirmed authenticator secret.
func (a *API) enrollTOTP(w http.ResponseWriter, r *http.Request) {
	en, err := a.accounts.EnrollTOTP(r.Context(), caller(r))
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	w.Header().Set("Cache-Control", "no-store")
	writeJSON(w, r, http.StatusOK, wire.TOTPEnrollment{Secret: en.Secret, OTPAuthURL: en.URL})
}

func (a *API) confirmTOTP(w http.ResponseWriter, r *http.Request) {
	var req wire.OneTimeCode
	if err := readJSON(r, &req); err != nil {
		a.writeError(w, r, err)
		return
	}
	if err := a.accounts.ConfirmTOTP(r.Context(), caller(r), req.Code); err != nil {
		a.writeError(w, r, err)
		return
	}
	a.log.Info("authenticator enrolled", "username", caller(r).Username)
	w.WriteHeader(http.StatusNoContent)
}

func (a *API) stepUp(w http.ResponseWriter, r *http.Request) {
	var req wire.OneTimeCode
	if err := readJSON(r, &req); err != nil {
		a.writeError(w, r, err)
		return
	}
	if err := a.accounts.StepUp(r.Context(), caller(r), req.Code); err != nil {
		a.writeError(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (a *API) getRisk(w http.ResponseWriter, r *http.Request) {
	acct, err := a.accounts.Get(r.Context(), r.PathValue("name"))
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	v, err := a.accounts.RiskOf(r.Context(), acct)
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	writeJSON(w, r, http.StatusOK, wire.Risk{Level: v.Level, Until: wire.TimePtr(v.Until), FailedLogins: v.FailedLogins,
		Events24h: v.Events24h, TOTPEnrolled: v.TOTPEnrolled})
}

// resetTOTP removes an account's authenticator (its owner lost it), so
// that a new one can be enrolled.
func (a *API) resetTOTP(w http.ResponseWriter, r *http.Request) {
	acct, err := a.accounts.Get(r.Context(), r.PathValue("name"))
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	if err := a.accounts.ResetTOTP(r.Context(), acct); err != nil {
		a.writeError(w, r, err)
		return
	}
	a.log.Info("authenticator removed", "username", acct.Username, "by", caller(r).Username)
	w.WriteHeader(http.StatusNoContent)
}

func (a *API) clearRisk(w http.ResponseWriter, r *http.Request) {
	acct, err := a.accounts.Get(r.Context(), r.PathValue("name"))
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	if err := a.accounts.ClearRisk(r.Context(), acct); err != nil {
		a.writeError(w, r, err)
		return
	}
	a.log.Info("account risk cleared", "username", acct.Username, "by", caller(r).Username)
	w.WriteHeader(http.StatusNoContent)
}
