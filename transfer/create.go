package transfer

import (
	"context"
	"crypto/rand"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"net/netip"
	"strings"
	"time"

	"github.com/ferryhq/ferry"
	"github.com/ferryhq/ferry/policy"
)

// CreateRequest is what a sender declares about a new transfer.
type CreateRequest struct {
	To     []string // recipient usernames
	Name   string   // file name
	Size   int64    // bytes
	SHA256 string   // optional, hex
	Client Client   // who is asking, from where
}

// Client describes the requesting client.
type Client struct {
	Version string     // Ferry-Client-Version; "" for third-party clients
	IP      netip.Addr // after trusted proxies (see policy.ClientIP)
}

// MaxRecipients bounds the recipients of one transfer.
const MaxRecipients = 100

// Create checks a new transfer against every content-free rule, reserves
// the sender's quota and volume atomically and opens its upload. A transfer
// of a declared SHA-256 carries a proof-of-possession challenge (see Prove)
// whether or not the server holds that content, so that the answer reveals
// nothing. An empty file is complete at once. Every decision is audited.
func (s *Service) Create(ctx context.Context, sender *ferry.Account, req CreateRequest) (*ferry.Transfer, error) {
	t, err := s.create(ctx, sender, req)
	s.audit(ctx, ferry.AuditCreate, sender, req, t, err)
	return t, err
}

func (s *Service) create(ctx context.Context, sender *ferry.Account, req CreateRequest) (*ferry.Transfer, error) {
	pol := s.policy()
	facts, err := s.facts(ctx, sender, req)
	if err != nil {
		return nil, err
	}
	if err := policy.Verdict(pol.Evaluate(facts)); err != nil {
		return nil, s.refused(ctx, sender, err)
	}
	sha, err := checkRequest(req)
	if err != nil {
		return nil, err
	}
	recipients, err := s.recipients(ctx, req.To)
	if err != nil {
		return nil, err
	}
	t, err := s.newTransfer(sender, req, facts, recipients, sha)
	if err != nil {
		return nil, err
	}
	if err := s.reserve(ctx, t, pol, &facts); err != nil {
		return nil, s.refused(ctx, sender, err)
	}
	s.log.Debug("transfer created", "id", t.ID, "sender", sender.Username, "size", t.Size)
	if t.Size == 0 {
		return s.completeEmpty(ctx, t)
	}
	return t, nil
}

// reserve stores t with the usage rules checked in the same transaction
// (the other rules passed on the same facts). A create is checked as of
// its CreatedAt, and what its sender created after that moment is in no
// count; so when a concurrent create that read the clock later got there
// first, or a node whose clock is ahead did, t moves to the sender's
// latest creation and is checked again: no 24-hour window and no burst
// span can end up over its limit. Each retry follows a create that was
// stored meanwhile, so a full quota or window ends them.
func (s *Service) reserve(ctx context.Context, t *ferry.Transfer, pol *policy.Policy, facts *policy.Facts) error {
	for {
		var latest time.Time
		err := s.meta.CreateTransfer(ctx, t, pol.UsageSpans(facts.Account.Tier), func(u ferry.Usage) error {
			if u.Latest.After(t.CreatedAt) {
				latest = u.Latest
				return errLater
			}
			facts.Usage = &u
			return policy.Verdict(pol.EvaluateUsage(*facts))
		})
		if !errors.Is(err, errLater) {
			return err
		}
		shift := latest.Sub(t.CreatedAt)
		facts.Now, t.CreatedAt, t.UpdatedAt = latest, latest, latest
		t.UploadExpiresAt = t.UploadExpiresAt.Add(shift)
	}
}

// errLater is reserve's: the sender created a transfer after t.CreatedAt.
var errLater = errors.New("transfer: the sender created a transfer after this one's moment")

// facts gathers what the policy decides a create on, but the usage.
func (s *Service) facts(ctx context.Context, sender *ferry.Account, req CreateRequest) (policy.Facts, error) {
	f := policy.Facts{Now: s.clock.Now(), Account: sender, Name: req.Name, Size: req.Size,
		ClientVersion: req.Client.Version, ClientIP: req.Client.IP, ActiveUploads: int(s.active.Load())}
	if name, err := policy.CleanName(req.Name); err == nil {
		f.Name = name
	}
	if s.risk != nil {
		err := s.risk.CheckSend(ctx, sender)
		if code := ferry.ErrorCode(err); code != 0 && code != ferry.CodeStepUpRequired && code != ferry.CodeAccountRestricted {
			return f, err
		}
		f.Risk = err
	}
	return f, nil
}

