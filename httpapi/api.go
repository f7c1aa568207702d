package httpapi

import (
	"context"
	"log/slog"
	"net/http"
	"strings"

	"github.com/ferryhq/ferry"
	"github.com/ferryhq/ferry/account"
	"github.com/ferryhq/ferry/policy"
	"github.com/ferryhq/ferry/transfer"
)

// API is ferry's HTTP API.
type API struct {
	accounts  *account.Service
	transfers *transfer.Service
	policy    func() *policy.Policy
	ready     func(context.Context) (map[string]string, error)
	log       *slog.Logger
	mux       *http.ServeMux
	audit     ferry.AuditStore
	auditor   ferry.Auditor
	redirect  func(ctx context.Context, sha256, name string) (string, error)
	metrics   http.Handler
}

// Options are what the API serves.
type Options struct {
	Accounts  *account.Service
	Transfers *transfer.Service
	Policy    func() *policy.Policy
	// Ready reports whether the node can serve, and what it has to say
	// about it (e.g. "malware_scan": "disabled"), shown by GET /readyz;
	// nil means always ready.
	Ready func(context.Context) (map[string]string, error)
	Log   *slog.Logger
	// Audit is the audit log that administrators query; nil serves none.
	Audit ferry.AuditStore
	// Auditor records the decisions the API makes itself (logins); nil
	// records none.
	Auditor ferry.Auditor
	// Redirect, when set, answers downloads with a redirect to the URL it
	// returns for a blob (a presigned URL of the blob store) instead of
	// the bytes.
	Redirect func(ctx context.Context, sha256, name string) (string, error)
	// Metrics, when set, is served at GET /metrics (Prometheus's text
	// format), like /healthz without authentication.
	Metrics http.Handler
}

// New returns the API.
func New(o Options) *API {
	a := &API{accounts: o.Accounts, transfers: o.Transfers, policy: o.Policy, ready: o.Ready, log: o.Log, mux: http.NewServeMux(), audit: o.Audit, auditor: o.Auditor, redirect: o.Redirect, metrics: o.Metrics}
	if a.log == nil {
		a.log = slog.New(slog.DiscardHandler)
	}
	a.routes()
	return a
}

func (a *API) routes() {
	m := a.mux
	m.HandleFunc("GET /healthz", a.healthz)
	m.HandleFunc("GET /readyz", a.readyz)
	if a.metrics != nil {
		m.Handle("GET /metrics", a.metrics)
	}
	m.HandleFunc("GET /api/v1/codes", a.codes)
	m.HandleFunc("POST /api/v1/login", a.login)
	m.HandleFunc("POST /api/v1/logout", a.authed(a.logout))
	m.HandleFunc("GET /api/v1/me", a.authed(a.me))
	m.HandleFunc("GET /api/v1/policy", a.authed(a.effectivePolicy))

	m.HandleFunc("POST /api/v1/precheck", a.authed(a.precheck))
	m.HandleFunc("POST /api/v1/transfers", a.authed(a.createTransfer))
	m.HandleFunc("GET /api/v1/transfers/{id}", a.authed(a.getTransfer))
	m.HandleFunc("DELETE /api/v1/transfers/{id}", a.authed(a.recall))
	m.HandleFunc("POST /api/v1/transfers/{id}/proof", a.authed(a.prove))
	m.HandleFunc("POST /api/v1/transfers/{id}/accept", a.authed(a.accept))
	m.HandleFunc("POST /api/v1/transfers/{id}/decline", a.authed(a.decline))
	m.HandleFunc("GET /api/v1/transfers/{id}/content", a.authed(a.content))
	m.HandleFunc("GET /api/v1/inbox", a.authed(a.inbox))
	m.HandleFunc("GET /api/v1/outbox", a.authed(a.outbox))

	m.HandleFunc("OPTIONS "+uploadsPath, a.tusOptions)
	m.HandleFunc("OPTIONS "+uploadsPath+"{id}", a.tusOptions)
	m.HandleFunc("POST "+uploadsPath, a.tus(a.authed(a.tusCreate)))
	m.HandleFunc("HEAD "+uploadsPath+"{id}", a.tus(a.authed(a.tusHead)))
	m.HandleFunc("PATCH "+uploadsPath+"{id}", a.tus(a.authed(a.tusPatch)))
	m.HandleFunc("DELETE "+uploadsPath+"{id}", a.tus(a.authed(a.tusDelete)))

	m.HandleFunc("GET /api/v1/admin/users", a.admin(a.listUsers))
	m.HandleFunc("POST /api/v1/admin/users", a.admin(a.createUser))
	m.HandleFunc("GET /api/v1/admin/users/{name}", a.admin(a.getUser))
	m.HandleFunc("PATCH /api/v1/admin/users/{name}", a.admin(a.updateUser))
	a.riskRoutes()
	a.auditRoutes()
}

