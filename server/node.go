package server

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/ferryhq/ferry"
	"github.com/ferryhq/ferry/account"
	"github.com/ferryhq/ferry/audit"
	"github.com/ferryhq/ferry/blob/local"
	"github.com/ferryhq/ferry/blob/s3"
	"github.com/ferryhq/ferry/httpapi"
	"github.com/ferryhq/ferry/meta/postgres"
	"github.com/ferryhq/ferry/meta/sqlite"
	"github.com/ferryhq/ferry/metrics"
	"github.com/ferryhq/ferry/policy"
	"github.com/ferryhq/ferry/transfer"
)

// Node is one running ferry node: its stores, services and HTTP API.
type Node struct {
	Config    *Config
	Meta      ferry.MetaStore
	Blobs     ferry.BlobStore
	Accounts  *account.Service
	Transfers *transfer.Service
	API       *httpapi.API
	Log       *slog.Logger
	// Audit records every decision into Meta's audit log.
	Audit *audit.Recorder
	// Metrics counts the decisions recorded into Audit, served by the API
	// at GET /metrics.
	Metrics      *metrics.Metrics
	policy       policyHolder
	inspection   *inspection
	closeTimeout time.Duration
	pgLocks      *postgres.Locker // nil but on PostgreSQL
}

// Options are what tests inject into a node.
type Options struct {
	Clock ferry.Clock  // default: the wall clock
	Log   *slog.Logger // default: from cfg.Log, to stderr
	// Inspectors run after the configured ones (tests add their own).
	Inspectors []ferry.Inspector
	// CloseTimeout bounds how long Close waits for the audit log to be
	// stored; default 10s. What is left then is logged.
	CloseTimeout time.Duration
}

// Open opens the stores named in cfg and builds the services over them.
func Open(cfg *Config, o Options) (*Node, error) {
	if o.Clock == nil {
		o.Clock = ferry.SystemClock{}
	}
	if o.Log == nil {
		o.Log = newLogger(cfg.Log, os.Stderr)
	}
	if err := os.MkdirAll(cfg.Data, 0o700); err != nil {
		return nil, fmt.Errorf("data folder: %w", err)
	}
	meta, locks, err := openMeta(cfg)
	if err != nil {
		return nil, fmt.Errorf("metadata: %w", err)
	}
	closeMeta := func() {
		if locks != nil {
			locks.Close()
		}
		meta.Close()
	}
	blobs, err := openBlobs(cfg)
	if err != nil {
		closeMeta()
		return nil, fmt.Errorf("blobs: %w", err)
	}
	if o.CloseTimeout <= 0 {
		o.CloseTimeout = 10 * time.Second
	}
	n := &Node{Config: cfg, Meta: meta, Blobs: blobs, Log: o.Log, closeTimeout: o.CloseTimeout, pgLocks: locks}
	current := n.policy.current
	if n.inspection, err = newInspection(cfg, current, o.Inspectors, o.Log); err != nil {
		closeMeta()
		return nil, fmt.Errorf("inspect: %w", err)
	}
	var locker transfer.Locker // one process: transfer's own
	if locks != nil {
		locker = locks
	}
	n.put(cfg.Policy)
	n.Audit = audit.NewRecorder(meta, o.Log, audit.Options{Clock: o.Clock})
	n.Metrics = metrics.New()
	n.Metrics.AuditLog(n.Audit)
	switch s := meta.(type) {
	case *sqlite.Store:
		n.Metrics.SQLiteWriter(s)
	case *postgres.Store:
		n.Metrics.PostgresPool(s)
	}
	auditor := n.Metrics.Auditor(n.Audit)
	n.Accounts = account.New(meta, o.Clock, account.Config{
		TokenTTL:  time.Duration(cfg.Auth.TokenTTL),
		ValidTier: func(t ferry.Tier) bool { return current().Tier(t) != nil },
		Risk:      func() account.RiskPolicy { return riskPolicy(current()) },
		Audit:     auditor,
	})
	n.Transfers = transfer.New(transfer.Options{
		Meta: meta, Blobs: blobs, Policy: current, Clock: o.Clock, Log: o.Log, Inspectors: n.inspection.inspectors,
		Risk: n.Accounts, Audit: auditor, InspectVersion: n.policy.version, Locks: locker,
		Config: transfer.Config{
			AbandonAfter:       time.Duration(cfg.Uploads.AbandonAfter),
			OrphanGrace:        time.Duration(cfg.Sweeper.OrphanGrace),
			VerdictWait:        time.Duration(cfg.Uploads.VerdictWait),
			VerdictWaitMaxSize: int64(cfg.Uploads.VerdictWaitMaxSize),
			LockWait:           time.Duration(cfg.Uploads.LockWait),
			HashAfter:          cfg.Uploads.Hash == "after" || cfg.Uploads.Hash == "auto" && cfg.Blobs.Driver != "s3",
		},
	})
	n.API = httpapi.New(httpapi.Options{Accounts: n.Accounts, Transfers: n.Transfers, Policy: current, Log: o.Log,
		Audit: meta, Auditor: auditor, Ready: n.inspection.ready, Redirect: redirector(cfg, blobs),
		Metrics: n.Metrics.Handler()})
	return n, nil
}

