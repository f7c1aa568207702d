package wire

import "time"

// TOTPEnrollment answers POST /api/v1/me/totp: a new authenticator secret,
// not yet confirmed. Show OTPAuthURL as a QR code, or let the user type
// Secret (base32) into the app; then confirm one of its codes.
type TOTPEnrollment struct {
	Secret     string `json:"secret"`
	OTPAuthURL string `json:"otpauth_url"`
}

// OneTimeCode is the body of POST /api/v1/me/totp/confirm and
// POST /api/v1/me/step-up: the 6-digit code the authenticator shows now.
type OneTimeCode struct {
	Code string `json:"code"`
}

// Risk is the body of GET /api/v1/admin/users/{name}/risk: the account's
// risk level (1 normal, 2 step-up required, 3 sending suspended), when that
// level lapses by itself, the run of failed logins, the risk events of the
// last 24 hours, and whether an authenticator is enrolled.
type Risk struct {
	Level        int        `json:"level"`
	Until        *time.Time `json:"until,omitempty"`
	FailedLogins int        `json:"failed_logins"`
	Events24h    int        `json:"events_24h"`
	TOTPEnrolled bool       `json:"totp_enrolled"`
}
