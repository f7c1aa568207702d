package policy

import (
	"time"

	"github.com/ferryhq/ferry"
)

// Facts are what a decision about a new transfer is made on.
type Facts struct {
	Now     time.Time
	Account *ferry.Account
	Name    string
	Size    int64
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
// order, and returns each outcome. A rule that cannot be evaluated because an
// earlier one failed (no tier, say) is left out.
func (p *Policy) Evaluate(f Facts) []Check {
	var out []Check
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

	rule := tierPath + ".max_file_size"
	var sizeErr *ferry.Error
	if f.Size > int64(tier.MaxFileSize) {
		sizeErr = ferry.E(ferry.CodeFileTooLarge).WithRule(rule).
			With("limit", tier.MaxFileSize).With("actual", ferry.Bytes(f.Size))
	}
	out = append(out, outcome(rule, sizeErr, tier.MaxFileSize, ferry.Bytes(f.Size)))

	if f.Usage != nil {
		rule := tierPath + ".storage_quota"
		used := f.Usage.StorageBytes
		var quotaErr *ferry.Error
		if used+f.Size > int64(tier.StorageQuota) {
			quotaErr = ferry.E(ferry.CodeStorageQuotaExceeded).WithRule(rule).
				With("limit", tier.StorageQuota).With("used", ferry.Bytes(used)).With("actual", ferry.Bytes(f.Size))
		}
		out = append(out, outcome(rule, quotaErr, tier.StorageQuota, ferry.Bytes(used+f.Size)))
	}
	return out
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
