package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/ferryhq/ferry"
	"github.com/ferryhq/ferry/httpapi/wire"
	"github.com/ferryhq/ferry/policy"
)

// localPolicy is the server's published policy, made ready to run the
// checks that need nothing but the file: its name, its size and its first
// bytes. They are run by the policy package itself, so that a local
// refusal has the code, rule and details the server's would have.
type localPolicy struct {
	p    *policy.Policy
	tier ferry.Tier
}

// newLocalPolicy builds the local checks from GET /api/v1/policy. Limits
// are the caller's tier only; a tier the server publishes no limits for is
// left unknown, which the checks report as the server does (8002 at
// tiers.NAME).
func newLocalPolicy(ep *wire.EffectivePolicy) (*localPolicy, error) {
	p := &policy.Policy{Types: ep.Types, BlockedTypes: ep.BlockedTypes, Tiers: map[ferry.Tier]*policy.Tier{}}
	if ep.Limits != nil {
		t := *ep.Limits
		if t.GroupLimits == nil {
			// No caps published means none, not the default ones Complete would fill in.
			t.GroupLimits = map[string]ferry.Bytes{}
		}
		p.Tiers[ep.Tier] = &t
	}
	if p.BlockedTypes == nil {
		p.BlockedTypes = []string{}
	}
	if err := p.Complete(); err != nil {
		return nil, fmt.Errorf("the server's policy cannot be checked against here (%v): run `ferry check` with a ferry as new as the server", err)
	}
	return &localPolicy{p: p, tier: ep.Tier}, nil
}

// ruleFileContent is the rule path of content sniffing (1002) as
// policy.CheckContent names it: the catalogue entry of the declared type,
// "types.GROUP.NAME", or "types" when the extension names none.
func ruleFileContent(group, name string) string {
	if group == "" || name == "" {
		return "types"
	}
	return "types." + group + "." + name
}

// check runs the local rules on a file named name of size bytes whose
// first bytes are head, in the server's order: name (1004), blocked
// (1003), the tier's whitelist (1001), single-file size (6002), the
// group's cap (1006); then content sniffing (1002), which the server does
// as the bytes arrive. Rules that need the server's state (quota, volume,
// burst, risk, schedule, load, region, client version, recipients) are
// not among them.
func (lp *localPolicy) check(name string, size int64, head []byte) []policy.Check {
	facts := policy.Facts{Now: time.Now(), Account: &ferry.Account{Tier: lp.tier}, Name: name, Size: size}
	return append(lp.p.EvaluateFile(facts), lp.sniff(name, head))
}

// sniff checks that head, the first policy.HeadLen(size) bytes, is what
// the name's extension says, as the server does when an upload's first
// bytes arrive (policy.CheckContent): an .exe named .pdf is 1002
// FILE_TYPE_MISMATCH with the declared and detected type names. The
// outcome's limit is the declared type, its actual the detected one.
func (lp *localPolicy) sniff(name string, head []byte) policy.Check {
	ext := policy.Ext(name)
	_, declared, detected := lp.p.Index().Consistent(ext, head)
	group, _, _ := lp.p.Index().Lookup(ext)
	c := policy.Check{Rule: ruleFileContent(group, declared), Passed: true}
	if declared != "" {
		c.Limit = declared
	}
	if detected != "" {
		c.Actual = detected
	}
	if err := lp.p.CheckContent(name, head); err != nil {
		c.Rule, c.Passed, c.Code, c.Err = err.Rule, false, err.Code, err
	}
	return c
}

// readHead opens file and returns its size and its first
// policy.HeadLen(size) bytes; it never reads further.
func readHead(file string) (int64, []byte, error) {
	f, err := os.Open(file)
	if err != nil {
		return 0, nil, err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return 0, nil, err
	}
	if !fi.Mode().IsRegular() {
		return 0, nil, fmt.Errorf("%s is not a regular file", file)
	}
	head := make([]byte, policy.HeadLen(fi.Size()))
	n, err := io.ReadFull(f, head)
	if err != nil && !errors.Is(err, io.ErrUnexpectedEOF) && !errors.Is(err, io.EOF) { // shrank: what is there
		return 0, nil, err
	}
	return fi.Size(), head[:n], nil
}
