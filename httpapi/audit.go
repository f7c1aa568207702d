package httpapi

import (
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/ferryhq/ferry"
	"github.com/ferryhq/ferry/httpapi/wire"
)

// auditRoutes serves the audit log to administrators: the decisions,
// filtered and paginated, and their counts by day for reports. Without an
// audit store (Options.Audit) the routes are not served.
func (a *API) auditRoutes() {
	if a.audit == nil {
		return
	}
	a.mux.HandleFunc("GET /api/v1/admin/audit", a.admin(a.auditList))
	a.mux.HandleFunc("GET /api/v1/admin/audit/summary", a.admin(a.auditSummary))
}

// auditList answers GET /api/v1/admin/audit?since=&until=&user=&action=
// &verdict=&code=&limit=&cursor=: since and until are RFC 3339 times (since
// inclusive, until exclusive), code a number or a name from the catalogue.
func (a *API) auditList(w http.ResponseWriter, r *http.Request) {
	q, err := auditQuery(r)
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	recs, next, err := a.audit.Audit(r.Context(), q)
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	out := wire.AuditList{Records: make([]wire.AuditRecord, 0, len(recs)), NextCursor: next}
	for _, rec := range recs {
		out.Records = append(out.Records, auditJSON(rec))
	}
	w.Header().Set("Cache-Control", "no-store")
	writeJSON(w, r, http.StatusOK, out)
}

// auditSummary answers GET /api/v1/admin/audit/summary?since=&until=.
func (a *API) auditSummary(w http.ResponseWriter, r *http.Request) {
	v, err := queryParams(r, "since", "until")
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	since, until, err := timeRange(v)
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	counts, err := a.audit.AuditSummary(r.Context(), since, until)
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	out := wire.AuditSummary{Counts: make([]wire.AuditCount, 0, len(counts))}
	for _, c := range counts {
		out.Counts = append(out.Counts, wire.AuditCount{Day: c.Day.UTC().Format(wire.DayLayout), Action: c.Action,
			Verdict: c.Verdict, Code: c.Code, Name: codeName(c.Code), Count: c.Count})
	}
	w.Header().Set("Cache-Control", "no-store")
	writeJSON(w, r, http.StatusOK, out)
}

func auditJSON(rec *ferry.AuditRecord) wire.AuditRecord {
	return wire.AuditRecord{ID: rec.ID, At: rec.At.UTC(), User: rec.Account, Action: rec.Action,
		TransferID: rec.TransferID, Name: rec.Name, Size: rec.Size, Verdict: rec.Verdict, Code: rec.Code,
		CodeName: codeName(rec.Code), Rule: rec.Rule, IP: rec.IP, Details: rec.Details}
}

// codeName is the name of a refusal's code; "" for 0, an acceptance.
func codeName(c ferry.Code) string {
	if c == 0 {
		return ""
	}
	return c.Name()
}

// auditQuery reads the filters and the page of GET /api/v1/admin/audit.
func auditQuery(r *http.Request) (ferry.AuditQuery, error) {
	v, err := queryParams(r, "since", "until", "user", "action", "verdict", "code", "limit", "cursor")
	if err != nil {
		return ferry.AuditQuery{}, err
	}
	q := ferry.AuditQuery{Account: v.Get("user"), Action: v.Get("action"), Verdict: v.Get("verdict"),
		Page: ferry.Page{Cursor: v.Get("cursor")}}
	if q.Since, q.Until, err = timeRange(v); err != nil {
		return q, err
	}
	if s := v.Get("code"); s != "" {
		if q.Code, err = parseCode(s); err != nil {
			return q, err
		}
	}
	if s := v.Get("limit"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 || n > 500 {
			return q, badParam("limit must be a number from 1 to 500")
		}
		q.Page.Limit = n
	}
	return q, nil
}

// queryParams returns the query of r, refusing a parameter not in allowed
// (a misspelt filter would otherwise select everything) or given twice.
func queryParams(r *http.Request, allowed ...string) (url.Values, error) {
	v, err := url.ParseQuery(r.URL.RawQuery)
	if err != nil {
		return nil, badParam("the query string is malformed")
	}
	for name, vals := range v {
		if !slices.Contains(allowed, name) {
			if len(name) > 32 {
				name = name[:32] + "…"
			}
			return nil, badParam("unknown parameter " + strconv.Quote(name) + "; known are " + strings.Join(allowed, ", "))
		}
		if len(vals) > 1 {
			return nil, badParam("parameter " + name + " is given more than once")
		}
	}
	return v, nil
}

// timeRange reads since and until, RFC 3339 times; either may be absent,
// and when both are given until must be later.
func timeRange(v url.Values) (since, until time.Time, err error) {
	parse := func(name string) (time.Time, error) {
		s := v.Get(name)
		if s == "" {
			return time.Time{}, nil
		}
		t, err := time.Parse(time.RFC3339, s)
		if err != nil {
			return time.Time{}, badParam(name + " must be an RFC 3339 time such as 2026-01-02T15:04:05Z")
		}
		return t, nil
	}
	if since, err = parse("since"); err != nil {
		return
	}
	if until, err = parse("until"); err != nil {
		return
	}
	if !since.IsZero() && !until.IsZero() && !until.After(since) {
		err = badParam("until must be later than since")
	}
	return
}

// parseCode reads a code given by number (1001) or by name
// (FILE_TYPE_NOT_ALLOWED, any case); it must be in the catalogue.
func parseCode(s string) (ferry.Code, error) {
	n, numErr := strconv.Atoi(s)
	for _, info := range ferry.Codes() {
		if (numErr == nil && info.Code == ferry.Code(n)) || strings.EqualFold(info.Name, s) {
			return info.Code, nil
		}
	}
	return 0, badParam("code must be a code or a code name of GET /api/v1/codes, such as 1001 or FILE_TYPE_NOT_ALLOWED")
}

func badParam(reason string) *ferry.Error {
	return ferry.E(ferry.CodeBadRequest).With("reason", reason)
}
