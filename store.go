package ferry

import (
	"context"
	"errors"
	"io"
	"time"
)

// MetaStore keeps ferry's metadata: accounts, sessions, transfers, blobs and
// usage. Implementations (meta/sqlite, meta/postgres) pass the conformance
// suite in meta/metatest.
//
// Errors: a missing record is an *Error with CodeNotFound; a taken username
// is CodeAlreadyExists; a compare-and-set on a state that does not hold is
// CodeStateConflict (with detail "state": the current state). Any other
// failure is wrapped as CodeDatabaseUnavailable with the cause attached.
type MetaStore interface {
	AccountStore
	RiskStore
	TransferStore
	BlobIndex
	AuditStore
	Close() error
}

// AccountStore keeps accounts and their sessions.
type AccountStore interface {
	// CreateAccount inserts a; it sets a.ID. Usernames are unique.
	CreateAccount(ctx context.Context, a *Account) error
	// Account returns the account with that username.
	Account(ctx context.Context, username string) (*Account, error)
	// AccountByID returns the account with that ID.
	AccountByID(ctx context.Context, id int64) (*Account, error)
	// Accounts lists all accounts ordered by username.
	Accounts(ctx context.Context) ([]*Account, error)
	// UpdateAccount stores a's tier, password hash, admin and disabled flags
	// and UpdatedAt.
	UpdateAccount(ctx context.Context, a *Account) error

	// CreateToken stores a session.
	CreateToken(ctx context.Context, t *Token) error
	// Token returns the session whose hash is given, expired or not.
	Token(ctx context.Context, hash []byte) (*Token, error)
	// DeleteToken removes a session; a missing one is not an error.
	DeleteToken(ctx context.Context, hash []byte) error
	// DeleteExpiredTokens removes sessions that expired at or before now.
	DeleteExpiredTokens(ctx context.Context, now time.Time) (int, error)
}

// SessionStore is an optional capability of an AccountStore: reading a
// session and its account at once, as authenticating every request does.
// Session returns the session whose hash is given, expired or not, and its
// account; CodeNotFound when there is no such session.
type SessionStore interface {
	Session(ctx context.Context, hash []byte) (*Token, *Account, error)
}

// TransferStore keeps transfers and their recipients.
type TransferStore interface {
	// CreateTransfer inserts t and its recipients atomically with a check
	// of the sender's usage: inside one transaction that excludes every other
	// CreateTransfer for the same sender (on every node), it computes the
	// sender's Usage as of t.CreatedAt over spans (see Usage) and calls
	// check; when check returns an error nothing is written and that error
	// is returned. This is how concurrent creates can never exceed a quota.
	// Recipients keep their order. check must not call the store. A
	// duplicate ID is CodeAlreadyExists; an unknown sender or recipient
	// account, CodeNotFound.
	CreateTransfer(ctx context.Context, t *Transfer, spans UsageSpans, check func(Usage) error) error
	// Usage returns what the account holds and has sent within UsageWindow
	// before now, and the counts over spans: StorageBytes counts every live
	// transfer of the account; Recent, those created in the window that
	// count (Sent.Counts); Counted, every one created in the spans.
	// What it costs may grow with the transfers it returns and the live
	// ones, but not with the rest of the account's history, nor with how
	// many it counts in a span: a create reads it inside its write
	// transaction, and a busy sender would make each create slower than
	// the last.
	Usage(ctx context.Context, accountID int64, now time.Time, spans UsageSpans) (Usage, error)
	// Transfer returns the transfer with its recipients and sender name.
	Transfer(ctx context.Context, id string) (*Transfer, error)
	// UpdateTransfer stores every mutable field of t (state, error, sha256,
	// upload progress, challenge, and every time but CreatedAt; sender,
	// name, sizes and recipients are fixed at creation) provided the stored
	// state is one of
	// from (any state when from is empty); otherwise it returns
	// CodeStateConflict and writes nothing.
	UpdateTransfer(ctx context.Context, t *Transfer, from ...State) error
	// UpdateRecipient stores r's status and times for transfer id.
	UpdateRecipient(ctx context.Context, id string, r *Recipient) error

	// Inbox lists the transfers addressed to the account that it can fetch
	// (available or downloaded, not declined by it), newest first.
	Inbox(ctx context.Context, accountID int64, page Page) ([]*Transfer, string, error)
	// Outbox lists the transfers the account sent, any state, newest first.
	Outbox(ctx context.Context, accountID int64, page Page) ([]*Transfer, string, error)

	// Due lists up to limit transfers whose time ran out at now: available
	// or downloaded ones whose ExpiresAt passed, and uploading ones whose
	// UploadExpiresAt passed.
	Due(ctx context.Context, now time.Time, limit int) ([]*Transfer, error)
	// InState lists up to limit transfers in state s last updated before
	// the given time, oldest first (to resume work a stopped node left).
	InState(ctx context.Context, s State, updatedBefore time.Time, limit int) ([]*Transfer, error)
}

