package client

import (
	"context"
	"net/http"

	"github.com/ferryhq/ferry/httpapi/wire"
)

// EnrollTOTP starts enrolling an authenticator app for the caller (POST
// /api/v1/me/totp): a new secret, which counts once ConfirmTOTP sees one
// of its codes. An account with a confirmed authenticator gets 4007, and
// one at risk level 2 or 3 its 4002 or 4003.
func (c *Client) EnrollTOTP(ctx context.Context) (*wire.TOTPEnrollment, error) {
	var out wire.TOTPEnrollment
	if err := c.doJSON(ctx, http.MethodPost, "/api/v1/me/totp", nil, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// ConfirmTOTP confirms the enrolment with a code the authenticator shows
// now (POST /api/v1/me/totp/confirm): 4005 ONE_TIME_CODE_INVALID for a
// wrong one.
func (c *Client) ConfirmTOTP(ctx context.Context, code string) error {
	return c.doJSON(ctx, http.MethodPost, "/api/v1/me/totp/confirm", wire.OneTimeCode{Code: code}, nil)
}

// StepUp lifts risk level 2 (4002 STEP_UP_REQUIRED) with a code of the
// confirmed authenticator (POST /api/v1/me/step-up): 4005 for a wrong or
// reused code, 4006 when no authenticator is enrolled, the account's 4003
// at level 3, which a step-up does not lift.
func (c *Client) StepUp(ctx context.Context, code string) error {
	return c.doJSON(ctx, http.MethodPost, "/api/v1/me/step-up", wire.OneTimeCode{Code: code}, nil)
}
