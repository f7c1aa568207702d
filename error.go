package ferry

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"
)

// Error is the one error type of ferry. Every failure that reaches a user —
// a policy rejection, an API misuse, a server fault — is an *Error with a
// stable numeric Code from the catalogue (see Codes). The wrapped cause Err
// and the operation Op are for logs only: they never reach a client.
type Error struct {
	Code Code
	// Rule names the policy rule that fired, e.g. "tiers.free.max_file_size".
	Rule string
	// Details carries the facts a user needs: the limit, the actual value,
	// the extension, … Values of type Bytes render as sizes in messages.
	Details map[string]any
	// RetryAfter says when trying again may succeed; zero when it will not.
	RetryAfter time.Duration
	// Op is the operation that failed, for logs ("transfer: create").
	Op string
	// Err is the underlying cause, for logs. Never shown to clients.
	Err error
}

// E returns a new *Error with the given code.
func E(code Code) *Error { return &Error{Code: code} }

// Wrap returns an *Error with the given code whose cause is err. When err is
// already an *Error it is returned unchanged, so wrapping twice keeps the
// first, most precise code.
func Wrap(code Code, op string, err error) *Error {
	var fe *Error
	if errors.As(err, &fe) {
		return fe
	}
	return &Error{Code: code, Op: op, Err: err}
}

// WithRule sets the rule that fired and returns e.
func (e *Error) WithRule(rule string) *Error { e.Rule = rule; return e }

// With adds a detail and returns e.
func (e *Error) With(key string, value any) *Error {
	if e.Details == nil {
		e.Details = map[string]any{}
	}
	e.Details[key] = value
	return e
}

// WithRetryAfter sets when a retry may succeed and returns e.
func (e *Error) WithRetryAfter(d time.Duration) *Error { e.RetryAfter = d; return e }

// WithOp sets the operation and returns e.
func (e *Error) WithOp(op string) *Error { e.Op = op; return e }

// WithErr sets the internal cause and returns e.
func (e *Error) WithErr(err error) *Error { e.Err = err; return e }

func (e *Error) Error() string {
	var b strings.Builder
	if e.Op != "" {
		b.WriteString(e.Op)
		b.WriteString(": ")
	}
	fmt.Fprintf(&b, "%d %s", e.Code, e.Code.Name())
	if e.Rule != "" {
		fmt.Fprintf(&b, " (rule %s)", e.Rule)
	}
	if e.Err != nil {
		b.WriteString(": ")
		b.WriteString(e.Err.Error())
	}
	return b.String()
}

func (e *Error) Unwrap() error { return e.Err }

// Is reports whether target is an *Error with the same code, so that
// errors.Is(err, ferry.E(ferry.CodeNotFound)) works.
func (e *Error) Is(target error) bool {
	t, ok := target.(*Error)
	return ok && t.Code == e.Code
}

// ErrorCode returns the code of err: the code of the first *Error in its
// chain, CodeInternal for any other error, and 0 for nil.
func ErrorCode(err error) Code {
	if err == nil {
		return 0
	}
	var fe *Error
	if errors.As(err, &fe) {
		if fe == nil { // a nil *Error in an error interface
			return 0
		}
		return fe.Code
	}
	return CodeInternal
}

// AsError returns err as an *Error: the first *Error in its chain, or a
// CodeInternal error wrapping it.
func AsError(err error) *Error {
	var fe *Error
	if errors.As(err, &fe) {
		return fe
	}
	return &Error{Code: CodeInternal, Err: err}
}

// errorRecord is how an *Error is persisted (with a rejected transfer) and
// read back: everything a client may see, nothing internal.
type errorRecord struct {
	Code       Code           `json:"code"`
	Rule       string         `json:"rule,omitempty"`
	Details    map[string]any `json:"details,omitempty"`
	RetryAfter int64          `json:"retry_after_seconds,omitempty"`
}

// EncodeError returns the persistent form of e (nil for nil): code, rule,
// details and retry-after, never the internal cause.
func EncodeError(e *Error) []byte {
	if e == nil {
		return nil
	}
	b, err := json.Marshal(errorRecord{e.Code, e.Rule, e.Details, int64(e.RetryAfter / time.Second)})
	if err != nil { // details that cannot be marshalled: keep the code
		b, _ = json.Marshal(errorRecord{Code: e.Code, Rule: e.Rule})
	}
	return b
}

// DecodeError reads what EncodeError wrote. Empty input gives nil.
func DecodeError(b []byte) (*Error, error) {
	if len(b) == 0 {
		return nil, nil
	}
	var r errorRecord
	if err := json.Unmarshal(b, &r); err != nil {
		return nil, fmt.Errorf("ferry: decode error record: %w", err)
	}
	return &Error{Code: r.Code, Rule: r.Rule, Details: r.Details, RetryAfter: time.Duration(r.RetryAfter) * time.Second}, nil
}
