package httpapi

import (
	"context"
	"errors"
	"net/http"
	"strconv"

	"github.com/ferryhq/ferry"
	"github.com/ferryhq/ferry/httpapi/wire"
)

// writeError is the one place where an error becomes an HTTP response: the
// status and the Retry-After header come from the code's catalogue entry,
// the message and remedy are rendered in the caller's language, and the
// internal cause is logged, never sent. Any error that is not an
// *ferry.Error is 9000 INTERNAL.
func (a *API) writeError(w http.ResponseWriter, r *http.Request, err error) {
	if errors.Is(err, context.Canceled) && r.Context().Err() != nil {
		a.log.Debug("client went away", "method", r.Method, "path", r.URL.Path)
		return
	}
	fe := ferry.AsError(err)
	if fe.Code >= 9000 {
		a.log.Error("request failed", "method", r.Method, "path", r.URL.Path, "code", int(fe.Code), "err", err)
	} else {
		a.log.Debug("request refused", "method", r.Method, "path", r.URL.Path, "code", int(fe.Code), "rule", fe.Rule)
	}
	body := wire.NewError(fe, langOf(r))
	h := w.Header()
	h.Set(wire.HeaderErrorCode, strconv.Itoa(int(fe.Code)))
	if body.RetryAfterSeconds > 0 {
		h.Set("Retry-After", strconv.FormatInt(body.RetryAfterSeconds, 10))
	}
	h.Del("Content-Length")
	h.Del("Content-Disposition")
	h.Del("ETag")
	writeJSON(w, r, body.Status, wire.ErrorBody{Error: body})
}
