package server

import (
	"context"
	"crypto/sha256"
	"os"
	"sync/atomic"
	"time"

	"github.com/ferryhq/ferry/policy"
)

// policyHolder holds the current policy and the inspection version under
// it; a reload swaps both at once, so that every decision sees one
// consistent policy.
type policyHolder struct{ p atomic.Pointer[inForce] }

type inForce struct {
	p       *policy.Policy
	version string
}

func (h *policyHolder) current() *policy.Policy { return h.p.Load().p }

func (h *policyHolder) version() string { return h.p.Load().version }

// put puts p in force.
func (n *Node) put(p *policy.Policy) {
	n.policy.p.Store(&inForce{p: p, version: n.inspection.version(p)})
}

// Policy returns the policy in force.
func (n *Node) Policy() *policy.Policy { return n.policy.current() }

// Reload reads the configuration file again and, when it is valid, puts
// its policy in force. A bad file keeps the policy in force, and the log
// says why (file, line, key). Other settings (listen address, stores) need
// a restart.
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
	if _, err := n.inspection.reloadKeywords(&cfg.Inspect.Keywords); err != nil {
		n.Log.Error("keyword dictionaries not reloaded; those in force stay", "err", err)
		n.put(cfg.Policy)
		return err
	}
	n.put(cfg.Policy)
	n.Log.Info("policy reloaded", "file", path, "inspection", n.policy.version())
	return nil
}

// reloadDictionaries puts the keyword dictionaries in force again when one
// of their files changed, with the inspection version that goes with
// them: content inspected under the old ones is inspected again before it
// is delivered or shared. A bad file keeps those in force, and the log
// says why (file, line).
func (n *Node) reloadDictionaries() (bool, error) {
	reloaded, err := n.inspection.reloadKeywords(nil)
	if err != nil {
		n.Log.Error("keyword dictionaries not reloaded; those in force stay", "err", err)
		return false, err
	}
	if reloaded {
		n.put(n.policy.current())
	}
	return reloaded, nil
}

// watched is what the policy watcher made of one tick or signal.
type watched struct {
	reloaded bool  // the file was read again
	err      error // why it was not put in force
}

// watchPolicy reloads the policy on every value from hup (SIGHUP), and on
// a tick when the configuration file's content changed, until ctx is done;
// on a tick it also reloads the keyword dictionaries when one changed.
// done, when not nil, receives what became of each tick and signal.
func (n *Node) watchPolicy(ctx context.Context, tick <-chan time.Time, hup <-chan os.Signal, done chan<- watched) {
	if n.Config.Path == "" {
		return
	}
	last := digest(n.Config.Path)
	for {
		var w watched
		select {
		case <-ctx.Done():
			return
		case <-hup:
			last, w.reloaded = digest(n.Config.Path), true
		case <-tick:
			if d := digest(n.Config.Path); d != last {
				last, w.reloaded = d, true
			}
		}
		if w.reloaded {
			w.err = n.Reload()
		} else {
			w.reloaded, w.err = n.reloadDictionaries()
		}
		if done != nil {
			done <- w
		}
	}
}

// digest identifies a version of a file by its content; a file that cannot
// be read has the zero digest.
func digest(path string) [sha256.Size]byte {
	b, err := os.ReadFile(path)
	if err != nil {
		return [sha256.Size]byte{}
	}
	return sha256.Sum256(b)
}
