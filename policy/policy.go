package policy

import (
	"fmt"
	"net/netip"
	"sort"
	"time"

	"github.com/ferryhq/ferry"
)

// Policy is the transfer policy: the `policy:` section of ferry.yaml, and
// what GET /api/v1/policy publishes. Complete must be called after it is
// filled (it fills defaults, validates, and builds the indexes the checks
// use); a completed Policy is immutable and safe for concurrent use.
type Policy struct {
	// Tiers maps a tier name to its limits. The five tiers of the default
	// policy always exist; administrators may add their own.
	Tiers map[ferry.Tier]*Tier `yaml:"tiers" json:"tiers"`
	// Types is the catalogue of file types by group; the default has over
	// 200 extensions.
	Types Types `yaml:"types" json:"types"`
	// BlockedTypes are extensions refused for everyone (1003).
	BlockedTypes []string `yaml:"blocked_types" json:"blocked_types"`
	// MinClientVersion is the oldest ferry client accepted (2001),
	// compared with the Ferry-Client-Version header; "" accepts any.
	MinClientVersion string `yaml:"min_client_version" json:"min_client_version,omitempty"`
	// MaintenanceWindows are times when nobody can send (3002).
	MaintenanceWindows []Window `yaml:"maintenance_windows" json:"maintenance_windows"`
	// PeakHours limit some tiers at busy times (3004).
	PeakHours []PeakHours `yaml:"peak_hours" json:"peak_hours"`
	// Regions allow or deny sending by source network (3003).
	Regions []Region `yaml:"regions" json:"regions"`
	// TrustedProxies are the CIDRs whose X-Forwarded-For is believed.
	TrustedProxies []string `yaml:"trusted_proxies" json:"trusted_proxies"`
	// Risk sets the thresholds of account risk control (4002, 4003, 7002).
	Risk Risk `yaml:"risk" json:"risk"`
	// Admission sheds load per node (3001).
	Admission Admission `yaml:"admission" json:"admission"`
	// Sessions bounds the networks one account sends from at once (7003).
	Sessions Sessions `yaml:"sessions" json:"sessions"`

	index   *TypeIndex
	blocked map[string]bool
	proxies []netip.Prefix
}

// Tier is the limits of one tier.
type Tier struct {
	// MaxFileSize is the largest single file (6002 FILE_TOO_LARGE).
	MaxFileSize ferry.Bytes `yaml:"max_file_size" json:"max_file_size"`
	// StorageQuota is what an account may hold at once: its transfers that
	// are uploading, inspecting, available or downloaded (6001).
	StorageQuota ferry.Bytes `yaml:"storage_quota" json:"storage_quota"`
	// DailyVolume is what an account may send in any rolling 24 hours
	// (6003); transfers rejected, recalled or abandoned give it back.
	DailyVolume ferry.Bytes `yaml:"daily_volume" json:"daily_volume"`
	// Retention is how long a delivered transfer stays fetchable.
	Retention Duration `yaml:"retention" json:"retention"`
	// TypeGroups are the groups of the catalogue this tier may send (1001).
	TypeGroups []string `yaml:"type_groups" json:"type_groups"`
	// GroupLimits caps the size of files of a group (1006).
	GroupLimits map[string]ferry.Bytes `yaml:"group_limits" json:"group_limits,omitempty"`
	// Burst bounds new transfers in a short time (7001).
	Burst Burst `yaml:"burst" json:"burst"`
	// ExpectedRate is the fastest sustained upload this tier is expected
	// to make (7002); zero expects any.
	ExpectedRate Rate `yaml:"expected_rate" json:"expected_rate,omitempty"`
}

// Burst is at most Count new transfers in any Per.
type Burst struct {
	Count int      `yaml:"count" json:"count"`
	Per   Duration `yaml:"per" json:"per"`
}

