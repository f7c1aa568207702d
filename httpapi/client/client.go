package client

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"

	"github.com/ferryhq/ferry/httpapi/wire"
)

// Client talks to one ferry server. The zero value is not usable: set
// BaseURL. A Client is safe for concurrent use once its fields are set.
type Client struct {
	// BaseURL is the server's address, e.g. "https://ferry.example.org" or
	// "http://127.0.0.1:8080". API paths are appended to it.
	BaseURL string
	// Token is the bearer token of a session (see Login); "" sends none.
	Token string
	// HTTP is the HTTP client to use; nil means http.DefaultClient. Give it
	// no overall Timeout: uploads and downloads of large files take long.
	HTTP *http.Client
	// Lang is sent as Accept-Language: "zh-CN" or "en" ("" sends none).
	Lang string
	// Version is sent as Ferry-Client-Version ("" sends none).
	Version string
}

// maxJSONBody bounds how much of a JSON response (or error body) is read.
const maxJSONBody = 16 << 20

func (c *Client) httpClient() *http.Client {
	if c.HTTP != nil {
		return c.HTTP
	}
	return http.DefaultClient
}

// endpoint returns the absolute URL of an API path such as "/api/v1/me".
func (c *Client) endpoint(path string) string {
	return strings.TrimRight(c.BaseURL, "/") + path
}

// Resolve returns ref (e.g. an upload_url such as "/api/v1/uploads/x")
// resolved against the base URL; an absolute ref is returned as it is.
func (c *Client) Resolve(ref string) (string, error) {
	base, err := url.Parse(c.BaseURL)
	if err != nil {
		return "", fmt.Errorf("ferry: bad server URL %q: %w", c.BaseURL, err)
	}
	r, err := url.Parse(ref)
	if err != nil {
		return "", fmt.Errorf("ferry: bad URL %q from server: %w", ref, err)
	}
	return base.ResolveReference(r).String(), nil
}

// newRequest builds a request to an absolute URL with ferry's headers.
func (c *Client) newRequest(ctx context.Context, method, rawURL string, body io.Reader) (*http.Request, error) {
	req, err := http.NewRequestWithContext(ctx, method, rawURL, body)
	if err != nil {
		return nil, err
	}
	if c.Token != "" {
		req.Header.Set("Authorization", "Bearer "+c.Token)
	}
	if c.Lang != "" {
		req.Header.Set("Accept-Language", c.Lang)
	}
	if c.Version != "" {
		req.Header.Set(wire.HeaderClientVersion, c.Version)
	}
	return req, nil
}

// do sends req and returns the response when its status is 2xx; otherwise
// it closes the body and returns the *wire.Error the response carries.
func (c *Client) do(req *http.Request) (*http.Response, error) {
	resp, err := c.httpClient().Do(req)
	if err != nil {
		return nil, err
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		defer resp.Body.Close()
		return nil, DecodeError(resp, c.Lang)
	}
	return resp, nil
}

// doJSON sends in (when not nil) as JSON to the API path and decodes a 2xx
// answer into out (when not nil).
func (c *Client) doJSON(ctx context.Context, method, path string, in, out any) error {
	var body io.Reader
	if in != nil {
		b, err := json.Marshal(in)
		if err != nil {
			return err
		}
		body = bytes.NewReader(b)
	}
	req, err := c.newRequest(ctx, method, c.endpoint(path), body)
	if err != nil {
		return err
	}
	req.Header.Set("Accept", "application/json")
	if in != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := c.do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if out == nil {
		_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, maxJSONBody))
		return nil
	}
	if err := json.NewDecoder(io.LimitReader(resp.Body, maxJSONBody)).Decode(out); err != nil {
		return fmt.Errorf("ferry: %s %s: bad response body: %w", method, path, err)
	}
	return nil
}

// AsError returns the *wire.Error in err's chain, or nil.
func AsError(err error) *wire.Error {
	var we *wire.Error
	if errors.As(err, &we) {
		return we
	}
	return nil
}

// pathEscape escapes one path segment (an ID or a username).
func pathEscape(s string) string { return url.PathEscape(s) }
