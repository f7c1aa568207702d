package client

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/ferryhq/ferry"
	"github.com/ferryhq/ferry/httpapi/wire"
)

// Login signs in (POST /api/v1/login). It does not set c.Token.
func (c *Client) Login(ctx context.Context, req wire.LoginRequest) (*wire.LoginResponse, error) {
	var out wire.LoginResponse
	if err := c.doJSON(ctx, http.MethodPost, "/api/v1/login", req, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// Me returns the signed-in account (GET /api/v1/me).
func (c *Client) Me(ctx context.Context) (*wire.Me, error) {
	var out wire.Me
	if err := c.doJSON(ctx, http.MethodGet, "/api/v1/me", nil, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// Codes returns the server's error catalogue (GET /api/v1/codes).
func (c *Client) Codes(ctx context.Context) (*wire.Codes, error) {
	var out wire.Codes
	if err := c.doJSON(ctx, http.MethodGet, "/api/v1/codes", nil, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// CreateTransfer declares a transfer (POST /api/v1/transfers). The answer
// carries the upload URL, and a challenge when req declared a SHA-256 the
// server may already hold (see Prove).
func (c *Client) CreateTransfer(ctx context.Context, req wire.CreateTransferRequest) (*wire.CreateTransferResponse, error) {
	var out wire.CreateTransferResponse
	if err := c.doJSON(ctx, http.MethodPost, "/api/v1/transfers", req, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// Prove answers an instant-transfer challenge with the proof sha256 (see
// Proof) (POST /api/v1/transfers/{id}/proof).
func (c *Client) Prove(ctx context.Context, id, sha256 string) (*wire.ProofResponse, error) {
	var out wire.ProofResponse
	path := "/api/v1/transfers/" + pathEscape(id) + "/proof"
	if err := c.doJSON(ctx, http.MethodPost, path, wire.ProofRequest{SHA256: sha256}, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// Transfer returns a transfer's state (GET /api/v1/transfers/{id}).
func (c *Client) Transfer(ctx context.Context, id string) (*wire.Transfer, error) {
	return c.transferCall(ctx, http.MethodGet, "/api/v1/transfers/"+pathEscape(id))
}

// WaitTransfer returns a transfer's state once it is no longer being
// inspected, or after wait (at most 60s) — a long poll, GET
// /api/v1/transfers/{id}?wait=.
func (c *Client) WaitTransfer(ctx context.Context, id string, wait time.Duration) (*wire.Transfer, error) {
	return c.transferCall(ctx, http.MethodGet, "/api/v1/transfers/"+pathEscape(id)+"?wait="+wait.String())
}

// Accept records the recipient's acceptance (POST …/accept).
func (c *Client) Accept(ctx context.Context, id string) (*wire.Transfer, error) {
	return c.transferCall(ctx, http.MethodPost, "/api/v1/transfers/"+pathEscape(id)+"/accept")
}

// Decline records the recipient's refusal (POST …/decline).
func (c *Client) Decline(ctx context.Context, id string) (*wire.Transfer, error) {
	return c.transferCall(ctx, http.MethodPost, "/api/v1/transfers/"+pathEscape(id)+"/decline")
}

// Recall withdraws a transfer the caller sent (DELETE /api/v1/transfers/{id}).
func (c *Client) Recall(ctx context.Context, id string) (*wire.Transfer, error) {
	return c.transferCall(ctx, http.MethodDelete, "/api/v1/transfers/"+pathEscape(id))
}

func (c *Client) transferCall(ctx context.Context, method, path string) (*wire.Transfer, error) {
	var out wire.Transfer
	if err := c.doJSON(ctx, method, path, nil, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// Inbox lists one page of the transfers addressed to the caller, newest
// first (GET /api/v1/inbox). limit 0 lets the server choose; cursor "" is
// the first page, then the previous page's NextCursor.
func (c *Client) Inbox(ctx context.Context, limit int, cursor string) (*wire.TransferList, error) {
	return c.list(ctx, "/api/v1/inbox", limit, cursor)
}

// Outbox lists one page of the transfers the caller sent, newest first
// (GET /api/v1/outbox); see Inbox for limit and cursor.
func (c *Client) Outbox(ctx context.Context, limit int, cursor string) (*wire.TransferList, error) {
	return c.list(ctx, "/api/v1/outbox", limit, cursor)
}

func (c *Client) list(ctx context.Context, path string, limit int, cursor string) (*wire.TransferList, error) {
	q := url.Values{}
	if limit > 0 {
		q.Set("limit", strconv.Itoa(limit))
	}
	if cursor != "" {
		q.Set("cursor", cursor)
	}
	if len(q) > 0 {
		path += "?" + q.Encode()
	}
	var out wire.TransferList
	if err := c.doJSON(ctx, http.MethodGet, path, nil, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// CreateUser adds an account (admin; POST /api/v1/admin/users).
func (c *Client) CreateUser(ctx context.Context, req wire.CreateUserRequest) (*wire.Account, error) {
	var out wire.Account
	if err := c.doJSON(ctx, http.MethodPost, "/api/v1/admin/users", req, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// Users lists the accounts (admin; GET /api/v1/admin/users).
func (c *Client) Users(ctx context.Context) (*wire.Users, error) {
	var out wire.Users
	if err := c.doJSON(ctx, http.MethodGet, "/api/v1/admin/users", nil, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// UpdateUser changes the fields of an account that req sets (admin;
// PATCH /api/v1/admin/users/{name}).
func (c *Client) UpdateUser(ctx context.Context, name string, req wire.UpdateUserRequest) (*wire.Account, error) {
	var out wire.Account
	if err := c.doJSON(ctx, http.MethodPatch, "/api/v1/admin/users/"+pathEscape(name), req, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// Proof answers an instant-transfer challenge: the lower-case hex SHA-256
// over the challenge's byte ranges of f, concatenated in the order given.
// A range that reaches past the end of f is an error.
func Proof(f io.ReaderAt, ch *ferry.Challenge) (string, error) {
	if ch == nil {
		return "", errors.New("ferry: no challenge to answer")
	}
	h := sha256.New()
	for _, r := range ch.Ranges {
		if r.Offset < 0 || r.Length < 0 {
			return "", fmt.Errorf("ferry: bad challenge range %d+%d", r.Offset, r.Length)
		}
		n, err := io.Copy(h, io.NewSectionReader(f, r.Offset, r.Length))
		if err != nil {
			return "", err
		}
		if n != r.Length {
			return "", fmt.Errorf("ferry: challenge range %d+%d reaches past the end of the file", r.Offset, r.Length)
		}
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}