// Page selects a page of a list: at most Limit items after Cursor, the
// opaque value a previous call returned ("" for the first page).
type Page struct {
	Limit  int
	Cursor string
}

// BlobIndex records which blobs exist and which transfers use them, so that
// content is stored once and deleted when nothing uses it.
//
// A blob is referenced while a live transfer (see LiveStates) carries its
// SHA256. The methods serialise with one another per blob, so that a blob
// being deleted is never handed to a new transfer.
type BlobIndex interface {
	// AttachBlob records b (keeping the existing record, with its Inspected
	// version, when the blob is already known) and stores t, which carries
	// b's SHA256, as UpdateTransfer(t, from...) would, in one transaction.
	AttachBlob(ctx context.Context, t *Transfer, b *Blob, from ...State) error
	// ShareBlob stores t, which carries the SHA256 of a blob that must be
	// recorded with Inspected == inspected, as UpdateTransfer(t, from...)
	// would, in one transaction. A missing blob or another version is
	// CodeNotFound and writes nothing.
	ShareBlob(ctx context.Context, t *Transfer, inspected string, from ...State) error
	// Blob returns the blob record.
	Blob(ctx context.Context, sha256 string) (*Blob, error)
	// MarkInspected sets the blob's Inspected version.
	MarkInspected(ctx context.Context, sha256, version string) error
	// UnreferencedBlobs lists up to limit blobs no live transfer references.
	UnreferencedBlobs(ctx context.Context, limit int) ([]*Blob, error)
	// DeleteBlob deletes the record of an unreferenced blob, calling remove
	// (which deletes the content) while holding the blob exclusively. It
	// returns false, and calls nothing, when the blob is referenced or
	// unknown; when remove fails the record stays and its error is returned.
	// remove must not call the store, and must tolerate running again for
	// the same blob (a failed commit after it leaves the record in place).
	DeleteBlob(ctx context.Context, sha256 string, remove func(context.Context) error) (bool, error)
}

// BlobStore keeps file content: uploads in progress (staged under the
// transfer ID) and finished blobs (addressed by SHA-256). Implementations
// (blob/local, blob/s3) pass the conformance suite in blob/blobtest.
//
// Errors: a missing upload or blob is an *Error with CodeNotFound; any other
// failure is wrapped as CodeStorageUnavailable with the cause attached.
type BlobStore interface {
	// Append writes the bytes of r to upload id, which must hold exactly
	// offset bytes (a fresh upload holds 0); otherwise it returns
	// CodeUploadOffsetConflict with detail "expected" and writes nothing.
	// The size returned is always what the upload holds afterwards, error
	// or not. When r fails (or ctx ends), the bytes read before are kept
	// and durable and r's error is returned unchanged, unless it wraps
	// ErrDiscard: then the upload goes back to offset bytes. Callers
	// serialise Appends to one upload (see transfer.Locker).
	Append(ctx context.Context, id string, offset int64, r io.Reader) (int64, error)
	// UploadSize returns how many bytes upload id holds; 0 for an unknown id.
	UploadSize(ctx context.Context, id string) (int64, error)
	// OpenUpload reads upload id from its first byte.
	OpenUpload(ctx context.Context, id string) (io.ReadCloser, error)
	// Commit makes upload id the blob with the given SHA-256, durably, and
	// removes the upload. When the blob already exists the staged copy is
	// simply removed. The caller has verified the hash.
	Commit(ctx context.Context, id, sha256 string) error
	// DeleteUpload removes upload id; an unknown id is not an error.
	DeleteUpload(ctx context.Context, id string) error

	// Open returns the blob's content and its size. A *os.File is returned
	// where possible so that HTTP responses can use sendfile.
	Open(ctx context.Context, sha256 string) (io.ReadSeekCloser, int64, error)
	// Delete removes a blob; an unknown one is not an error.
	Delete(ctx context.Context, sha256 string) error
}

