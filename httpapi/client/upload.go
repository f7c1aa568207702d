package client

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"time"
)

// UploadOptions tunes Upload.
type UploadOptions struct {
	// ChunkSize 0 sends the rest of the file in one streaming PATCH. A
	// positive ChunkSize sends PATCHes of at most that many bytes, each with
	// an Upload-Checksum (sha256) computed by reading the chunk once before
	// sending it, so that the server can discard a damaged chunk (460).
	ChunkSize int64
	// Progress, when set, is called with the offset reached as bytes are
	// sent, and with the server's offset after a resume (which may be
	// lower). It is never called concurrently, nor after Upload returns.
	Progress func(offset int64)
	// MaxFailures is how many consecutive failures without progress Upload
	// tolerates before it gives up; 0 means 5.
	MaxFailures int
	// Backoff is the wait before the first retry, doubled for each further
	// consecutive failure up to 30 s; 0 means 500 ms. A longer Retry-After
	// from the server is waited instead.
	Backoff time.Duration
}

func (o UploadOptions) withDefaults() UploadOptions {
	if o.MaxFailures <= 0 {
		o.MaxFailures = 5
	}
	if o.Backoff <= 0 {
		o.Backoff = 500 * time.Millisecond
	}
	return o
}

// Upload sends the size bytes of f to the tus upload at uploadURL (as
// returned by CreateTransfer; relative URLs are resolved against BaseURL).
// It starts from the offset the server reports (HEAD), so it also resumes
// an interrupted upload. After an offset conflict (409), a damaged chunk
// (460), a locked upload (423), a busy server or a network error it asks
// HEAD again and continues from there; it gives up after
// opts.MaxFailures consecutive failures without progress. Any other error
// response, e.g. the rejection of the file on the last PATCH, is returned
// as a *wire.Error at once. The file is streamed, never held in memory.
func (c *Client) Upload(ctx context.Context, uploadURL string, f io.ReaderAt, size int64, opts UploadOptions) error {
	u, err := c.Resolve(uploadURL)
	if err != nil {
		return err
	}
	up := &uploader{c: c, url: u, f: f, size: size, opts: opts.withDefaults()}
	return up.run(ctx)
}

type uploader struct {
	c    *Client
	url  string
	f    io.ReaderAt
	size int64
	opts UploadOptions
}

// run loops PATCH → (on a retryable failure) backoff → HEAD → PATCH ….
func (up *uploader) run(ctx context.Context) error {
	offset, confirmed := int64(-1), int64(-1) // -1: ask HEAD
	failures := 0
	for {
		var err error
		if offset < 0 {
			offset, err = up.head(ctx)
			if err == nil && offset > confirmed {
				confirmed, failures = offset, 0
			}
		}
		if err == nil {
			if offset >= up.size { // complete (an empty file is, from its creation)
				return nil
			}
			var next int64
			if next, err = up.patch(ctx, offset); err == nil {
				if next > offset {
					offset, confirmed, failures = next, next, 0
					continue
				}
				err = errNoProgress
			}
		}
		if ctx.Err() != nil {
			return ctx.Err()
		}
		if !retryable(err) {
			return err
		}
		if failures++; failures >= up.opts.MaxFailures {
			return fmt.Errorf("ferry: upload gave up after %d attempts without progress: %w", failures, err)
		}
		if err := up.wait(ctx, failures, err); err != nil {
			return err
		}
		offset = -1
	}
}

// head returns the server's offset, checking it against the file.
func (up *uploader) head(ctx context.Context) (int64, error) {
	st, err := up.c.UploadStatus(ctx, up.url)
	if err != nil {
		return -1, err
	}
	if st.Length >= 0 && st.Length != up.size {
		return -1, &badUpload{fmt.Sprintf("the upload on the server is for %d bytes, the file has %d", st.Length, up.size)}
	}
	if st.Offset < 0 || st.Offset > up.size {
		return -1, &badUpload{fmt.Sprintf("the server holds %d bytes of a %d-byte file", st.Offset, up.size)}
	}
	if up.opts.Progress != nil {
		up.opts.Progress(st.Offset)
	}
	return st.Offset, nil
}

// expectContinueMin: PATCH bodies larger than this wait for the server's
// 100 Continue before they are sent.
const expectContinueMin = 64 << 10

// patch sends one PATCH from offset and returns the server's new offset.
func (up *uploader) patch(ctx context.Context, offset int64) (int64, error) {
	n := up.size - offset
	if cs := up.opts.ChunkSize; cs > 0 && n > cs {
		n = cs
	}
	body := &progressBody{r: io.NewSectionReader(up.f, offset, n), off: offset, fn: up.opts.Progress}
	defer body.stop()
	req, err := up.c.newRequest(ctx, http.MethodPatch, up.url, body)
	if err != nil {
		return -1, err
	}
	req.ContentLength = n
	if n > expectContinueMin {
		// The server checks the offset (and takes the upload over from a
		// stalled earlier connection) before it asks for the body, so a
		// resume that races a dying connection costs a 409, not a resend.
		req.Header.Set("Expect", "100-continue")
	}
	req.Header.Set("Tus-Resumable", TusVersion)
	req.Header.Set("Upload-Offset", strconv.FormatInt(offset, 10))
	req.Header.Set("Content-Type", "application/offset+octet-stream")
	if up.opts.ChunkSize > 0 {
		sum, err := chunkDigest(up.f, offset, n)
		if err != nil {
			return -1, err
		}
		req.Header.Set("Upload-Checksum", "sha256 "+sum)
	}
	resp, err := up.c.do(req)
	if err != nil {
		return -1, err
	}
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, maxJSONBody))
	resp.Body.Close()
	next, err := headerInt(resp, "Upload-Offset")
	if err != nil {
		return -1, errMissingOffset
	}
	return next, nil
}

// wait sleeps before retry number failures, or until ctx is done.
func (up *uploader) wait(ctx context.Context, failures int, cause error) error {
	d := up.opts.Backoff << (failures - 1)
	if d > 30*time.Second || d <= 0 {
		d = 30 * time.Second
	}
	if we := AsError(cause); we != nil && we.RetryAfterSeconds > 0 {
		ra := time.Duration(we.RetryAfterSeconds) * time.Second
		if ra > 5*time.Minute {
			return cause // too long to wait here: let the user run it again
		}
		d = max(d, ra)
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}
