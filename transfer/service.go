package transfer

import (
	"context"
	"crypto/rand"
	"encoding/base32"
	"log/slog"
	"strings"
	"sync/atomic"
	"time"

	"github.com/ferryhq/ferry"
	"github.com/ferryhq/ferry/policy"
)

// Config tunes the lifecycle. The zero value of a field takes its default.
type Config struct {
	// AbandonAfter is how long an upload may make no progress before the
	// sweeper abandons it (2003 UPLOAD_STALLED) and frees its reservation.
	// Default 24h.
	AbandonAfter time.Duration
	// HashAfter hashes an upload once its last byte is in, reading it back,
	// rather than as its bytes arrive. Reading back is cheap from a local
	// disk's page cache, and hashing beside the write costs a fast client
	// (one on the same machine or LAN) CPU that the write would use; from
	// an object store reading back costs a second transfer of every byte.
	HashAfter bool
	// InspectVersion names the inspection rules when Options.InspectVersion
	// is nil; default "1".
	InspectVersion string
	// LockWait is how long a request that takes over an upload waits for
	// the previous writer to let go. Default 10s.
	LockWait time.Duration
	// OrphanGrace is how old a staged upload or blob without a record must
	// be before the sweeper removes it. Default 1h.
	OrphanGrace time.Duration
	// VerdictWait is how long the request that brings an upload's last
	// byte waits for the verdict (available or rejected) before answering
	// that the transfer is still inspecting. Default 2s; negative: never.
	VerdictWait time.Duration
	// VerdictWaitMaxSize: larger uploads are acknowledged at once, without
	// waiting for the verdict, as their commit and inspection take longer.
	// Default 64 MiB.
	VerdictWaitMaxSize int64
}

// Service runs the lifecycle. It is safe for concurrent use.
type Service struct {
	meta       ferry.MetaStore
	blobs      ferry.BlobStore
	policy     func() *policy.Policy
	clock      ferry.Clock
	inspectors []ferry.Inspector
	streamer   ferry.Streamer // the first inspector that judges content as it arrives; nil: none
	locks      Locker
	cfg        Config
	log        *slog.Logger
	settling   settling
	risk       RiskChecker
	auditor    ferry.Auditor
	version    func() string
	active     atomic.Int64 // uploads being received by this node
}

// Options are the parts a Service is made of.
type Options struct {
	Meta   ferry.MetaStore
	Blobs  ferry.BlobStore
	Policy func() *policy.Policy
	Clock  ferry.Clock
	// Inspectors run in order on every new content; none is a valid setup.
	Inspectors []ferry.Inspector
	// Locks serialises writers of one upload; nil means this process only.
	Locks  Locker
	Config Config
	Log    *slog.Logger
	// Risk is the account risk control; nil checks nothing.
	Risk RiskChecker
	// Audit records every decision; nil records nothing.
	Audit ferry.Auditor
	// InspectVersion names the inspection rules in force (the policy's
	// catalogue, the inspectors' settings, the dictionaries); it is called
	// for every decision, so that a reload takes effect at once. A blob
	// that passed under another version is inspected again before it is
	// delivered or shared by instant transfer. Nil: Config.InspectVersion.
	InspectVersion func() string
}

// New returns a Service.
func New(o Options) *Service {
	c := o.Config
	if c.AbandonAfter <= 0 {
		c.AbandonAfter = 24 * time.Hour
	}
	if c.InspectVersion == "" {
		c.InspectVersion = "1"
	}
	if c.LockWait <= 0 {
		c.LockWait = 10 * time.Second
	}
	if c.OrphanGrace <= 0 {
		c.OrphanGrace = time.Hour
	}
	if c.VerdictWait == 0 {
		c.VerdictWait = 2 * time.Second
	}
	if c.VerdictWaitMaxSize == 0 {
		c.VerdictWaitMaxSize = 64 << 20
	}
	if o.Locks == nil {
		o.Locks = NewMemLocker(c.LockWait)
	}
	if o.Clock == nil {
		o.Clock = ferry.SystemClock{}
	}
	if o.Log == nil {
		o.Log = slog.New(slog.DiscardHandler)
	}
	if o.InspectVersion == nil {
		v := c.InspectVersion
		o.InspectVersion = func() string { return v }
	}
	var streamer ferry.Streamer
	for _, in := range o.Inspectors {
		if st, ok := in.(ferry.Streamer); ok {
			streamer = st
			break
		}
	}
	return &Service{meta: o.Meta, blobs: o.Blobs, policy: o.Policy, clock: o.Clock, streamer: streamer,
		inspectors: o.Inspectors, locks: o.Locks, cfg: c, log: o.Log, risk: o.Risk, auditor: o.Audit,
		version: o.InspectVersion}
}

// Config returns the effective configuration, defaults filled in.
func (s *Service) Config() Config { return s.cfg }

// newID returns a new transfer ID: 128 bits, 26 lower-case base32
// characters, safe in URLs and file names. The first 48 bits are the
// milliseconds of now, the other 80 random (as in UUIDv7): IDs made at
// about the same time sort together, so that the transfers a store
// inserts at once share index pages instead of each dirtying a random
// one. An ID grants nothing: every use checks the caller's account.
func newID(now time.Time) (string, error) {
	b := make([]byte, 16)
	if _, err := rand.Read(b[6:]); err != nil {
		return "", ferry.Wrap(ferry.CodeInternal, "transfer: id", err)
	}
	ms := uint64(now.UnixMilli())
	for i := 5; i >= 0; i-- {
		b[i], ms = byte(ms), ms>>8
	}
	return strings.ToLower(base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(b)), nil
}

// retention returns how long a delivered transfer of sender stays.
func (s *Service) retention(sender *ferry.Account) time.Duration {
	if t := s.policy().Tier(sender.Tier); t != nil {
		return time.Duration(t.Retention)
	}
	return time.Duration(policy.Default().Tiers[ferry.TierFree].Retention)
}

// stateError explains why a transfer in its current state cannot do what
// was asked.
func stateError(t *ferry.Transfer) *ferry.Error {
	switch t.State {
	case ferry.StateExpired:
		if t.Error != nil && t.Error.Code == ferry.CodeUploadStalled {
			e := *t.Error // with its details: how long it stalled
			return &e
		}
		return ferry.E(ferry.CodeTransferExpired)
	case ferry.StateRecalled, ferry.StateDeclined:
		return ferry.E(ferry.CodeTransferGone).With("state", string(t.State))
	}
	return ferry.E(ferry.CodeStateConflict).With("state", string(t.State))
}

// reload returns the transfer as stored now, for answering after a
// compare-and-set lost a race.
func (s *Service) reload(ctx context.Context, id string) (*ferry.Transfer, error) {
	return s.meta.Transfer(ctx, id)
}
