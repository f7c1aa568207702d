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
// rate checks need it.
type Usage struct {
	// StorageBytes is the declared size of the account's live transfers,
	// uploads in progress included: what is reserved or stored for it.
	StorageBytes int64
	// Recent lists the account's transfers created within UsageWindow
	// before the moment of the check, any state.
	Recent []Sent
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

// UsageWindow is how far back Usage.Recent reaches: the rolling 24 hours.
const UsageWindow = 24 * time.Hour