// ErrDiscard, wrapped into the error of the reader given to
// BlobStore.Append, asks the store to throw away the bytes of that call —
// the tus checksum extension's answer to a damaged chunk.
var ErrDiscard = discardError{}

type discardError struct{}

func (discardError) Error() string { return "discard chunk" }

// BlobLister is the optional capability of a BlobStore to enumerate what it
// holds, so that the sweeper can remove what no record knows.
type BlobLister interface {
	// Blobs calls fn for every blob; stop early by returning an error.
	Blobs(ctx context.Context, fn func(sha256 string, modTime time.Time) error) error
	// Uploads calls fn for every staged upload.
	Uploads(ctx context.Context, fn func(id string, modTime time.Time) error) error
}

// UploadSyncer is the optional capability of a BlobStore to make an
// upload's bytes durable ahead of Commit, so that the wait for the disk
// overlaps with other work (hashing the bytes). Commit stays durable
// without it.
type UploadSyncer interface {
	SyncUpload(ctx context.Context, id string) error
}

// Inspector examines a file after its last byte arrived and before anyone
// can fetch it. It returns nil to pass, an *Error to reject (5xxx, 1002,
// …), and any other error when it could not decide, which fails closed.
type Inspector interface {
	Inspect(ctx context.Context, f *File) error
}

// PerName is the optional capability of an Inspector whose verdict
// depends on the file's name as well as on its content (a type check, a
// keyword in the name): such an inspector runs for every transfer, even of
// content that passed inspection before under another name. The verdicts
// of the others are kept with the content (Blob.Inspected).
type PerName interface {
	PerName() bool
}

// Streamer is the optional capability of an Inspector to judge content as
// its bytes arrive, across the requests of an upload (keyword scanning of
// text): a hit refuses the upload at once, and when the last byte is in,
// a clean verdict is ready without reading the content back. Between two
// requests a stream is saved (Stream.State) with the upload, so that any
// node resumes it. The Inspector still judges the content whole when no
// stream could (a request that outran the stream, rules changed meanwhile,
// content the stream cannot judge).
type Streamer interface {
	Inspector
	// Stream returns a stream over the content of a file from its first
	// byte (state nil) or from where the stream that saved state was; nil
	// when state does not apply (saved under other rules).
	Stream(state []byte) Stream
	// Version names the rules streams judge by now: a clean verdict of a
	// stream under another version does not count.
	Version() string
}

// Stream judges content piece by piece (see Streamer).
type Stream interface {
	// Version names the rules this stream judges by.
	Version() string
	// Write judges the next bytes; a verdict (an *Error) ends the stream,
	// and so does ErrNotJudged: the stream needs no more bytes, and will
	// give no verdict.
	Write(p []byte) error
	// State saves the stream's progress, for a later request to resume.
	State() ([]byte, error)
	// Close ends the content: nil when it passes, its verdict, or
	// ErrNotJudged when the stream could not judge it.
	Close() error
}

// ErrNotJudged is a Stream's Close for content it cannot judge (text in an
// encoding it cannot read piece by piece, say): the Inspector reads it
// whole after its last byte.
var ErrNotJudged = errors.New("ferry: the stream cannot judge this content")

// File is content under inspection.
type File struct {
	Name   string
	Size   int64
	SHA256 string
	// Open reads the content from its first byte; each call opens anew.
	Open func(ctx context.Context) (io.ReadSeekCloser, error)
}
