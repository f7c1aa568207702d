package httpapi

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"time"

	"github.com/ferryhq/ferry"
)

// content serves a transfer's bytes: Range requests (206) and If-Range
// through http.ServeContent, a strong ETag of the SHA-256, and a
// Content-Disposition that round-trips any UTF-8 name. A download counts
// once, when the last byte has been sent, so a resumed download is one
// download.
func (a *API) content(w http.ResponseWriter, r *http.Request) {
	acct := caller(r)
	if a.redirect != nil {
		a.redirectContent(w, r)
		return
	}
	t, rc, size, err := a.transfers.Content(r.Context(), acct, r.PathValue("id"))
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	defer rc.Close()
	h := w.Header()
	h.Set("ETag", `"`+t.SHA256+`"`)
	h.Set("Content-Type", "application/octet-stream")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Content-Disposition", ferry.ContentDisposition(t.Name))
	h.Set("Cache-Control", "private, no-cache")
	cw := &countingWriter{ResponseWriter: w}
	http.ServeContent(cw, r, "", time.Time{}, rc)
	if r.Method == http.MethodGet && reachedEnd(cw, size) {
		// The last byte went out: record it even when the client hangs up at once.
		if err := a.transfers.Downloaded(context.WithoutCancel(r.Context()), acct, t); err != nil {
			a.log.Error("download not recorded", "id", t.ID, "err", err)
		}
	}
}

// redirectContent answers a download with a short-lived URL of the blob
// store (download: redirect), which then serves the bytes, ranges and
// all. ferry cannot see the last byte go out: the download is recorded
// when the URL is handed out.
func (a *API) redirectContent(w http.ResponseWriter, r *http.Request) {
	acct := caller(r)
	t, err := a.transfers.Fetchable(r.Context(), acct, r.PathValue("id"))
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	u, err := a.redirect(r.Context(), t.SHA256, t.Name)
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	w.Header().Set("Cache-Control", "no-store")
	http.Redirect(w, r, u, http.StatusFound)
	if r.Method == http.MethodGet {
		if err := a.transfers.Downloaded(context.WithoutCancel(r.Context()), acct, t); err != nil {
			a.log.Error("download not recorded", "id", t.ID, "err", err)
		}
	}
}

// reachedEnd reports whether the response sent the content through its
// last byte: a whole 200, or a 206 whose one range ends at the end.
func reachedEnd(cw *countingWriter, size int64) bool {
	switch cw.status {
	case http.StatusOK:
		return cw.n == size
	case http.StatusPartialContent:
		var first, last, total int64
		cr := cw.Header().Get("Content-Range")
		if _, err := fmt.Sscanf(cr, "bytes %d-%d/%d", &first, &last, &total); err != nil {
			return false
		}
		return last == size-1 && cw.n == last-first+1
	}
	return false
}

// countingWriter counts the body bytes written and keeps the status. It
// passes ReadFrom through so that files still go out with sendfile.
type countingWriter struct {
	http.ResponseWriter
	status int
	n      int64
}

func (c *countingWriter) WriteHeader(status int) {
	if c.status == 0 {
		c.status = status
	}
	c.ResponseWriter.WriteHeader(status)
}

func (c *countingWriter) Write(p []byte) (int, error) {
	if c.status == 0 {
		c.status = http.StatusOK
	}
	n, err := c.ResponseWriter.Write(p)
	c.n += int64(n)
	return n, err
}

func (c *countingWriter) ReadFrom(src io.Reader) (int64, error) {
	if c.status == 0 {
		c.status = http.StatusOK
	}
	n, err := c.ResponseWriter.(io.ReaderFrom).ReadFrom(src)
	c.n += n
	return n, err
}

func (c *countingWriter) Unwrap() http.ResponseWriter { return c.ResponseWriter }