// Risk holds the thresholds of account risk control.
type Risk struct {
	// LoginFailures consecutive failed logins raise an account to level 2
	// (4002: a one-time code is needed to send).
	LoginFailures int `yaml:"login_failures" json:"login_failures"`
	// StepUpCooldown lifts level 2 by itself for accounts without TOTP.
	StepUpCooldown Duration `yaml:"step_up_cooldown" json:"step_up_cooldown"`
	// MaxEvents risk events in 24 hours are allowed; one more raises the
	// account to level 3 (4003: sending suspended).
	MaxEvents int `yaml:"max_events" json:"max_events"`
	// RestrictFor is how long level 3 lasts unless an admin clears it.
	RestrictFor Duration `yaml:"restrict_for" json:"restrict_for"`
	// RateAnomaly is what a sustained upload rate beyond the tier's
	// expected_rate does: "event" records a risk event, "reject" also
	// refuses the upload (7002).
	RateAnomaly string `yaml:"rate_anomaly" json:"rate_anomaly"`
}

// Admission sheds load: a node accepts at most MaxConcurrentUploads
// uploads in flight; from ShedAt of that, the tiers in ShedFirst are
// refused first (3001, with Retry-After).
type Admission struct {
	MaxConcurrentUploads int      `yaml:"max_concurrent_uploads" json:"max_concurrent_uploads"`
	ShedFirst            []string `yaml:"shed_first" json:"shed_first"`
	ShedAt               float64  `yaml:"shed_at" json:"shed_at"`
	RetryAfter           Duration `yaml:"retry_after" json:"retry_after"`
}

// Sessions bounds how many networks (IPv4 /24, IPv6 /64) one account may
// send from within Window (7003).
type Sessions struct {
	MaxNetworks int      `yaml:"max_networks" json:"max_networks"`
	Window      Duration `yaml:"window" json:"window"`
}

const day = 24 * time.Hour

var (
	common       = []string{"document", "image", "media", "archive"}
	professional = []string{"document", "image", "media", "archive", "professional"}
)

// Default returns the default policy, with the numbers of the source
// article: free 5 GB per file, 200 GB held, 50 GB per 24 hours, 7 days;
// and so on up the tiers.
func Default() *Policy {
	tier := func(file, quota, volume ferry.Bytes, keep time.Duration, groups []string) *Tier {
		return &Tier{MaxFileSize: file, StorageQuota: quota, DailyVolume: volume, Retention: Duration(keep),
			TypeGroups:  append([]string(nil), groups...),
			GroupLimits: map[string]ferry.Bytes{"media": 4e9, "archive": 5e9},
			Burst:       Burst{Count: 30, Per: Duration(time.Minute)}}
	}
	return &Policy{
		Tiers: map[ferry.Tier]*Tier{
			ferry.TierFree:       tier(5e9, 200e9, 50e9, 7*day, common),
			ferry.TierMember:     tier(10e9, 500e9, 100e9, 15*day, common),
			ferry.TierSuper:      tier(20e9, 1e12, 200e9, 30*day, common),
			ferry.TierEdu:        tier(5e9, 200e9, 50e9, 7*day, professional),
			ferry.TierEnterprise: tier(50e9, 1e12, 500e9, 30*day, professional),
		},
		Types:        DefaultTypes(),
		BlockedTypes: DefaultBlocked(),
		Risk: Risk{LoginFailures: 3, StepUpCooldown: Duration(30 * time.Minute), MaxEvents: 5,
			RestrictFor: Duration(day), RateAnomaly: "event"},
		Admission: Admission{MaxConcurrentUploads: 256, ShedFirst: []string{string(ferry.TierFree)}, ShedAt: 0.8,
			RetryAfter: Duration(30 * time.Second)},
		Sessions: Sessions{MaxNetworks: 4, Window: Duration(15 * time.Minute)},
	}
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

// PathError is a policy value that cannot work, named by its path in
// ferry.yaml ("policy.tiers.free.max_file_size"), so that the loader can
// point at its line.
type PathError struct {
	Path string
	Msg  string
}

func (e *PathError) Error() string { return e.Path + ": " + e.Msg }

func pathErr(path, format string, args ...any) error {
	return &PathError{Path: path, Msg: fmt.Sprintf(format, args...)}
}
