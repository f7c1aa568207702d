package wire

import (
	"github.com/ferryhq/ferry"
	"github.com/ferryhq/ferry/policy"
)

// Precheck is the body of a POST /api/v1/precheck answer (always 200):
// whether a create would be accepted now, the error it would get, and
// every rule with its outcome.
type Precheck struct {
	Verdict string  `json:"verdict"` // "accepted" or "rejected"
	Error   *Error  `json:"error,omitempty"`
	Checks  []Check `json:"checks"`
}

// Check is the outcome of one rule.
type Check struct {
	Rule    string     `json:"rule"`
	Passed  bool       `json:"passed"`
	Code    ferry.Code `json:"code,omitempty"`
	Name    string     `json:"name,omitempty"`
	Message string     `json:"message,omitempty"`
	Limit   any        `json:"limit,omitempty"`
	Actual  any        `json:"actual,omitempty"`
}

// EffectivePolicy is the body of GET /api/v1/policy: the rules that apply
// to the caller, enough for a client to run the content-free checks
// locally (ferry check).
type EffectivePolicy struct {
	Tier               ferry.Tier         `json:"tier"`
	Limits             *policy.Tier       `json:"limits"`
	Types              policy.Types       `json:"types"`
	BlockedTypes       []string           `json:"blocked_types"`
	MinClientVersion   string             `json:"min_client_version,omitempty"`
	MaintenanceWindows []policy.Window    `json:"maintenance_windows"`
	PeakHours          []policy.PeakHours `json:"peak_hours"`
	MaxNameBytes       int                `json:"max_name_bytes"`
}