func (s *Service) newTransfer(sender *ferry.Account, req CreateRequest, f policy.Facts, to []ferry.Recipient, sha string) (*ferry.Transfer, error) {
	id, err := newID(f.Now)
	if err != nil {
		return nil, err
	}
	now := f.Now
	t := &ferry.Transfer{
		ID: id, SenderID: sender.ID, Sender: sender.Username, Recipients: to, Network: policy.Network(f.ClientIP),
		Name: f.Name, Size: req.Size, DeclaredSHA256: sha, State: ferry.StateUploading,
		CreatedAt: now, UpdatedAt: now, UploadExpiresAt: now.Add(s.cfg.AbandonAfter),
	}
	if sha != "" && req.Size > 0 {
		if t.Challenge, err = newChallenge(req.Size); err != nil {
			return nil, err
		}
	}
	return t, nil
}

// refused passes on a refusal, recording a risk event for the refusals
// that are signs of abuse (bursts, too many networks).
func (s *Service) refused(ctx context.Context, sender *ferry.Account, err error) error {
	switch ferry.ErrorCode(err) {
	case ferry.CodeTooManyUploads:
		s.riskEvent(ctx, sender, "burst")
	case ferry.CodeSessionAnomaly:
		s.riskEvent(ctx, sender, "session_anomaly")
	}
	return err
}

func (s *Service) riskEvent(ctx context.Context, a *ferry.Account, kind string) {
	if s.risk == nil {
		return
	}
	if err := s.risk.RiskEvent(context.WithoutCancel(ctx), a, kind); err != nil {
		s.log.Error("risk event not recorded", "account", a.Username, "kind", kind, "err", err)
	}
}

// checkRequest validates the size and the SHA-256 (8004) and returns the
// lower-case hash.
func checkRequest(req CreateRequest) (string, error) {
	if req.Size < 0 {
		return "", ferry.E(ferry.CodeBadRequest).With("reason", "size must not be negative")
	}
	sha := strings.ToLower(req.SHA256)
	if sha != "" {
		if b, err := hex.DecodeString(sha); err != nil || len(b) != 32 {
			return "", ferry.E(ferry.CodeBadRequest).With("reason", "sha256 must be 64 hexadecimal digits")
		}
	}
	return sha, nil
}

// recipients resolves usernames into recipients: each must exist and not
// be disabled (4004, naming the first that is not).
func (s *Service) recipients(ctx context.Context, to []string) ([]ferry.Recipient, error) {
	seen := map[string]bool{}
	var out []ferry.Recipient
	for _, raw := range to {
		for _, name := range strings.Split(raw, ",") {
			name = strings.TrimSpace(name)
			if name == "" || seen[name] {
				continue
			}
			seen[name] = true
			a, err := s.meta.Account(ctx, name)
			if ferry.ErrorCode(err) == ferry.CodeNotFound || err == nil && a.Disabled {
				return nil, ferry.E(ferry.CodeRecipientUnavailable).WithRule("recipients").With("recipient", name)
			}
			if err != nil {
				return nil, err
			}
			out = append(out, ferry.Recipient{AccountID: a.ID, Username: a.Username, Status: ferry.RecipientPending})
		}
	}
	switch {
	case len(out) == 0:
		return nil, ferry.E(ferry.CodeBadRequest).With("reason", "name at least one recipient")
	case len(out) > MaxRecipients:
		return nil, ferry.E(ferry.CodeBadRequest).With("reason", "at most 100 recipients")
	}
	return out, nil
}

// Challenge sizes: small content is proven whole; larger content by
// challengeRanges random ranges of challengeRangeLen bytes.
const (
	challengeWhole    = 64 << 10
	challengeRanges   = 4
	challengeRangeLen = 16 << 10
)

func newChallenge(size int64) (*ferry.Challenge, error) {
	if size <= challengeWhole {
		return &ferry.Challenge{Ranges: []ferry.ByteRange{{Offset: 0, Length: size}}}, nil
	}
	ch := &ferry.Challenge{}
	var b [8]byte
	for i := 0; i < challengeRanges; i++ {
		if _, err := rand.Read(b[:]); err != nil {
			return nil, ferry.Wrap(ferry.CodeInternal, "transfer: challenge", err)
		}
		off := int64(binary.LittleEndian.Uint64(b[:]) % uint64(size-challengeRangeLen+1))
		ch.Ranges = append(ch.Ranges, ferry.ByteRange{Offset: off, Length: challengeRangeLen})
	}
	return ch, nil
}
