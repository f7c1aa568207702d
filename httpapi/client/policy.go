package client

import (
	"context"
	"net/http"

	"github.com/ferryhq/ferry/httpapi/wire"
)

// Policy returns the caller's effective policy (GET /api/v1/policy): its
// tier's limits, the type catalogue and the blocked types, enough to run
// the content-free checks of a file locally before asking the server.
func (c *Client) Policy(ctx context.Context) (*wire.EffectivePolicy, error) {
	var out wire.EffectivePolicy
	if err := c.doJSON(ctx, http.MethodGet, "/api/v1/policy", nil, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// Precheck asks whether a create of req would be accepted now (POST
// /api/v1/precheck), rule by rule. It creates and reserves nothing. A
// rejection is not an error: it is the answer's Verdict "rejected", with
// the error the create would get; an error is returned only when the
// question could not be answered (not signed in, a bad request, the
// server unavailable).
func (c *Client) Precheck(ctx context.Context, req wire.CreateTransferRequest) (*wire.Precheck, error) {
	var out wire.Precheck
	if err := c.doJSON(ctx, http.MethodPost, "/api/v1/precheck", req, &out); err != nil {
		return nil, err
	}
	return &out, nil
}