// ServeHTTP routes a request. Unknown paths and methods get coded errors
// (8003, 8010) instead of the mux's plain text.
func (a *API) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method == http.MethodPost && strings.HasPrefix(r.URL.Path, uploadsPath) {
		if m := r.Header.Get("X-HTTP-Method-Override"); m != "" { // tus clients behind strict proxies
			r.Method = strings.ToUpper(m)
		}
	}
	if _, pattern := a.mux.Handler(r); pattern == "" {
		a.unrouted(w, r)
		return
	}
	a.mux.ServeHTTP(w, r)
}

func (a *API) unrouted(w http.ResponseWriter, r *http.Request) {
	var allow []string
	for _, m := range []string{"GET", "HEAD", "POST", "PATCH", "DELETE", "OPTIONS"} {
		probe := r.Clone(r.Context())
		probe.Method = m
		if _, p := a.mux.Handler(probe); p != "" {
			allow = append(allow, m)
		}
	}
	if len(allow) == 0 {
		a.writeError(w, r, ferry.E(ferry.CodeNotFound))
		return
	}
	w.Header().Set("Allow", strings.Join(allow, ", "))
	a.writeError(w, r, ferry.E(ferry.CodeMethodNotAllowed))
}

type ctxKey struct{}

// authed requires a valid bearer token and puts its account in the
// request's context.
func (a *API) authed(h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		token, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
		if !ok || token == "" {
			w.Header().Set("WWW-Authenticate", `Bearer realm="ferry"`)
			a.writeError(w, r, ferry.E(ferry.CodeUnauthenticated))
			return
		}
		acct, err := a.accounts.Authenticate(r.Context(), strings.TrimSpace(token))
		if err != nil {
			w.Header().Set("WWW-Authenticate", `Bearer realm="ferry", error="invalid_token"`)
			a.writeError(w, r, err)
			return
		}
		h(w, r.WithContext(context.WithValue(r.Context(), ctxKey{}, acct)))
	}
}

// admin requires an administrator.
func (a *API) admin(h http.HandlerFunc) http.HandlerFunc {
	return a.authed(func(w http.ResponseWriter, r *http.Request) {
		if !caller(r).Admin {
			a.writeError(w, r, ferry.E(ferry.CodeForbidden).With("reason", "administrators only"))
			return
		}
		h(w, r)
	})
}

// caller returns the signed-in account of an authed request.
func caller(r *http.Request) *ferry.Account { return r.Context().Value(ctxKey{}).(*ferry.Account) }

func (a *API) healthz(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, r, http.StatusOK, map[string]string{"status": "ok"})
}

func (a *API) readyz(w http.ResponseWriter, r *http.Request) {
	out := map[string]string{}
	if a.ready != nil {
		info, err := a.ready(r.Context())
		if err != nil {
			a.writeError(w, r, err)
			return
		}
		for k, v := range info {
			out[k] = v
		}
	}
	out["status"] = "ready"
	writeJSON(w, r, http.StatusOK, out)
}
