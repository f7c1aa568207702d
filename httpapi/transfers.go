package httpapi

import (
	"context"
	"net/http"
	"strconv"
	"time"

	"github.com/ferryhq/ferry"
	"github.com/ferryhq/ferry/httpapi/wire"
	"github.com/ferryhq/ferry/transfer"
)

func (a *API) createTransfer(w http.ResponseWriter, r *http.Request) {
	var req wire.CreateTransferRequest
	if err := readJSON(r, &req); err != nil {
		a.writeError(w, r, err)
		return
	}
	t, err := a.transfers.Create(r.Context(), caller(r), transfer.CreateRequest{To: req.To, Name: req.Name,
		Size: req.Size, SHA256: req.SHA256, Client: a.client(r)})
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	w.Header().Set("Location", "/api/v1/transfers/"+t.ID)
	writeJSON(w, r, http.StatusCreated, wire.CreateTransferResponse{
		ID: t.ID, UploadURL: uploadURL(t.ID), Challenge: t.Challenge, Transfer: transferJSON(r, t),
	})
}

// client describes the requesting client: its version header and its
// address, believing X-Forwarded-For only from trusted proxies.
func (a *API) client(r *http.Request) transfer.Client {
	c := transfer.Client{Version: r.Header.Get(wire.HeaderClientVersion)}
	if a.policy != nil {
		c.IP = a.policy().ClientIP(r.RemoteAddr, r.Header.Get("X-Forwarded-For"))
	}
	return c
}

// precheck answers whether a create would be accepted, rule by rule; it
// creates and reserves nothing.
func (a *API) precheck(w http.ResponseWriter, r *http.Request) {
	var req wire.CreateTransferRequest
	if err := readJSON(r, &req); err != nil {
		a.writeError(w, r, err)
		return
	}
	checks, err := a.transfers.Precheck(r.Context(), caller(r), transfer.CreateRequest{To: req.To, Name: req.Name,
		Size: req.Size, SHA256: req.SHA256, Client: a.client(r)})
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	lang := langOf(r)
	out := wire.Precheck{Verdict: "accepted", Checks: make([]wire.Check, 0, len(checks))}
	for _, c := range checks {
		wc := wire.Check{Rule: c.Rule, Passed: c.Passed, Code: c.Code, Limit: c.Limit, Actual: c.Actual}
		if c.Err != nil {
			e := wire.NewError(c.Err, lang)
			wc.Name, wc.Message = e.Name, e.Message
			if out.Error == nil {
				out.Verdict, out.Error = "rejected", &e
			}
		}
		out.Checks = append(out.Checks, wc)
	}
	writeJSON(w, r, http.StatusOK, out)
}

func (a *API) prove(w http.ResponseWriter, r *http.Request) {
	var req wire.ProofRequest
	if err := readJSON(r, &req); err != nil {
		a.writeError(w, r, err)
		return
	}
	t, instant, err := a.transfers.Prove(r.Context(), caller(r), r.PathValue("id"), req.SHA256)
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	out := wire.ProofResponse{Instant: instant, Transfer: transferJSON(r, t)}
	if !instant {
		out.UploadURL = uploadURL(t.ID)
	}
	writeJSON(w, r, http.StatusOK, out)
}

// maxWait bounds the long-poll of GET /api/v1/transfers/{id}?wait=.
const maxWait = 60 * time.Second

// getTransfer answers a transfer; with ?wait=DURATION (at most 60s) it
// first waits while the transfer is being inspected, so that a client
// learns the verdict without polling.
func (a *API) getTransfer(w http.ResponseWriter, r *http.Request) {
	s := r.URL.Query().Get("wait")
	if s == "" {
		a.answerTransfer(w, r, a.transfers.Get)
		return
	}
	wait, err := time.ParseDuration(s)
	if err != nil || wait < 0 || wait > maxWait {
		a.writeError(w, r, ferry.E(ferry.CodeBadRequest).With("reason", "wait must be a duration from 0s to 60s"))
		return
	}
	a.answerTransfer(w, r, func(ctx context.Context, acct *ferry.Account, id string) (*ferry.Transfer, error) {
		return a.transfers.WaitSettled(ctx, acct, id, wait)
	})
}

func (a *API) recall(w http.ResponseWriter, r *http.Request) {
	a.answerTransfer(w, r, a.transfers.Recall)
}

func (a *API) accept(w http.ResponseWriter, r *http.Request) {
	a.answerTransfer(w, r, a.transfers.Accept)
}

func (a *API) decline(w http.ResponseWriter, r *http.Request) {
	a.answerTransfer(w, r, a.transfers.Decline)
}

// answerTransfer runs op on the transfer named in the path and answers
// with the transfer as it is afterwards.
func (a *API) answerTransfer(w http.ResponseWriter, r *http.Request, op func(context.Context, *ferry.Account, string) (*ferry.Transfer, error)) {
	t, err := op(r.Context(), caller(r), r.PathValue("id"))
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	writeJSON(w, r, http.StatusOK, transferJSON(r, t))
}

func (a *API) inbox(w http.ResponseWriter, r *http.Request) {
	a.list(w, r, a.transfers.Inbox)
}

func (a *API) outbox(w http.ResponseWriter, r *http.Request) {
	a.list(w, r, a.transfers.Outbox)
}

func (a *API) list(w http.ResponseWriter, r *http.Request, op func(context.Context, *ferry.Account, ferry.Page) ([]*ferry.Transfer, string, error)) {
	page := ferry.Page{Cursor: r.URL.Query().Get("cursor")}
	if s := r.URL.Query().Get("limit"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 || n > 500 {
			a.writeError(w, r, ferry.E(ferry.CodeBadRequest).With("reason", "limit must be a number from 1 to 500"))
			return
		}
		page.Limit = n
	}
	ts, next, err := op(r.Context(), caller(r), page)
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	writeJSON(w, r, http.StatusOK, transferList(r, ts, next))
}
