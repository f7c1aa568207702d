package client

import (
	"context"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strconv"
	"strings"
)

// DownloadOptions tunes Download.
type DownloadOptions struct {
	// Offset is how many bytes of the content w already holds (from a
	// previous, interrupted download): the request asks for the rest with
	// Range: bytes=Offset-.
	Offset int64
	// ETag is the validator of the content w holds part of, e.g. the
	// transfer's `"<sha256>"`. It is sent as If-Range, so that a server
	// whose content changed sends all of it again. "" sends no If-Range.
	ETag string
	// Progress, when set, is called with the offset reached as bytes
	// arrive.
	Progress func(offset int64)
}

// DownloadResult says what a download did. Download returns one even with
// an error, so that a caller can resume from Start+Written.
type DownloadResult struct {
	// Status is the HTTP status: 200 or 206.
	Status int
	// Start is where writing began: opts.Offset, or 0 when the server
	// sent the whole content (see Restarted).
	Start int64
	// Restarted is true when a resume was asked for but the server sent
	// the whole content (the content changed, or Range is not supported).
	Restarted bool
	// Written counts the bytes written to w by this call.
	Written int64
	// Size is the size of the whole content; -1 when the server did not say.
	Size int64
	// ETag is the server's ETag header.
	ETag string
	// Filename is the name from Content-Disposition (see
	// FilenameFromDisposition), as the server sent it: pass it through
	// SafeName before using it as a path.
	Filename string
}

// truncater is implemented by *os.File.
type truncater interface{ Truncate(size int64) error }

// Download fetches the content of transfer id (GET …/content) into w at
// its offsets. With opts.Offset > 0 it resumes (Range and If-Range): on
// 206 the rest is written from opts.Offset; on 200 the content changed and
// is written from 0, and w is truncated first when it has a Truncate
// method (as *os.File does). The body streams through a small buffer.
func (c *Client) Download(ctx context.Context, id string, w io.WriterAt, opts DownloadOptions) (*DownloadResult, error) {
	res := &DownloadResult{Size: -1}
	req, err := c.newRequest(ctx, http.MethodGet, c.endpoint("/api/v1/transfers/"+pathEscape(id)+"/content"), nil)
	if err != nil {
		return res, err
	}
	if opts.Offset > 0 {
		req.Header.Set("Range", fmt.Sprintf("bytes=%d-", opts.Offset))
		if opts.ETag != "" {
			req.Header.Set("If-Range", opts.ETag)
		}
	}
	resp, err := c.do(req)
	if err != nil {
		return res, err
	}
	defer resp.Body.Close()
	if err := res.fromResponse(resp, opts.Offset); err != nil {
		return res, err
	}
	if res.Restarted {
		if t, ok := w.(truncater); ok {
			if err := t.Truncate(0); err != nil {
				return res, err
			}
		}
	}
	body := &progressBody{r: resp.Body, off: res.Start, fn: opts.Progress}
	res.Written, err = io.Copy(io.NewOffsetWriter(w, res.Start), body)
	if err == nil && res.Size >= 0 && res.Start+res.Written != res.Size {
		err = fmt.Errorf("ferry: download ended at byte %d of %d: %w", res.Start+res.Written, res.Size, io.ErrUnexpectedEOF)
	}
	return res, err
}

// fromResponse fills res from the headers of a 2xx content response.
func (res *DownloadResult) fromResponse(resp *http.Response, offset int64) error {
	res.Status = resp.StatusCode
	res.ETag = resp.Header.Get("ETag")
	res.Filename = FilenameFromDisposition(resp.Header.Get("Content-Disposition"))
	switch resp.StatusCode {
	case http.StatusOK:
		res.Restarted = offset > 0
		res.Size = resp.ContentLength
	case http.StatusPartialContent:
		start, total, err := parseContentRange(resp.Header.Get("Content-Range"))
		if err != nil {
			return err
		}
		if start != offset {
			return fmt.Errorf("ferry: asked for the content from byte %d, the server sent it from %d", offset, start)
		}
		res.Start, res.Size = start, total
	default:
		return fmt.Errorf("ferry: unexpected status %d for a download", resp.StatusCode)
	}
	return nil
}

// parseContentRange reads "bytes START-END/TOTAL"; total is -1 for "*".
func parseContentRange(h string) (start, total int64, err error) {
	bad := fmt.Errorf("ferry: bad Content-Range %q in the server's answer", h)
	rest, ok := strings.CutPrefix(strings.TrimSpace(h), "bytes ")
	if !ok {
		return 0, 0, bad
	}
	span, size, ok := strings.Cut(rest, "/")
	first, _, ok2 := strings.Cut(span, "-")
	if !ok || !ok2 {
		return 0, 0, bad
	}
	if start, err = strconv.ParseInt(first, 10, 64); err != nil || start < 0 {
		return 0, 0, bad
	}
	if size == "*" {
		return start, -1, nil
	}
	if total, err = strconv.ParseInt(size, 10, 64); err != nil {
		return 0, 0, bad
	}
	return start, total, nil
}

// FilenameFromDisposition returns the file name a Content-Disposition
// header carries: the RFC 5987 filename* (UTF-8, percent-encoded) decoded
// when present, else the plain filename; "" when there is none. The name
// is as the server sent it; see SafeName.
func FilenameFromDisposition(h string) string {
	if h == "" {
		return ""
	}
	_, params, err := mime.ParseMediaType(h)
	if err != nil {
		return ""
	}
	return params["filename"]
}

// SafeName reduces a name that came from a server to one plain path
// element, so that it cannot leave the folder it is saved in: anything up
// to the last slash or backslash is dropped, and so are control
// characters. It returns "" when nothing usable is left ("", ".", "..").
func SafeName(name string) string {
	if i := strings.LastIndexAny(name, `/\`); i >= 0 {
		name = name[i+1:]
	}
	name = strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f {
			return -1
		}
		return r
	}, name)
	name = strings.TrimSpace(name)
	if name == "." || name == ".." {
		return ""
	}
	return name
}
