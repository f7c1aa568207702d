package clamd

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"time"

	"github.com/ferryhq/ferry"
)

// Inspector is the ferry.Inspector that has clamd scan every file.
type Inspector struct {
	client *Client
	log    *slog.Logger
}

var _ ferry.Inspector = (*Inspector)(nil)

// RetryAfter is when a sender may try again after clamd failed (5005).
const RetryAfter = time.Minute

// Rule is the rule of every verdict of the Inspector but the size limit,
// whose rule is RuleMaxSize.
const (
	Rule        = "inspect.clamd"
	RuleMaxSize = "inspect.clamd.max_size"
)

// NewInspector returns an Inspector scanning with c. log (nil for none)
// records the files that Oversize "skip" lets through unscanned.
func NewInspector(c *Client, log *slog.Logger) *Inspector {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Inspector{client: c, log: log}
}

// Inspect scans f with clamd. It passes only a file that clamd answered
// "stream: OK" for. Its verdicts (rule inspect.clamd, detail "signature":
// what clamd reported):
//
//   - 5002 MALWARE_DETECTED for a signature;
//   - 5004 ARCHIVE_ENCRYPTED for Heuristics.Encrypted.* (AlertEncrypted:
//     an encrypted archive or PDF clamd could not look into);
//   - 5003 ARCHIVE_LIMIT for Heuristics.Limits.Exceeded.* (AlertExceedsMax:
//     clamd's MaxScanSize, MaxFiles, MaxRecursion, … — bombs and deep
//     nesting; detail "limit_name" names the clamd limit), except these two:
//   - 5005 SCAN_UNAVAILABLE, retryable after RetryAfter, for
//     Heuristics.Limits.Exceeded.MaxScanTime (clamd timed out) and .MaxFileSize
//     (the file itself is over clamd's MaxFileSize: clamd is set up below
//     inspect.clamd.max_size), and for every failure: clamd down, an error,
//     a timeout, a cut stream, a reply that is not exactly clamd's. The
//     cause is attached for logs only.
//
// A file larger than MaxSize is not sent: with Oversize "reject" it is
// 5005 with rule inspect.clamd.max_size and details "limit" and "actual"
// (not retryable: it will not get smaller); with "skip" it passes,
// unscanned, and a warning is logged.
func (in *Inspector) Inspect(ctx context.Context, f *ferry.File) error {
	cfg := in.client.cfg
	if f.Size > int64(cfg.MaxSize) {
		if cfg.Oversize == OversizeSkip {
			in.log.Warn("clamd: file larger than inspect.clamd.max_size delivered without a malware scan (inspect.clamd.oversize: skip)",
				"sha256", f.SHA256, "size", f.Size, "max_size", int64(cfg.MaxSize))
			return nil
		}
		return ferry.E(ferry.CodeScanUnavailable).WithRule(RuleMaxSize).
			With("limit", cfg.MaxSize).With("actual", ferry.Bytes(f.Size)).
			WithErr(fmt.Errorf("clamd: %v is over inspect.clamd.max_size %v (inspect.clamd.oversize: reject)", ferry.Bytes(f.Size), cfg.MaxSize))
	}
	// The timeout covers reading the content too: a stalled blob store
	// must not hold the scan past it.
	ctx, cancel := context.WithTimeout(ctx, cfg.Timeout)
	defer cancel()
	rc, err := f.Open(ctx)
	if err != nil {
		return unavailable(fmt.Errorf("clamd: open the content: %w", err))
	}
	defer rc.Close()
	r := &counter{r: rc}
	res, err := in.client.Scan(ctx, r)
	if err != nil {
		return unavailable(err)
	}
	if res.Clean() && r.n != f.Size { // what was scanned is not the file
		return unavailable(fmt.Errorf("clamd: scanned %d bytes of a %d-byte file", r.n, f.Size))
	}
	return verdict(res)
}

// counter counts the bytes read through it.
type counter struct {
	r io.Reader
	n int64
}

func (c *counter) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}

func unavailable(cause error) *ferry.Error {
	return ferry.E(ferry.CodeScanUnavailable).WithRule(Rule).WithErr(cause).WithRetryAfter(RetryAfter)
}

// verdict maps clamd's result to ferry's answer.
func verdict(res Result) error {
	sig := res.Signature
	switch limit, exceeded := strings.CutPrefix(sig, "Heuristics.Limits.Exceeded."); {
	case res.Clean():
		return nil
	case strings.HasPrefix(sig, "Heuristics.Encrypted."):
		return ferry.E(ferry.CodeArchiveEncrypted).WithRule(Rule).With("signature", sig)
	case exceeded && limit == "MaxScanTime":
		return unavailable(fmt.Errorf("clamd: over its MaxScanTime: %s", sig)).With("signature", sig)
	case exceeded && limit == "MaxFileSize":
		return unavailable(fmt.Errorf("clamd: over its MaxFileSize, which should be at least inspect.clamd.max_size: %s", sig)).With("signature", sig)
	case exceeded:
		return ferry.E(ferry.CodeArchiveLimit).WithRule(Rule).With("signature", sig).With("limit_name", limit)
	}
	return ferry.E(ferry.CodeMalwareDetected).WithRule(Rule).With("signature", sig)
}
