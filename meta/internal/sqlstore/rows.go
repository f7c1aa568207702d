// Package sqlstore holds what the SQL metadata stores (meta/sqlite,
// meta/postgres) read and write alike: the columns of accounts and
// transfers, how a row becomes a ferry.Account or ferry.Transfer, and how
// times are stored. Their schemas are kept the same where the dialects
// allow, so that one decoding serves both; what differs (placeholders,
// error codes, locking) stays with each store.
package sqlstore

import (
	"encoding/json"
	"fmt"
	"time"

	"github.com/ferryhq/ferry"
)

// Scanner is a row of either driver: *sql.Row, *sql.Rows, pgx.Row.
type Scanner interface {
	Scan(dest ...any) error
}

// Nanos is how a time is stored: Unix nanoseconds (every store keeps
// times to the nanosecond, as the conformance suite checks), 0 for none.
func Nanos(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixNano()
}

// FromNanos reads back what Nanos stored, in UTC.
func FromNanos(n int64) time.Time {
	if n == 0 {
		return time.Time{}
	}
	return time.Unix(0, n).UTC()
}

// AccountCols are the columns ScanAccount reads, of table accounts.
const AccountCols = `id, username, tier, password_hash, admin, disabled, created_at, updated_at`

// ScanAccount reads a row of AccountCols.
func ScanAccount(sc Scanner) (*ferry.Account, error) {
	var (
		a                ferry.Account
		tier             string
		created, updated int64
	)
	if err := sc.Scan(&a.ID, &a.Username, &tier, &a.PasswordHash, &a.Admin, &a.Disabled, &created, &updated); err != nil {
		return nil, err
	}
	a.Tier = ferry.Tier(tier)
	a.CreatedAt, a.UpdatedAt = FromNanos(created), FromNanos(updated)
	return &a, nil
}

// TransferCols are the columns ScanTransfer reads: a transfer t and its
// sender's username (a).
const TransferCols = `t.id, t.sender_id, a.username, t.network, t.name, t.size, t.declared_sha256,
	t.sha256, t.state, t.error, t.upload_offset, t.challenge, t.upload_state,
	t.created_at, t.updated_at, t.upload_expires_at, t.available_at, t.expires_at, t.downloaded_at`

// ScanTransfer reads a row of TransferCols, and then the columns of more.
func ScanTransfer(sc Scanner, more ...any) (*ferry.Transfer, error) {
	var (
		t                 ferry.Transfer
		state             string
		errRec, challenge []byte
		created, updated  int64
		uploadExp, avail  int64
		expires, download int64
	)
	err := sc.Scan(append([]any{&t.ID, &t.SenderID, &t.Sender, &t.Network, &t.Name, &t.Size, &t.DeclaredSHA256,
		&t.SHA256, &state, &errRec, &t.Offset, &challenge, &t.UploadState,
		&created, &updated, &uploadExp, &avail, &expires, &download}, more...)...)
	if err != nil {
		return nil, err
	}
	t.State = ferry.State(state)
	if t.Error, err = ferry.DecodeError(errRec); err != nil {
		return nil, fmt.Errorf("transfer %s: %w", t.ID, err)
	}
	if challenge != nil {
		t.Challenge = new(ferry.Challenge)
		if err := json.Unmarshal(challenge, t.Challenge); err != nil {
			return nil, fmt.Errorf("transfer %s: challenge: %w", t.ID, err)
		}
	}
	t.CreatedAt, t.UpdatedAt = FromNanos(created), FromNanos(updated)
	t.UploadExpiresAt, t.AvailableAt = FromNanos(uploadExp), FromNanos(avail)
	t.ExpiresAt, t.DownloadedAt = FromNanos(expires), FromNanos(download)
	return &t, nil
}

// Challenge is the stored form of a transfer's challenge: JSON text, or
// nil (NULL) for none.
func Challenge(c *ferry.Challenge) (any, error) {
	if c == nil {
		return nil, nil
	}
	b, err := json.Marshal(c)
	if err != nil {
		return nil, fmt.Errorf("challenge: %w", err)
	}
	return string(b), nil
}

// RecipientCols are the columns ScanRecipient reads: a recipient r of
// transfer r.transfer_id and its username (a).
const RecipientCols = `r.transfer_id, r.account_id, a.username, r.status, r.decided_at, r.downloaded_at`

// ScanRecipient reads a row of RecipientCols: the transfer's ID and the
// recipient.
func ScanRecipient(sc Scanner) (string, ferry.Recipient, error) {
	var (
		id, status        string
		r                 ferry.Recipient
		decided, download int64
	)
	if err := sc.Scan(&id, &r.AccountID, &r.Username, &status, &decided, &download); err != nil {
		return "", r, err
	}
	r.Status = ferry.RecipientStatus(status)
	r.DecidedAt, r.DownloadedAt = FromNanos(decided), FromNanos(download)
	return id, r, nil
}
