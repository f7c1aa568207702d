package ferry

import "time"

// State is where a transfer is in its lifecycle:
//
//	uploading → inspecting → available → downloaded
//
// or one of the ends: rejected (with its error), recalled, declined, expired.
type State string

// The states of a transfer.
const (
	StateUploading  State = "uploading"
	StateInspecting State = "inspecting"
	StateAvailable  State = "available"
	StateDownloaded State = "downloaded"
	StateRejected   State = "rejected"
	StateRecalled   State = "recalled"
	StateDeclined   State = "declined"
	StateExpired    State = "expired"
)

// LiveStates are the states in which a transfer holds storage: its bytes
// count against the sender's quota and its blob must be kept.
var LiveStates = []State{StateUploading, StateInspecting, StateAvailable, StateDownloaded}

// Live reports whether s is one of LiveStates.
func (s State) Live() bool {
	switch s {
	case StateUploading, StateInspecting, StateAvailable, StateDownloaded:
		return true
	}
	return false
}

// Delivered reports whether recipients can see and fetch a transfer in s.
func (s State) Delivered() bool { return s == StateAvailable || s == StateDownloaded }

// Transfer is one file sent by one account to one or more recipients.
type Transfer struct {
	ID         string
	SenderID   int64
	Sender     string // the sender's username; filled in by the store on reads
	Recipients []Recipient

	Network        string // the sender's network at creation (IPv4 /24, IPv6 /64); "" unknown
	Name           string // NFC-normalised, validated file name
	Size           int64  // declared size in bytes
	DeclaredSHA256 string // lower-case hex, "" when the sender declared none
	SHA256         string // lower-case hex of the stored content, set once every byte arrived

	State State
	Error *Error // why it was rejected or ended; nil otherwise

	// Offset is the upload's progress as last recorded, for listings; the
	// blob store's staged size is the truth.
	Offset int64

	// Challenge is the proof-of-possession challenge of an instant transfer.
	Challenge *Challenge

	// UploadState is what runs over the upload's bytes as they arrive —
	// the SHA-256 of the content, the inspectors that judge it piece by
	// piece (see Streamer) — saved between its requests, so that when the
	// last byte is in, the hash and those verdicts are ready without
	// reading the content back (package transfer's encoding; opaque to
	// stores). nil when nothing is saved.
	UploadState []byte

	CreatedAt       time.Time
	UpdatedAt       time.Time
	UploadExpiresAt time.Time // while uploading: abandoned when this passes without progress
	AvailableAt     time.Time // zero until available
	ExpiresAt       time.Time // zero until available; then AvailableAt + the tier's retention
	DownloadedAt    time.Time // zero until the first complete download
}

// Recipient is one addressee of a transfer and their answer.
type Recipient struct {
	AccountID    int64
	Username     string
	Status       RecipientStatus
	DecidedAt    time.Time
	DownloadedAt time.Time
}

// RecipientStatus is a recipient's answer to a transfer.
type RecipientStatus string

// The answers a recipient can give.
const (
	RecipientPending  RecipientStatus = "pending"
	RecipientAccepted RecipientStatus = "accepted"
	RecipientDeclined RecipientStatus = "declined"
)

// Recipient returns the recipient entry of account id, or nil.
func (t *Transfer) Recipient(id int64) *Recipient {
	for i := range t.Recipients {
		if t.Recipients[i].AccountID == id {
			return &t.Recipients[i]
		}
	}
	return nil
}

// Challenge asks a sender who declared a SHA-256 to prove possession of the
// content: the SHA-256 over the concatenation of the given byte ranges.
type Challenge struct {
	Ranges []ByteRange `json:"ranges"`
}

// ByteRange is Length bytes starting at Offset.
type ByteRange struct {
	Offset int64 `json:"offset"`
	Length int64 `json:"length"`
}

// Blob is stored content, addressed by its SHA-256, shared by every transfer
// of the same bytes.
type Blob struct {
	SHA256    string
	Size      int64
	CreatedAt time.Time
	// Inspected is the inspection version (policy and dictionaries) under
	// which the content last passed inspection; "" when it never has. Instant
	// transfer reuses a blob only when this equals the current version.
	Inspected string
}

// Usage is what an account holds and has recently sent, as the quota and
// rate checks need it, as of one moment ("now").
//
// A metadata store answers with the transfers that count towards the
// rolling volume in Recent and with Counted; the checks never need to read
// every transfer of the window, which for a busy sender would make each
// create slower than the last.
type Usage struct {
	// StorageBytes is the declared size of the account's live transfers,
	// uploads in progress included: what is reserved or stored for it.
	StorageBytes int64
	// Recent lists the account's transfers created within UsageWindow
	// before now, oldest first: from a metadata store, those that count
	// towards its volume (Sent.Counts); when Counted is nil, every one, any
	// state.
	Recent []Sent
	// Counted is what the store counted over the short spans it was asked
	// for. Nil when Recent lists every transfer of the window, whatever
	// became of it (a Usage made by hand); the counts are then made from
	// Recent.
	Counted *Counted
	// Latest is, from a metadata store, when the account last created a
	// transfer, if that is after the moment the usage was counted as of
	// (a concurrent create that got there first, or one by a node whose
	// clock is ahead); zero otherwise. Those later transfers are in no
	// count: a create that sees Latest set is checked again as of Latest,
	// or every 24-hour window ending after it could overshoot.
	Latest time.Time
}

// UsageSpans are the short rolling spans, within UsageWindow, that a Usage
// counts an account's new transfers over, whatever became of them: that of
// the burst limit (7001) and that of the session rule (7003). A zero span
// counts nothing.
type UsageSpans struct {
	Burst    time.Duration
	Networks time.Duration
}

// Counted is what a metadata store counted over an account's transfers
// created within the spans of a UsageSpans before now.
type Counted struct {
	// Spans are what was counted over.
	Spans UsageSpans
	// Created is how many transfers were created within Spans.Burst, and
	// FirstCreated when the oldest of them was (zero when none was).
	Created      int
	FirstCreated time.Time
	// Networks are the distinct networks that the transfers created within
	// Spans.Networks were sent from (those with one), sorted.
	Networks []string
}

// Sent is one recently created transfer, as rolling windows see it.
type Sent struct {
	CreatedAt time.Time
	Size      int64
	State     State
	// Code is the code of the transfer's error (2003 for an abandoned
	// upload), 0 when it has none.
	Code Code
	// Network is the sender's network when it created the transfer.
	Network string
}

// Counts reports whether the transfer still uses its sender's rolling
// volume: it does from its creation (the reservation) on, unless it was
// rejected, recalled, or abandoned before its last byte (expired with 2003).
func (s Sent) Counts() bool {
	switch s.State {
	case StateRejected, StateRecalled:
		return false
	case StateExpired:
		return s.Code != CodeUploadStalled
	}
	return true
}

// UsageWindow is how far back Usage.Recent reaches: the rolling 24 hours.
const UsageWindow = 24 * time.Hour
