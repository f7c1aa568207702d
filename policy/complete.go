package policy

import (
	"fmt"
	"net/netip"
	"strings"
	"time"

	"github.com/ferryhq/ferry"
)

// Complete fills what a policy file left out, validates, and builds the
// indexes the checks use. A default tier missing from Tiers is added
// whole; a zero limit of a default tier takes its default value; a
// missing catalogue, blocked list or threshold takes the default.
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
		t.fillFrom(dt)
	}
	if p.Types == nil {
		p.Types = def.Types
	}
	if p.BlockedTypes == nil {
		p.BlockedTypes = def.BlockedTypes
	}
	// Lists left out are empty, not null, in what GET /api/v1/policy shows.
	p.MaintenanceWindows = nonNil(p.MaintenanceWindows)
	p.PeakHours = nonNil(p.PeakHours)
	p.Regions = nonNil(p.Regions)
	p.TrustedProxies = nonNil(p.TrustedProxies)
	p.Risk.fillFrom(def.Risk)
	p.Admission.fillFrom(def.Admission)
	if p.Sessions.MaxNetworks == 0 {
		p.Sessions.MaxNetworks = def.Sessions.MaxNetworks
	}
	if p.Sessions.Window == 0 {
		p.Sessions.Window = def.Sessions.Window
	}
	if err := p.Validate(); err != nil {
		return err
	}
	return p.build()
}

func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

func (t *Tier) fillFrom(d *Tier) {
	fillBytes(&t.MaxFileSize, d.MaxFileSize)
	fillBytes(&t.StorageQuota, d.StorageQuota)
	fillBytes(&t.DailyVolume, d.DailyVolume)
	if t.Retention == 0 {
		t.Retention = d.Retention
	}
	if t.TypeGroups == nil {
		t.TypeGroups = d.TypeGroups
	}
	if t.GroupLimits == nil {
		t.GroupLimits = d.GroupLimits
	}
	if t.Burst == (Burst{}) {
		t.Burst = d.Burst
	}
}

func fillBytes(v *ferry.Bytes, d ferry.Bytes) {
	if *v == 0 {
		*v = d
	}
}

func (r *Risk) fillFrom(d Risk) {
	if r.LoginFailures == 0 {
		r.LoginFailures = d.LoginFailures
	}
	if r.StepUpCooldown == 0 {
		r.StepUpCooldown = d.StepUpCooldown
	}
	if r.MaxEvents == 0 {
		r.MaxEvents = d.MaxEvents
	}
	if r.RestrictFor == 0 {
		r.RestrictFor = d.RestrictFor
	}
	if r.RateAnomaly == "" {
		r.RateAnomaly = d.RateAnomaly
	}
}

func (a *Admission) fillFrom(d Admission) {
	if a.MaxConcurrentUploads == 0 {
		a.MaxConcurrentUploads = d.MaxConcurrentUploads
	}
	if a.ShedFirst == nil {
		a.ShedFirst = d.ShedFirst
	}
	if a.ShedAt == 0 {
		a.ShedAt = d.ShedAt
	}
	if a.RetryAfter == 0 {
		a.RetryAfter = d.RetryAfter
	}
}

// Validate reports the first value that cannot work, as a *PathError.
func (p *Policy) Validate() error {
	if err := p.Types.Validate(); err != nil {
		return err
	}
	groups := map[string]bool{}
	for g := range p.Types {
		groups[g] = true
	}
	for _, name := range p.TierNames() {
		if err := p.Tiers[ferry.Tier(name)].validate("policy.tiers."+name, groups); err != nil {
			return err
		}
	}
	for i, ext := range p.BlockedTypes {
		if !strings.HasPrefix(ext, ".") || ext != strings.ToLower(ext) {
			return pathErr(fmt.Sprintf("policy.blocked_types[%d]", i), "%q must be lower-case and start with \".\"", ext)
		}
	}
	if p.MinClientVersion != "" {
		if _, err := parseVersion(p.MinClientVersion); err != nil {
			return pathErr("policy.min_client_version", "%v", err)
		}
	}
	if err := p.validateSchedule(); err != nil {
		return err
	}
	if err := p.validateNetworks(); err != nil {
		return err
	}
	return p.validateLimits()
}

