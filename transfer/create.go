package transfer

import (
	"context"
	"crypto/rand"
	"encoding/binary"
	"encoding/hex"
	"strings"

	"github.com/ferryhq/ferry"
	"github.com/ferryhq/ferry/policy"
)

// CreateRequest is what a sender declares about a new transfer.
type CreateRequest struct {
	To     []string // recipient usernames
	Name   string   // file name
	Size   int64    // bytes
	SHA256 string   // optional, hex
}

// MaxRecipients bounds the recipients of one transfer.
const MaxRecipients = 100

// Create checks a new transfer against every content-free rule, reserves
// the sender's quota and opens its upload. A transfer of a declared SHA-256
// carries a proof-of-possession challenge (see Prove) whether or not the
// server holds that content, so that the answer reveals nothing. An empty
// file is complete at once.
func (s *Service) Create(ctx context.Context, sender *ferry.Account, req CreateRequest) (*ferry.Transfer, error) {
	name, sha, err := checkRequest(req)
	if err != nil {
		return nil, err
	}
	pol := s.policy()
	now := s.clock.Now()
	facts := policy.Facts{Now: now, Account: sender, Name: name, Size: req.Size}
	if err := policy.Verdict(pol.Evaluate(facts)); err != nil {
		return nil, err
	}
	recipients, err := s.recipients(ctx, req.To)
	if err != nil {
		return nil, err
	}
	id, err := newID()
	if err != nil {
		return nil, err
	}
	t := &ferry.Transfer{
		ID: id, SenderID: sender.ID, Sender: sender.Username, Recipients: recipients,
		Name: name, Size: req.Size, DeclaredSHA256: sha, State: ferry.StateUploading,
		CreatedAt: now, UpdatedAt: now, UploadExpiresAt: now.Add(s.cfg.AbandonAfter),
	}
	if sha != "" && req.Size > 0 {
		if t.Challenge, err = newChallenge(req.Size); err != nil {
			return nil, err
		}
	}
	err = s.meta.CreateTransfer(ctx, t, func(u ferry.Usage) error {
		facts.Usage = &u
		return policy.Verdict(pol.Evaluate(facts))
	})
	if err != nil {
		return nil, err
	}
	s.log.Info("transfer created", "id", t.ID, "sender", sender.Username, "size", t.Size)
	if t.Size == 0 {
		return s.completeEmpty(ctx, t)
	}
	return t, nil
}

// checkRequest validates the shape of a request: the name (1004), the size
// and the SHA-256 (8004). It returns the clean name and lower-case hash.
func checkRequest(req CreateRequest) (string, string, error) {
	name, err := policy.CleanName(req.Name)
	if err != nil {
		return "", "", err
	}
	if req.Size < 0 {
		return "", "", ferry.E(ferry.CodeBadRequest).With("reason", "size must not be negative")
	}
	sha := strings.ToLower(req.SHA256)
	if sha != "" {
		if b, err := hex.DecodeString(sha); err != nil || len(b) != 32 {
			return "", "", ferry.E(ferry.CodeBadRequest).With("reason", "sha256 must be 64 hexadecimal digits")
		}
	}
	return name, sha, nil
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
