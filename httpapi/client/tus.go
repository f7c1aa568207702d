package client

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"sync"

	"github.com/ferryhq/ferry"
)

// TusVersion is the tus protocol version the client speaks.
const TusVersion = "1.0.0"

// UploadStatus is what a HEAD of an upload tells.
type UploadStatus struct {
	// Offset is how many bytes the server holds.
	Offset int64
	// Length is the upload's declared size; -1 when the server sent none.
	Length int64
}

// UploadStatus asks the server how far an upload got (tus HEAD).
func (c *Client) UploadStatus(ctx context.Context, uploadURL string) (UploadStatus, error) {
	u, err := c.Resolve(uploadURL)
	if err != nil {
		return UploadStatus{}, err
	}
	req, err := c.newRequest(ctx, http.MethodHead, u, nil)
	if err != nil {
		return UploadStatus{}, err
	}
	req.Header.Set("Tus-Resumable", TusVersion)
	resp, err := c.do(req)
	if err != nil {
		return UploadStatus{}, err
	}
	resp.Body.Close()
	st := UploadStatus{Length: -1}
	if st.Offset, err = headerInt(resp, "Upload-Offset"); err != nil {
		return UploadStatus{}, err
	}
	if resp.Header.Get("Upload-Length") != "" {
		if st.Length, err = headerInt(resp, "Upload-Length"); err != nil {
			return UploadStatus{}, err
		}
	}
	return st, nil
}

// Terminate abandons an upload (tus DELETE); the server frees what it holds.
func (c *Client) Terminate(ctx context.Context, uploadURL string) error {
	u, err := c.Resolve(uploadURL)
	if err != nil {
		return err
	}
	req, err := c.newRequest(ctx, http.MethodDelete, u, nil)
	if err != nil {
		return err
	}
	req.Header.Set("Tus-Resumable", TusVersion)
	resp, err := c.do(req)
	if err != nil {
		return err
	}
	resp.Body.Close()
	return nil
}

var (
	errNoProgress    = errors.New("ferry: the server accepted a chunk without advancing the offset")
	errMissingOffset = errors.New("ferry: the server's answer has no valid Upload-Offset")
)

// badUpload is an error that no retry can cure.
type badUpload struct{ msg string }

func (e *badUpload) Error() string { return "ferry: " + e.msg }

// chunkDigest is the base64 SHA-256 of n bytes of f at offset.
func chunkDigest(f io.ReaderAt, offset, n int64) (string, error) {
	h := sha256.New()
	got, err := io.Copy(h, io.NewSectionReader(f, offset, n))
	if err != nil {
		return "", err
	}
	if got != n {
		return "", &badUpload{fmt.Sprintf("the file is shorter than declared (%d bytes at offset %d, expected %d)", got, offset, n)}
	}
	return base64.StdEncoding.EncodeToString(h.Sum(nil)), nil
}

// progressBody reports the offset reached as the transport reads it. The
// transport may read a request body after the round trip returned, so
// stop fences off further reports.
type progressBody struct {
	r   io.Reader
	mu  sync.Mutex
	off int64
	fn  func(int64)
}

func (p *progressBody) Read(b []byte) (int, error) {
	n, err := p.r.Read(b)
	p.mu.Lock()
	defer p.mu.Unlock()
	p.off += int64(n)
	if n > 0 && p.fn != nil {
		p.fn(p.off)
	}
	return n, err
}

func (p *progressBody) stop() {
	p.mu.Lock()
	p.fn = nil
	p.mu.Unlock()
}

func headerInt(resp *http.Response, name string) (int64, error) {
	v, err := strconv.ParseInt(resp.Header.Get(name), 10, 64)
	if err != nil || v < 0 {
		return 0, fmt.Errorf("ferry: bad %s header %q in the server's answer", name, resp.Header.Get(name))
	}
	return v, nil
}

// retryable reports whether an upload step that failed with err is worth
// retrying after asking the server for its offset again.
func retryable(err error) bool {
	if err == nil {
		return false
	}
	if errors.Is(err, context.Canceled) {
		return false
	}
	var bad *badUpload
	if errors.As(err, &bad) {
		return false
	}
	if we := AsError(err); we != nil {
		switch we.Code {
		case ferry.CodeUploadOffsetConflict, ferry.CodeChunkChecksumMismatch, ferry.CodeUploadLocked,
			ferry.CodeServerBusy, ferry.CodeInternal, ferry.CodeStorageUnavailable, ferry.CodeDatabaseUnavailable:
			return true
		}
		return false
	}
	// A network error, a dropped connection, a missing offset: the server
	// keeps what it received; HEAD says how much.
	return true
}