func (t *Tier) validate(path string, groups map[string]bool) error {
	switch {
	case t == nil:
		return pathErr(path, "empty tier")
	case t.MaxFileSize <= 0:
		return pathErr(path+".max_file_size", "must be more than 0")
	case t.StorageQuota <= 0:
		return pathErr(path+".storage_quota", "must be more than 0")
	case t.DailyVolume <= 0:
		return pathErr(path+".daily_volume", "must be more than 0")
	case t.Retention < Duration(time.Minute):
		return pathErr(path+".retention", "must be at least 1m")
	case t.Burst.Count < 0 || t.Burst.Count > 0 && t.Burst.Per <= 0:
		return pathErr(path+".burst", "needs a count of 0 (no limit) or more, and a duration \"per\"")
	case t.ExpectedRate < 0:
		return pathErr(path+".expected_rate", "must not be negative")
	}
	for i, g := range t.TypeGroups {
		if !groups[g] {
			return pathErr(fmt.Sprintf("%s.type_groups[%d]", path, i), "no group %q in policy.types", g)
		}
	}
	for g, limit := range t.GroupLimits {
		if !groups[g] {
			return pathErr(path+".group_limits."+g, "no group %q in policy.types", g)
		}
		if limit <= 0 {
			return pathErr(path+".group_limits."+g, "must be more than 0")
		}
	}
	return nil
}

func (p *Policy) validateLimits() error {
	r, a, s := p.Risk, p.Admission, p.Sessions
	switch {
	case r.LoginFailures < 1:
		return pathErr("policy.risk.login_failures", "must be at least 1")
	case r.MaxEvents < 1:
		return pathErr("policy.risk.max_events", "must be at least 1")
	case r.StepUpCooldown <= 0 || r.RestrictFor <= 0:
		return pathErr("policy.risk", "step_up_cooldown and restrict_for must be positive")
	case r.RateAnomaly != "event" && r.RateAnomaly != "reject":
		return pathErr("policy.risk.rate_anomaly", "%q is neither event nor reject", r.RateAnomaly)
	case a.MaxConcurrentUploads < 1:
		return pathErr("policy.admission.max_concurrent_uploads", "must be at least 1")
	case a.ShedAt <= 0 || a.ShedAt > 1:
		return pathErr("policy.admission.shed_at", "must be a fraction in (0, 1]")
	case s.MaxNetworks < 1:
		return pathErr("policy.sessions.max_networks", "must be at least 1")
	case s.Window <= 0 || time.Duration(s.Window) > ferry.UsageWindow:
		return pathErr("policy.sessions.window", "must be more than 0 and at most 24h")
	}
	for i, t := range a.ShedFirst {
		if p.Tiers[ferry.Tier(t)] == nil {
			return pathErr(fmt.Sprintf("policy.admission.shed_first[%d]", i), "no tier %q", t)
		}
	}
	return nil
}

// build makes the indexes of a validated policy.
func (p *Policy) build() error {
	p.index = p.Types.Index()
	p.blocked = make(map[string]bool, len(p.BlockedTypes))
	for _, ext := range p.BlockedTypes {
		p.blocked[ext] = true
	}
	p.proxies = p.proxies[:0]
	for _, c := range p.TrustedProxies {
		pfx, _ := netip.ParsePrefix(c) // validated
		p.proxies = append(p.proxies, pfx.Masked())
	}
	for i := range p.Regions {
		p.Regions[i].build()
	}
	return nil
}

// Index returns the type catalogue's index.
func (p *Policy) Index() *TypeIndex { return p.index }
