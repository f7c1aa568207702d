package server

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"time"

	"github.com/ferryhq/ferry"
	"github.com/ferryhq/ferry/inspect/archive"
	"github.com/ferryhq/ferry/inspect/clamd"
	"github.com/ferryhq/ferry/inspect/sniff"
	"github.com/ferryhq/ferry/policy"
)

// InspectConfig is the inspect: section of ferry.yaml: how content is
// inspected after its last byte arrived and before anyone can fetch it.
type InspectConfig struct {
	// Archive bounds how archives are opened, recursively: depth, entries,
	// expansion, encryption.
	Archive archive.Config `yaml:"archive"`
	// Clamd is the malware scan; without an address none runs.
	Clamd clamd.Config `yaml:"clamd"`
}

func defaultInspect() InspectConfig {
	return InspectConfig{Archive: archive.DefaultConfig()}
}

// complete fills in defaults and validates; errors name their key.
func (c *InspectConfig) complete() error {
	if err := c.Archive.Validate(); err != nil {
		return err
	}
	return keyError(c.Clamd.Complete())
}

// keyError turns an error that starts with the key it is about
// ("inspect.clamd.max_size: …") into a *policy.PathError, so that the
// loader points at the key's line.
func keyError(err error) error {
	if err == nil {
		return nil
	}
	key, msg, ok := strings.Cut(err.Error(), ": ")
	if !ok || strings.ContainsAny(key, " \t") {
		return err
	}
	return &policy.PathError{Path: key, Msg: msg}
}

// inspection is what a node inspects content with.
type inspection struct {
	inspectors []ferry.Inspector
	clamd      *clamd.Client // nil without a malware scan
	// settings identify the inspectors' configuration in the version.
	settings string
}

// newInspection builds the inspectors of cfg, in the order they run: the
// type check against the name, then the malware scan; then the extra ones
// (tests). It logs what runs, and what does not.
func newInspection(cfg *Config, current func() *policy.Policy, extra []ferry.Inspector, log *slog.Logger) (*inspection, error) {
	in := &inspection{inspectors: []ferry.Inspector{
		&sniff.Inspector{Policy: current},
		&archives{cfg: cfg.Inspect.Archive, policy: current},
	}}
	c := cfg.Inspect.Clamd
	if !c.Enabled() {
		log.Warn("no malware scan: inspect.clamd.address is not set")
	} else {
		client, err := clamd.New(c)
		if err != nil {
			return nil, err
		}
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		if v, err := client.Version(ctx); err != nil {
			log.Warn("clamd is not answering; uploads fail closed (5005) until it does", "address", client.String(), "err", err)
		} else {
			log.Info("malware scan by clamd", "address", client.String(), "version", v)
		}
		cancel()
		in.clamd = client
		in.inspectors = append(in.inspectors, clamd.NewInspector(client, log))
	}
	in.inspectors = append(in.inspectors, extra...)
	b, err := json.Marshal(struct {
		Archive  archive.Config
		Clamd    bool
		MaxSize  ferry.Bytes
		Oversize string
		Extra    int
	}{cfg.Inspect.Archive, c.Enabled(), c.MaxSize, c.Oversize, len(extra)})
	if err != nil {
		return nil, err
	}
	in.settings = string(b)
	return in, nil
}

// archives opens archives within the configured limits and checks every
// entry as a file is checked: its name (1004), its type against the
// policy's blocked types (1003), and its content against its name (1002).
type archives struct {
	cfg    archive.Config
	policy func() *policy.Policy
}

func (a *archives) Inspect(ctx context.Context, f *ferry.File) error {
	p := a.policy()
	in := archive.Inspector{Config: a.cfg, Entry: func(ctx context.Context, e *archive.Entry, r io.Reader) error {
		if e.IsDir || e.IsLink || e.Encrypted || e.Archive != "" {
			return nil
		}
		if fe := p.CheckContent(e.Name, e.Head); fe != nil {
			return fe.With("path", e.Path)
		}
		return nil
	}}
	in.Config.Blocked = p.BlockedTypes
	return in.Inspect(ctx, f)
}

// version names the inspection rules under p: a digest of what the
// verdicts depend on — the type catalogue and blocked types, and the
// inspectors' settings. Content that passed under another version is
// inspected again before it is delivered or shared.
func (in *inspection) version(p *policy.Policy) string {
	h := sha256.New()
	json.NewEncoder(h).Encode(struct {
		Types   policy.Types
		Blocked []string
	}{p.Types, p.BlockedTypes})
	h.Write([]byte(in.settings))
	return "v2-" + hex.EncodeToString(h.Sum(nil)[:12])
}

// ready reports whether the inspectors can work: clamd answers, when it
// is configured (5005 when it does not). Without a malware scan the node
// is ready, and says so ("malware_scan": "disabled"), as its log did at
// start.
func (in *inspection) ready(ctx context.Context) (map[string]string, error) {
	if in.clamd == nil {
		return map[string]string{"malware_scan": "disabled"}, nil
	}
	ctx, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	if err := in.clamd.Ping(ctx); err != nil {
		return nil, ferry.E(ferry.CodeScanUnavailable).WithErr(fmt.Errorf("clamd at %s: %w", in.clamd, err))
	}
	return map[string]string{"malware_scan": "clamd"}, nil
}
