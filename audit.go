package ferry

import (
	"context"
	"time"
)

// Actions of the audit log: the decisions ferry records.
const (
	AuditCreate   = "create"   // a transfer create, accepted or refused
	AuditPrecheck = "precheck" // a pre-check's verdict
	AuditUpload   = "upload"   // an upload's final verdict (available or rejected)
	AuditLogin    = "login"    // a login (failures at least)
	AuditDownload = "download" // a download completed
	AuditRecall   = "recall"   // a sender's recall
	AuditRisk     = "risk"     // a change of an account's risk level
)

// Verdicts of the audit log. A decision that refused carries the refusal's
// Code; one that accepted carries Code 0.
const (
	VerdictAccepted = "accepted"
	VerdictRejected = "rejected"
)

// AuditRecord is one decision of the audit log: who, when, about which
// file, with what verdict, and which rule decided.
type AuditRecord struct {
	// ID is set by the store, increasing in the order records are stored.
	ID int64
	At time.Time
	// AccountID is 0 when the account is unknown (a login under a name
	// that does not exist); Account is the username as given.
	AccountID int64
	Account   string
	// Action is one of the Audit… constants.
	Action     string
	TransferID string
	Name       string
	Size       int64
	// Verdict is VerdictAccepted, VerdictRejected, or another word an
	// action needs (a risk change may say "level 2").
	Verdict string
	// Code is the code of a refusal, 0 when accepted.
	Code Code
	// Rule names the policy rule that decided, e.g. "tiers.free.types".
	Rule string
	// IP is the client's address as the node saw it (after trusted
	// proxies), "" when unknown.
	IP string
	// Details are further facts, stored as JSON: numbers read back as
	// float64, as they do from an Error's details.
	Details map[string]any
}

// AuditQuery selects records of the audit log. Zero fields select all.
type AuditQuery struct {
	// Since (inclusive) and Until (exclusive) bound At.
	Since, Until time.Time
	// Account is a username.
	Account string
	Action  string
	Verdict string
	Code    Code
	Page    Page
}

// AuditCount is one line of an audit summary: how many decisions of an
// action with a verdict and a code were made on a day.
type AuditCount struct {
	// Day is the UTC date, as midnight UTC.
	Day     time.Time
	Action  string
	Verdict string
	Code    Code
	Count   int64
}

// Auditor takes decisions for the audit log (audit.Recorder is one). Record
// must not block for long: it is called on the request path.
type Auditor interface {
	Record(rec *AuditRecord)
}

// AuditStore keeps the audit log. Records are appended, never changed.
type AuditStore interface {
	// AppendAudit stores recs in one transaction, all or none, and sets
	// their IDs. Details that cannot be encoded as JSON are stored as
	// text rather than refused, so that a record can always be stored.
	AppendAudit(ctx context.Context, recs []*AuditRecord) error
	// Audit lists the records q selects, newest first (by At, then by ID),
	// keyset-paginated as Outbox is: a malformed cursor is CodeBadRequest.
	Audit(ctx context.Context, q AuditQuery) ([]*AuditRecord, string, error)
	// AuditSummary counts the records with since <= At < until (a zero
	// bound is open) by UTC day, action, verdict and code, ordered by
	// day, action, verdict, code.
	AuditSummary(ctx context.Context, since, until time.Time) ([]AuditCount, error)
}
