// Package wire holds the JSON bodies of ferry's HTTP API (v1), shared by the
// server (package httpapi) and the Go client (package httpapi/client), so
// that the two cannot drift apart.
package wire

import (
	"fmt"
	"time"

	"github.com/ferryhq/ferry"
)

// Header names of the API beyond the tus ones.
const (
	// HeaderClientVersion carries the client's version, compared with
	// policy.min_client_version.
	HeaderClientVersion = "Ferry-Client-Version"
	// HeaderErrorCode repeats the error code of an error response, for
	// clients (tus ones included) that cannot read the body.
	HeaderErrorCode = "Ferry-Error-Code"
	// HeaderTransferState tells, on tus HEAD and PATCH responses, the state
	// of the transfer: after the last byte, "inspecting" until the verdict,
	// then "available" or "rejected".
	HeaderTransferState = "Ferry-Transfer-State"
)

// ErrorBody is the body of every error response.
type ErrorBody struct {
	Error Error `json:"error"`
}

// Error is a coded error as a client sees it: no internal text.
type Error struct {
	Code              ferry.Code     `json:"code"`
	Name              string         `json:"name"`
	Message           string         `json:"message"`
	Remedy            string         `json:"remedy"`
	Retryable         bool           `json:"retryable"`
	RetryAfterSeconds int64          `json:"retry_after_seconds"`
	Rule              string         `json:"rule,omitempty"`
	Details           map[string]any `json:"details,omitempty"`
	// Status is the HTTP status it came with; not part of the body.
	Status int `json:"-"`
}

func (e *Error) Error() string {
	return fmt.Sprintf("%d %s: %s", e.Code, e.Name, e.Message)
}

// NewError renders e for a client in lang.
func NewError(e *ferry.Error, lang ferry.Lang) Error {
	info := e.Code.Info()
	msg, remedy := e.Message(lang)
	out := Error{
		Code: info.Code, Name: info.Name, Message: msg, Remedy: remedy,
		Retryable: info.Retryable, Rule: e.Rule, Details: e.Details, Status: info.Status,
	}
	if e.RetryAfter > 0 {
		out.RetryAfterSeconds = int64((e.RetryAfter + time.Second - 1) / time.Second)
	}
	return out
}

// LoginRequest is the body of POST /api/v1/login.
type LoginRequest struct {
	Username string `json:"username"`
	Password string `json:"password"`
	TOTP     string `json:"totp,omitempty"`
}

// LoginResponse answers a successful login.
type LoginResponse struct {
	Token     string    `json:"token"`
	ExpiresAt time.Time `json:"expires_at"`
	Account   Account   `json:"account"`
}

// Account is an account as the API shows it.
type Account struct {
	Username  string     `json:"username"`
	Tier      ferry.Tier `json:"tier"`
	Admin     bool       `json:"admin"`
	Disabled  bool       `json:"disabled"`
	CreatedAt time.Time  `json:"created_at"`
}

// Me is the body of GET /api/v1/me: the caller and what it holds.
type Me struct {
	Account
	StorageBytes int64 `json:"storage_bytes"`
}

// CreateUserRequest is the body of POST /api/v1/admin/users.
type CreateUserRequest struct {
	Username string     `json:"username"`
	Password string     `json:"password"`
	Tier     ferry.Tier `json:"tier"`
	Admin    bool       `json:"admin,omitempty"`
}

// UpdateUserRequest is the body of PATCH /api/v1/admin/users/{name}; absent
// fields are left as they are.
type UpdateUserRequest struct {
	Tier     *ferry.Tier `json:"tier,omitempty"`
	Disabled *bool       `json:"disabled,omitempty"`
	Password *string     `json:"password,omitempty"`
	Admin    *bool       `json:"admin,omitempty"`
}

// Users is the body of GET /api/v1/admin/users.
type Users struct {
	Users []Account `json:"users"`
}

// CreateTransferRequest is the body of POST /api/v1/transfers and of
// POST /api/v1/precheck.
type CreateTransferRequest struct {
	To     []string `json:"to"`
	Name   string   `json:"name"`
	Size   int64    `json:"size"`
	SHA256 string   `json:"sha256,omitempty"`
}

// CreateTransferResponse answers POST /api/v1/transfers with 201. When the
// request declared a SHA-256, Challenge asks for a proof of possession
// (POST …/proof); without a proof, or with a wrong one, the client uploads
// to UploadURL as usual.
type CreateTransferResponse struct {
	ID        string           `json:"id"`
	UploadURL string           `json:"upload_url"`
	Challenge *ferry.Challenge `json:"challenge,omitempty"`
	Transfer  Transfer         `json:"transfer"`
}

// ProofRequest is the body of POST /api/v1/transfers/{id}/proof: the
// lower-case hex SHA-256 over the challenge's byte ranges, concatenated.
type ProofRequest struct {
	SHA256 string `json:"sha256"`
}

// ProofResponse answers a proof. Instant is true when the transfer was
// completed without an upload; otherwise upload to UploadURL. A wrong proof
// and content the server does not hold answer alike.
type ProofResponse struct {
	Instant   bool     `json:"instant"`
	UploadURL string   `json:"upload_url,omitempty"`
	Transfer  Transfer `json:"transfer"`
}

// Transfer is a transfer as the API shows it.
type Transfer struct {
	ID         string      `json:"id"`
	Name       string      `json:"name"`
	Size       int64       `json:"size"`
	SHA256     string      `json:"sha256,omitempty"`
	State      ferry.State `json:"state"`
	Sender     string      `json:"sender"`
	Recipients []Recipient `json:"recipients"`
	Offset     int64       `json:"offset"`
	UploadURL  string      `json:"upload_url,omitempty"`
	Error      *Error      `json:"error,omitempty"`
	CreatedAt  time.Time   `json:"created_at"`
	// UploadExpiresAt is when an unfinished upload is abandoned (2003)
	// unless it makes progress.
	UploadExpiresAt *time.Time `json:"upload_expires_at,omitempty"`
	AvailableAt     *time.Time `json:"available_at,omitempty"`
	ExpiresAt       *time.Time `json:"expires_at,omitempty"`
	// DownloadedAt is the first complete download by any recipient.
	DownloadedAt *time.Time `json:"downloaded_at,omitempty"`
}

// Recipient is one addressee of a transfer.
type Recipient struct {
	Username     string                `json:"username"`
	Status       ferry.RecipientStatus `json:"status"`
	DownloadedAt *time.Time            `json:"downloaded_at,omitempty"`
}

// TransferList is the body of GET /api/v1/inbox and /api/v1/outbox.
// Pass NextCursor as ?cursor= for the next page; "" means no more.
type TransferList struct {
	Transfers  []Transfer `json:"transfers"`
	NextCursor string     `json:"next_cursor,omitempty"`
}

// Codes is the body of GET /api/v1/codes.
type Codes struct {
	Codes []ferry.CodeInfo `json:"codes"`
}

// TimePtr returns nil for the zero time, &t otherwise (UTC).
func TimePtr(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	t = t.UTC()
	return &t
}
