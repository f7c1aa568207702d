package server

import (
	"context"
	"os"
	"os/signal"
	"strconv"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/ferryhq/ferry/policy"
)

// policyHolder holds the current policy; a reload swaps it whole, so
// every decision sees one consistent policy.
type policyHolder struct{ p atomic.Pointer[policy.Policy] }

func (h *policyHolder) current() *policy.Policy { return h.p.Load() }

// Reload reads the configuration file again and, when it is valid, puts
// its policy in force. A bad file keeps the policy in force and says why
// in the log. Other settings (listen address, stores) need a restart.
func (n *Node) Reload() error {
	path := n.Config.Path
	if path == "" {
		return nil
	}
	cfg, err := LoadConfig(path)
	if err != nil {
		n.Log.Error("policy not reloaded; the policy in force stays", "file", path, "err", err)
		return err
	}
	n.policy.p.Store(cfg.Policy)
	n.Log.Info("policy reloaded", "file", path)
	return nil
}

// watchPolicy reloads the policy on SIGHUP and when the configuration
// file changes (checked every interval), until ctx is done.
func (n *Node) watchPolicy(ctx context.Context, interval time.Duration) {
	if n.Config.Path == "" {
		return
	}
	hup := make(chan os.Signal, 1)
	signal.Notify(hup, syscall.SIGHUP)
	defer signal.Stop(hup)
	tick := time.NewTicker(interval)
	defer tick.Stop()
	last := stamp(n.Config.Path)
	for {
		select {
		case <-ctx.Done():
			return
		case <-hup:
		case <-tick.C:
			if s := stamp(n.Config.Path); s == last {
				continue
			}
		}
		last = stamp(n.Config.Path)
		_ = n.Reload()
	}
}

// stamp identifies a version of a file by its modification time and size.
func stamp(path string) string {
	fi, err := os.Stat(path)
	if err != nil {
		return ""
	}
	return fi.ModTime().Format(time.RFC3339Nano) + "/" + strconv.FormatInt(fi.Size(), 10)
}
