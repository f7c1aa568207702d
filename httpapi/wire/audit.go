package wire

import (
	"time"

	"github.com/ferryhq/ferry"
)

// AuditRecord is one decision of the audit log, as GET /api/v1/admin/audit
// shows it: who (User, the username as given), when, about which file, the
// verdict, and for a refusal its code, the code's name and the rule.
type AuditRecord struct {
	ID         int64          `json:"id"`
	At         time.Time      `json:"at"`
	User       string         `json:"user"`
	Action     string         `json:"action"`
	TransferID string         `json:"transfer_id,omitempty"`
	Name       string         `json:"name,omitempty"`
	Size       int64          `json:"size"`
	Verdict    string         `json:"verdict"`
	Code       ferry.Code     `json:"code"` // 0 when accepted
	CodeName   string         `json:"code_name,omitempty"`
	Rule       string         `json:"rule,omitempty"`
	IP         string         `json:"ip,omitempty"`
	Details    map[string]any `json:"details,omitempty"`
}

// AuditList is the body of GET /api/v1/admin/audit, newest first. Pass
// NextCursor as ?cursor= (with the same filters) for the next page; ""
// means no more.
type AuditList struct {
	Records    []AuditRecord `json:"records"`
	NextCursor string        `json:"next_cursor,omitempty"`
}

// AuditSummary is the body of GET /api/v1/admin/audit/summary: how many
// decisions were made, by UTC day, action, verdict and code.
type AuditSummary struct {
	Counts []AuditCount `json:"counts"`
}

// AuditCount is one line of an AuditSummary. Day is a UTC date
// (2006-01-02); Name is the code's name, "" for code 0 (accepted).
type AuditCount struct {
	Day     string     `json:"day"`
	Action  string     `json:"action"`
	Verdict string     `json:"verdict"`
	Code    ferry.Code `json:"code"`
	Name    string     `json:"name"`
	Count   int64      `json:"count"`
}

// DayLayout is the layout of AuditCount.Day.
const DayLayout = time.DateOnly
