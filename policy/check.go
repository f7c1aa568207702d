package policy

import (
	"net/netip"
	"time"

	"github.com/ferryhq/ferry"
)

// Facts are what a decision about a new transfer is made on.
type Facts struct {
	Now     time.Time
	Account *ferry.Account
	Name    string
	Size    int64
	// ClientVersion is the Ferry-Client-Version header ("" when absent:
	// third-party tus clients are not version-checked).
	ClientVersion string
	// ClientIP is the client's address (see ClientIP); zero when unknown.
	ClientIP netip.Addr
	// ActiveUploads is how many uploads this node is receiving now.
	ActiveUploads int
	// Risk is the account's standing: nil, or a 4002/4003 error.
	Risk error
	// Usage is the sender's usage at Now; nil leaves out the checks that
	// need it (they run again, atomically, when the transfer is created).
	Usage *ferry.Usage
}

// Check is the outcome of one rule.
type Check struct {
	Rule   string     `json:"rule"`
	Passed bool       `json:"passed"`
	Code   ferry.Code `json:"code,omitempty"`
	Limit  any        `json:"limit,omitempty"`
	Actual any        `json:"actual,omitempty"`
	// Err is the error a failed check produces.
	Err *ferry.Error `json:"-"`
}

// Evaluate runs every content-free rule that applies to f, in a fixed
// order — protocol, schedule and load, network, account, file, quota and
// rate — and returns each outcome; the first failure is the verdict. A
// rule that cannot be evaluated because an earlier one failed (an unknown
// tier, say) is left out. Evaluate is pure and allocation-light: it runs
// for every create and pre-check.
func (p *Policy) Evaluate(f Facts) []Check {
	out := make([]Check, 0, 16)
	out = p.checkClient(out, f)
	out = p.checkSchedule(out, f)
	out = p.checkRegion(out, f)
	out = p.checkAdmission(out, f)
	if f.Risk != nil {
		fe := ferry.AsError(f.Risk)
		out = append(out, outcome(fe.Rule, fe, nil, nil))
	}
	out = p.appendFile(out, f)
	if p.Tier(f.Account.Tier) == nil {
		return out
	}
	out = p.checkPeak(out, f)
	return p.appendUsage(out, f)
}

// EvaluateFile runs the rules about the file alone — its name (1004), its
// type (1003, 1001), its size (6002) and its group's cap (1006) for the
// sender's tier — in Evaluate's order, with the same outcomes. They need
// nothing but the name, the size and the tier: `ferry check` runs them on
// the sender's machine against the published policy.
func (p *Policy) EvaluateFile(f Facts) []Check {
	return p.appendFile(make([]Check, 0, 6), f)
}

func (p *Policy) appendFile(out []Check, f Facts) []Check {
	var nameErr *ferry.Error
	if _, err := CleanName(f.Name); err != nil {
		nameErr = ferry.AsError(err)
	}
	out = append(out, outcome(RuleFileName, nameErr, nil, nil))
	tierPath := "tiers." + string(f.Account.Tier)
	tier := p.Tier(f.Account.Tier)
	if tier == nil {
		err := ferry.E(ferry.CodeForbidden).WithRule(tierPath).With("tier", string(f.Account.Tier))
		return append(out, outcome(tierPath, err, nil, nil))
	}
	return p.checkType(out, f, tier, tierPath)
}

// EvaluateUsage runs the rules over the sender's usage — burst (7001),
// networks (7003), storage (6001) and the rolling volume (6003) — in
// Evaluate's order: the last rules of Evaluate, the ones a create checks
// again inside the transaction that reserves the transfer. Nil when f has
// no Usage or the tier is unknown.
func (p *Policy) EvaluateUsage(f Facts) []Check { return p.appendUsage(nil, f) }

func (p *Policy) appendUsage(out []Check, f Facts) []Check {
	tier := p.Tier(f.Account.Tier)
	if f.Usage == nil || tier == nil {
		return out
	}
	return p.checkUsage(out, f, tier, "tiers."+string(f.Account.Tier))
}

func outcome(rule string, err *ferry.Error, limit, actual any) Check {
	c := Check{Rule: rule, Passed: err == nil, Limit: limit, Actual: actual, Err: err}
	if err != nil {
		c.Code = err.Code
	}
	return c
}

// Verdict returns the error (an *ferry.Error) of the first failed check, or
// nil when all passed.
func Verdict(checks []Check) error {
	for _, c := range checks {
		if !c.Passed {
			return c.Err
		}
	}
	return nil
}

// seconds rounds d up to whole seconds, at least one: a Retry-After.
func seconds(d time.Duration) time.Duration {
	if d < time.Second {
		return time.Second
	}
	return (d + time.Second - 1).Truncate(time.Second)
}
