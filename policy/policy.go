package policy

import (
	"fmt"
	"sort"
	"time"

	"github.com/ferryhq/ferry"
)

// Policy is the transfer policy: the `policy:` section of ferry.yaml, and
// what GET /api/v1/policy publishes.
type Policy struct {
	// Tiers maps a tier name to its limits. The five tiers of the default
	// policy always exist; administrators may add their own.
	Tiers map[ferry.Tier]*Tier `yaml:"tiers" json:"tiers"`
}

// Tier is the limits of one tier.
type Tier struct {
	// MaxFileSize is the largest single file (6002 FILE_TOO_LARGE).
	MaxFileSize ferry.Bytes `yaml:"max_file_size" json:"max_file_size"`
	// StorageQuota is what an account may hold at once: the declared sizes
	// of its transfers that are uploading, inspecting, available or
	// downloaded and not yet expired (6001 STORAGE_QUOTA_EXCEEDED).
	StorageQuota ferry.Bytes `yaml:"storage_quota" json:"storage_quota"`
	// Retention is how long a delivered transfer stays fetchable.
	Retention Duration `yaml:"retention" json:"retention"`
}

const day = 24 * time.Hour

// Default returns the default policy, with the numbers of the source
// article: free 5 GB per file, 200 GB held, 7 days; and so on up the tiers.
func Default() *Policy {
	return &Policy{Tiers: map[ferry.Tier]*Tier{
		ferry.TierFree:       {MaxFileSize: 5e9, StorageQuota: 200e9, Retention: Duration(7 * day)},
		ferry.TierMember:     {MaxFileSize: 10e9, StorageQuota: 500e9, Retention: Duration(15 * day)},
		ferry.TierSuper:      {MaxFileSize: 20e9, StorageQuota: 1e12, Retention: Duration(30 * day)},
		ferry.TierEdu:        {MaxFileSize: 5e9, StorageQuota: 200e9, Retention: Duration(7 * day)},
		ferry.TierEnterprise: {MaxFileSize: 50e9, StorageQuota: 1e12, Retention: Duration(30 * day)},
	}}
}

// Complete fills what a policy file left out: a default tier missing from
// Tiers is added whole, and a zero limit of a default tier takes its default
// value. It then validates the result.
func (p *Policy) Complete() error {
	def := Default()
	if p.Tiers == nil {
		p.Tiers = map[ferry.Tier]*Tier{}
	}
	for name, dt := range def.Tiers {
		t, ok := p.Tiers[name]
		if !ok || t == nil {
			p.Tiers[name] = dt
			continue
		}
		if t.MaxFileSize == 0 {
			t.MaxFileSize = dt.MaxFileSize
		}
		if t.StorageQuota == 0 {
			t.StorageQuota = dt.StorageQuota
		}
		if t.Retention == 0 {
			t.Retention = dt.Retention
		}
	}
	return p.Validate()
}

// Validate reports the first key whose value cannot work, by its path.
func (p *Policy) Validate() error {
	for _, name := range p.TierNames() {
		t := p.Tiers[ferry.Tier(name)]
		path := "policy.tiers." + name
		switch {
		case t == nil:
			return fmt.Errorf("%s: empty tier", path)
		case t.MaxFileSize <= 0:
			return fmt.Errorf("%s.max_file_size: must be more than 0", path)
		case t.StorageQuota <= 0:
			return fmt.Errorf("%s.storage_quota: must be more than 0", path)
		case t.Retention < Duration(time.Minute):
			return fmt.Errorf("%s.retention: must be at least 1m", path)
		}
	}
	return nil
}

// TierNames lists the tiers, sorted.
func (p *Policy) TierNames() []string {
	names := make([]string, 0, len(p.Tiers))
	for n := range p.Tiers {
		names = append(names, string(n))
	}
	sort.Strings(names)
	return names
}

// Tier returns the limits of tier t, or nil when the policy has no such tier.
func (p *Policy) Tier(t ferry.Tier) *Tier { return p.Tiers[t] }