// riskPolicy is the policy's risk section as account risk control takes it.
func riskPolicy(p *policy.Policy) account.RiskPolicy {
	r := p.Risk
	return account.RiskPolicy{LoginFailures: r.LoginFailures, StepUpCooldown: time.Duration(r.StepUpCooldown),
		MaxEvents: r.MaxEvents, RestrictFor: time.Duration(r.RestrictFor)}
}

// Close waits for background commits and inspections, then closes the
// stores.
func (n *Node) Close() error {
	n.Transfers.Wait()
	ctx, cancel := context.WithTimeout(context.Background(), n.closeTimeout)
	defer cancel()
	if err := n.Audit.Close(ctx); err != nil {
		n.Log.Error("audit log not flushed", "err", err)
	}
	if n.pgLocks != nil {
		n.pgLocks.Close()
	}
	return n.Meta.Close()
}

// openMeta opens the metadata store of cfg and, on PostgreSQL, the locker
// that gives one node at a time the right to write an upload.
func openMeta(cfg *Config) (ferry.MetaStore, *postgres.Locker, error) {
	if cfg.Metadata.Driver != "postgres" {
		s, err := sqlite.Open(cfg.MetadataPath())
		if err != nil {
			return nil, nil, err
		}
		return s, nil, nil
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	s, err := postgres.Open(ctx, cfg.Metadata.DSN)
	if err != nil {
		return nil, nil, err
	}
	locks, err := s.Locker(ctx, time.Duration(cfg.Uploads.LockWait))
	if err != nil {
		s.Close()
		return nil, nil, err
	}
	return s, locks, nil
}

// openBlobs opens the blob store of cfg.
func openBlobs(cfg *Config) (ferry.BlobStore, error) {
	if cfg.Blobs.Driver != "s3" {
		return local.Open(cfg.BlobsPath())
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	b := cfg.Blobs
	return s3.Open(ctx, s3.Config{Endpoint: b.Endpoint, Region: b.Region, Bucket: b.Bucket,
		AccessKey: b.AccessKey, SecretKey: b.SecretKey, PathStyle: b.PathStyle, Prefix: b.Prefix,
		PartSize: int64(b.PartSize), TempDir: b.TempDir})
}

// redirector returns how downloads are redirected to the blob store
// (blobs.download: redirect), or nil when ferry serves the bytes.
func redirector(cfg *Config, blobs ferry.BlobStore) func(context.Context, string, string) (string, error) {
	ps, ok := blobs.(*s3.Store)
	if !ok || cfg.Blobs.Download != "redirect" {
		return nil
	}
	ttl := time.Duration(cfg.Blobs.RedirectTTL)
	return func(ctx context.Context, sum, name string) (string, error) {
		u, err := ps.PresignGet(ctx, sum, ttl, name)
		if err != nil {
			return "", err
		}
		return u.String(), nil
	}
}

// Migrate applies the metadata store's migrations that it has not seen
// (Open does too): `ferry migrate`, before nodes of a new version start.
// It reports the store it migrated.
func Migrate(ctx context.Context, cfg *Config) (string, error) {
	if cfg.Metadata.Driver == "postgres" {
		s, err := postgres.Open(ctx, cfg.Metadata.DSN)
		if err != nil {
			return "", err
		}
		return "postgres", s.Close()
	}
	if err := os.MkdirAll(filepath.Dir(cfg.MetadataPath()), 0o700); err != nil {
		return "", err
	}
	s, err := sqlite.Open(cfg.MetadataPath())
	if err != nil {
		return "", err
	}
	return cfg.MetadataPath(), s.Close()
}

// Bootstrap creates the administrator on first start, with the password in
// FERRY_ADMIN_PASSWORD or a random one, which it prints to out once.
func (n *Node) Bootstrap(ctx context.Context, out io.Writer) error {
	fromEnv := os.Getenv("FERRY_ADMIN_PASSWORD")
	pw, err := n.Accounts.Bootstrap(ctx, fromEnv)
	if err != nil {
		return fmt.Errorf("create admin: %w", err)
	}
	switch {
	case pw != "" && fromEnv == "":
		fmt.Fprintf(out, "created account admin with password: %s\n(shown once; sign in with `ferry login --user admin` and change it)\n", pw)
	case pw != "":
		fmt.Fprintln(out, "created account admin with the password from FERRY_ADMIN_PASSWORD")
	}
	return nil
}

// Run starts a node with cfg and serves until ctx is done. It prints the
// address it listens on (useful with port 0), and the admin password when
// it creates the admin account, to out.
func Run(ctx context.Context, cfg *Config, out io.Writer) error {
	n, err := Open(cfg, Options{})
	if err != nil {
		return err
	}
	defer n.Close()
	if err := n.Bootstrap(ctx, out); err != nil {
		return err
	}
	ln, err := net.Listen("tcp", cfg.Listen)
	if err != nil {
		return fmt.Errorf("listen: %w", err)
	}
	srv := &http.Server{Handler: n.API, ReadHeaderTimeout: 30 * time.Second, IdleTimeout: 2 * time.Minute,
		ErrorLog: slog.NewLogLogger(n.Log.Handler(), slog.LevelWarn)}
	fmt.Fprintf(out, "ferry listening on http://%s (data in %s)\n", ln.Addr(), cfg.Data)
	n.Log.Info("serving", "addr", ln.Addr().String(), "metadata", cfg.Metadata.Driver, "blobs", cfg.Blobs.Driver)

	sweepCtx, stopSweeper := context.WithCancel(ctx)
	defer stopSweeper()
	go n.sweepLoop(sweepCtx)
	hup := make(chan os.Signal, 1)
	signal.Notify(hup, syscall.SIGHUP)
	defer signal.Stop(hup)
	tick := time.NewTicker(2 * time.Second)
	defer tick.Stop()
	go n.watchPolicy(sweepCtx, tick.C, hup, nil)

	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	shutdown, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutdown); err != nil && !errors.Is(err, context.DeadlineExceeded) {
		return err
	}
	return nil
}

// sweepLoop sweeps every Sweeper.Interval and looks for orphans every
// Sweeper.OrphanInterval, until ctx is done.
func (n *Node) sweepLoop(ctx context.Context) {
	tick := time.NewTicker(time.Duration(n.Config.Sweeper.Interval))
	defer tick.Stop()
	lastOrphans := time.Now()
	for {
		rep, err := n.Transfers.Sweep(ctx)
		if err != nil && ctx.Err() == nil {
			n.Log.Error("sweep failed", "err", err)
		} else if rep != (transfer.SweepReport{}) {
			n.Log.Info("swept", "expired", rep.Expired, "abandoned", rep.Abandoned, "blobs", rep.Blobs, "tokens", rep.Tokens, "resumed", rep.Resumed)
		}
		if time.Since(lastOrphans) >= time.Duration(n.Config.Sweeper.OrphanInterval) {
			lastOrphans = time.Now()
			if k, err := n.Transfers.SweepOrphans(ctx); err != nil && ctx.Err() == nil {
				n.Log.Error("orphan sweep failed", "err", err)
			} else if k > 0 {
				n.Log.Info("removed orphans", "count", k)
			}
		}
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
	}
}

func newLogger(c LogConfig, w io.Writer) *slog.Logger {
	var level slog.Level
	_ = level.UnmarshalText([]byte(strings.ToUpper(c.Level)))
	opts := &slog.HandlerOptions{Level: level}
	if c.Format == "json" {
		return slog.New(slog.NewJSONHandler(w, opts))
	}
	return slog.New(slog.NewTextHandler(w, opts))
}
