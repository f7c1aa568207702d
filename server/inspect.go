package server

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/ferryhq/ferry"
	"github.com/ferryhq/ferry/inspect/archive"
	"github.com/ferryhq/ferry/inspect/clamd"
	"github.com/ferryhq/ferry/inspect/keywords"
	"github.com/ferryhq/ferry/inspect/office"
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
	// Keywords are the dictionaries of sensitive words; without files none
	// is looked for.
	Keywords keywords.Config `yaml:"keywords"`
}

func defaultInspect() InspectConfig {
	return InspectConfig{Archive: archive.DefaultConfig(), Keywords: keywords.DefaultConfig()}
}

// complete fills in defaults and validates; errors name their key.
func (c *InspectConfig) complete() error {
	if err := c.Archive.Validate(); err != nil {
		return err
	}
	if c.Keywords.Files == nil { // as "files: []" reads
		c.Keywords.Files = []string{}
	}
	if c.Keywords.MaxGap == 0 {
		c.Keywords.MaxGap = keywords.DefaultMaxGap
	}
	if err := c.Keywords.Validate(); err != nil {
		return err
	}
	return keyError(c.Clamd.Complete())
}

// resolve makes the relative paths of the section relative to dir, the
// folder of the configuration file that names them.
func (c *InspectConfig) resolve(dir string) {
	for i, f := range c.Keywords.Files {
		if f != "" && !filepath.IsAbs(f) {
			c.Keywords.Files[i] = filepath.Join(dir, f)
		}
	}
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
	// kw scans names and text for keywords, with the dictionaries of
	// kwSource; nil without dictionaries.
	kw       *keywords.Inspector
	kwMu     sync.Mutex // serialises reloads of kwSource
	kwSource *keywords.Source
	// settings identify the inspectors' configuration in the version.
	settings string
	log      *slog.Logger
}

// newInspection builds the inspectors of cfg, in the order they run: the
// type check against the name, keywords in the name, archives (their
// entries' names, types and text), keywords in text content, then the
// malware scan; then the extra ones (tests). It logs what runs, and what
// does not.
func newInspection(cfg *Config, current func() *policy.Policy, extra []ferry.Inspector, log *slog.Logger) (*inspection, error) {
	in := &inspection{log: log}
	if kc := cfg.Inspect.Keywords; len(kc.Files) > 0 {
		src, err := keywords.Load(kc)
		if err != nil {
			return nil, err
		}
		in.kwSource = src
		in.kw = keywords.NewInspector(src.Matcher(), kc.ShowEntry)
		st := src.Matcher().Stats()
		log.Info("keyword inspection", "files", len(kc.Files), "entries", st.Entries, "allow", st.Allow,
			"version", src.Matcher().Version())
	} else {
		log.Info("no keyword inspection: inspect.keywords.files is empty")
	}
	in.inspectors = []ferry.Inspector{&sniff.Inspector{Policy: current}}
	if in.kw != nil {
		in.inspectors = append(in.inspectors, keywordNames{in.kw})
	}
	in.inspectors = append(in.inspectors, &archives{cfg: cfg.Inspect.Archive, policy: current, kw: in.kw})
	if in.kw != nil {
		in.inspectors = append(in.inspectors, keywordText{in.kw})
	}
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
		Archive   archive.Config
		Clamd     bool
		MaxSize   ferry.Bytes
		Oversize  string
		Extra     int
		ShowEntry bool
	}{cfg.Inspect.Archive, c.Enabled(), c.MaxSize, c.Oversize, len(extra), cfg.Inspect.Keywords.ShowEntry})
	if err != nil {
		return nil, err
	}
	in.settings = string(b)
	return in, nil
}

// reloadKeywords reads the dictionaries again when one of them changed, or
// when cfg lists other files (a reloaded configuration; nil: the same
// files), and puts them in force. It reports whether it did; on an error
// the dictionaries in force stay, and the error says why (file and line).
// Dictionaries cannot be added to a node started without them, nor all
// removed: that takes a restart, as the log says.
func (in *inspection) reloadKeywords(cfg *keywords.Config) (bool, error) {
	in.kwMu.Lock()
	defer in.kwMu.Unlock()
	if in.kwSource == nil {
		if cfg != nil && len(cfg.Files) > 0 {
			return false, fmt.Errorf("inspect.keywords.files: keyword inspection starts with a restart (this node started without dictionaries)")
		}
		return false, nil
	}
	var next *keywords.Source
	var err error
	switch old := in.kwSource.Config(); {
	case cfg != nil && len(cfg.Files) == 0:
		return false, fmt.Errorf("inspect.keywords.files: keyword inspection stops with a restart; the dictionaries in force stay")
	case cfg != nil && (!slices.Equal(cfg.Files, old.Files) || cfg.MaxGap != old.MaxGap):
		next, err = keywords.Load(*cfg)
	default:
		var changed bool
		next, changed, err = in.kwSource.Reload()
		if !changed {
			next = nil
		}
	}
	if err != nil || next == nil {
		return false, err
	}
	in.kwSource = next
	in.kw.SetMatcher(next.Matcher())
	st := next.Matcher().Stats()
	in.log.Info("keyword dictionaries reloaded", "files", len(next.Config().Files), "entries", st.Entries,
		"allow", st.Allow, "version", next.Matcher().Version())
	return true, nil
}

// keywordNames looks for keywords in a file's name: a verdict that
// depends on the name, so it runs for every transfer (ferry.PerName).
type keywordNames struct{ kw *keywords.Inspector }

func (k keywordNames) Inspect(_ context.Context, f *ferry.File) error {
	return k.kw.CheckName(f.Name, keywords.WhereName)
}

func (keywordNames) PerName() bool { return true }

// keywordText looks for keywords in text content (UTF-8, UTF-16 with a
// byte-order mark, GB18030/GBK): UTF-8 text as its bytes arrive, the rest
// after the last byte. Office documents and archives are not text; their
// text is scanned entry by entry (see archives).
type keywordText struct{ kw *keywords.Inspector }

func (k keywordText) Inspect(ctx context.Context, f *ferry.File) error {
	return k.kw.InspectContent(ctx, f)
}

// Stream scans UTF-8 text as it arrives (see ferry.Streamer).
func (k keywordText) Stream(state []byte) ferry.Stream {
	if st := k.kw.Stream(state); st != nil {
		return st
	}
	return nil
}

func (k keywordText) Version() string { return k.kw.Matcher().Version() }

// archives opens archives within the configured limits and checks every
// entry as a file is checked: its name (1004), its type against the
// policy's blocked types (1003), and its content against its name (1002).
// With keyword inspection on, entry names are scanned too (5001 "where"
// is the entry's path), and so is the text of entries: text files, and the
// parts of office documents (docx, xlsx, pptx, odt, …) that hold text.
type archives struct {
	cfg    archive.Config
	policy func() *policy.Policy
	kw     *keywords.Inspector // nil: no keyword inspection
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
		if a.kw == nil {
			return nil
		}
		if err := a.kw.CheckName(e.Name, e.Path); err != nil {
			return err
		}
		switch {
		case office.TextPart(e.Name):
			return a.kw.ScanText(ctx, office.NewTextReader(r), e.Path)
		case policy.LooksLikeText(e.Head):
			return a.kw.ScanText(ctx, r, e.Path)
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
	if in.kw != nil {
		h.Write([]byte(in.kw.Matcher().Version()))
	}
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
