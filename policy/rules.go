package policy

import (
	"fmt"
	"slices"
	"time"

	"github.com/ferryhq/ferry"
)

// checkClient: 2001 for a ferry client older than min_client_version.
func (p *Policy) checkClient(out []Check, f Facts) []Check {
	if p.MinClientVersion == "" {
		return out
	}
	const rule = "min_client_version"
	var err *ferry.Error
	if f.ClientVersion != "" {
		min, _ := parseVersion(p.MinClientVersion)
		v, perr := parseVersion(f.ClientVersion)
		if perr != nil || olderThan(v, min) {
			err = ferry.E(ferry.CodeClientTooOld).WithRule(rule).
				With("limit", p.MinClientVersion).With("actual", f.ClientVersion)
		}
	}
	return append(out, outcome(rule, err, p.MinClientVersion, f.ClientVersion))
}

// checkSchedule: 3002 inside a maintenance window, retry when it ends.
func (p *Policy) checkSchedule(out []Check, f Facts) []Check {
	if len(p.MaintenanceWindows) == 0 {
		return out
	}
	for i, w := range p.MaintenanceWindows {
		if on, end := w.Active(f.Now); on {
			rule := fmt.Sprintf("maintenance_windows[%d]", i)
			err := ferry.E(ferry.CodeMaintenanceWindow).WithRule(rule).
				With("until", end.Format(time.RFC3339)).WithRetryAfter(seconds(end.Sub(f.Now)))
			return append(out, outcome(rule, err, w.Start+"–"+w.End+" "+w.Timezone, nil))
		}
	}
	return append(out, outcome("maintenance_windows", nil, nil, nil))
}

// checkRegion: 3003 when the first region holding the client's address
// (and applying to its tier) denies.
func (p *Policy) checkRegion(out []Check, f Facts) []Check {
	if len(p.Regions) == 0 || !f.ClientIP.IsValid() {
		return out
	}
	for i := range p.Regions {
		r := &p.Regions[i]
		if len(r.Tiers) > 0 && !slices.Contains(r.Tiers, string(f.Account.Tier)) || !r.holds(f.ClientIP) {
			continue
		}
		rule := fmt.Sprintf("regions[%d]", i)
		if r.Action == "allow" {
			return append(out, outcome(rule, nil, r.Name, nil))
		}
		err := ferry.E(ferry.CodeRegionRestricted).WithRule(rule).With("region", r.Name)
		return append(out, outcome(rule, err, r.Name, nil))
	}
	return append(out, outcome("regions", nil, nil, nil))
}

// checkAdmission: 3001 when the node is full, or nearly full for the
// tiers that shed first.
func (p *Policy) checkAdmission(out []Check, f Facts) []Check {
	a := p.Admission
	rule, limit := "admission.max_concurrent_uploads", a.MaxConcurrentUploads
	if slices.Contains(a.ShedFirst, string(f.Account.Tier)) {
		// at least one upload: a small node must not refuse these tiers always
		rule, limit = "admission.shed_first", max(1, int(a.ShedAt*float64(a.MaxConcurrentUploads)))
	}
	var err *ferry.Error
	if f.ActiveUploads >= limit {
		err = ferry.E(ferry.CodeServerBusy).WithRule(rule).With("limit", limit).With("actual", f.ActiveUploads).
			WithRetryAfter(time.Duration(a.RetryAfter))
	}
	return append(out, outcome(rule, err, limit, f.ActiveUploads))
}

// Admit decides whether a node receiving active uploads takes one more
// from account a (3001), as at create: an upload request checks it too.
func (p *Policy) Admit(a *ferry.Account, active int) *ferry.Error {
	c := p.checkAdmission(nil, Facts{Account: a, ActiveUploads: active})
	return c[0].Err
}

// checkType: 1003 blocked, 1001 not in the tier's groups, 6002 over the
// tier's file size, 1006 over the group's cap.
func (p *Policy) checkType(out []Check, f Facts, tier *Tier, tierPath string) []Check {
	ext := Ext(f.Name)
	var err *ferry.Error
	if p.blocked[ext] {
		err = ferry.E(ferry.CodeFileTypeBlocked).WithRule("blocked_types").With("extension", ext)
	}
	out = append(out, outcome("blocked_types", err, nil, ext))

	group, _, known := p.index.Lookup(ext)
	rule := tierPath + ".type_groups"
	err = nil
	if !known || !slices.Contains(tier.TypeGroups, group) {
		err = ferry.E(ferry.CodeFileTypeNotAllowed).WithRule(rule).With("extension", displayExt(ext)).
			With("allowed_groups", tier.TypeGroups)
		if known {
			err.With("group", group)
		}
	}
	out = append(out, outcome(rule, err, tier.TypeGroups, group))

	rule, err = tierPath+".max_file_size", nil
	if f.Size > int64(tier.MaxFileSize) {
		err = ferry.E(ferry.CodeFileTooLarge).WithRule(rule).With("limit", tier.MaxFileSize).With("actual", ferry.Bytes(f.Size))
	}
	out = append(out, outcome(rule, err, tier.MaxFileSize, ferry.Bytes(f.Size)))

	if limit, capped := tier.GroupLimits[group]; known && capped {
		rule, err = tierPath+".group_limits."+group, nil
		if f.Size > int64(limit) {
			err = ferry.E(ferry.CodeFileTooLargeForType).WithRule(rule).With("group", group).
				With("limit", limit).With("actual", ferry.Bytes(f.Size))
		}
		out = append(out, outcome(rule, err, limit, ferry.Bytes(f.Size)))
	}
	return out
}

func displayExt(ext string) string {
	if ext == "" {
		return "(no extension)"
	}
	return ext
}

// checkPeak: 3004 for a limited tier's large file during peak hours.
func (p *Policy) checkPeak(out []Check, f Facts) []Check {
	for i, ph := range p.PeakHours {
		if !slices.Contains(ph.Tiers, string(f.Account.Tier)) {
			continue
		}
		rule := fmt.Sprintf("peak_hours[%d]", i)
		var err *ferry.Error
		if on, end := ph.Active(f.Now); on && f.Size > int64(ph.MaxFileSize) {
			err = ferry.E(ferry.CodePeakHoursLimit).WithRule(rule).With("limit", ph.MaxFileSize).
				With("actual", ferry.Bytes(f.Size)).With("until", end.Format(time.RFC3339)).
				WithRetryAfter(seconds(end.Sub(f.Now)))
		}
		out = append(out, outcome(rule, err, ph.MaxFileSize, ferry.Bytes(f.Size)))
	}
	return out
}

// checkUsage: 7001 burst, 7003 networks, 6001 storage, 6003 volume.
func (p *Policy) checkUsage(out []Check, f Facts, tier *Tier, tierPath string) []Check {
	u := f.Usage
	spans := p.UsageSpans(f.Account.Tier)
	c := counted(u, f.Now, spans)
	if c.Spans != spans {
		// The store counted over other spans than this policy's: a caller
		// that asked with another policy. Refuse rather than guess.
		err := ferry.E(ferry.CodeInternal).WithRule(tierPath + ".burst").
			WithErr(fmt.Errorf("policy: usage counted over %+v, not %+v", c.Spans, spans))
		return append(out, outcome(tierPath+".burst", err, nil, nil))
	}
	if b := tier.Burst; b.Count > 0 {
		rule := tierPath + ".burst"
		n := c.Created
		var err *ferry.Error
		if n >= b.Count {
			freeIn := c.FirstCreated.Add(time.Duration(b.Per)).Sub(f.Now)
			err = ferry.E(ferry.CodeTooManyUploads).WithRule(rule).With("limit", b.Count).
				With("per", b.Per.String()).With("actual", n).WithRetryAfter(seconds(freeIn))
		}
		out = append(out, outcome(rule, err, b.Count, n))
	}
	if net := Network(f.ClientIP); net != "" {
		rule, max := "sessions.max_networks", p.Sessions.MaxNetworks
		nets := c.Networks
		var err *ferry.Error
		if !slices.Contains(nets, net) && len(nets) >= max {
			err = ferry.E(ferry.CodeSessionAnomaly).WithRule(rule).With("limit", max).With("actual", len(nets)+1).
				With("window", p.Sessions.Window.String())
		}
		out = append(out, outcome(rule, err, max, len(nets)))
	}
	rule := tierPath + ".storage_quota"
	var err *ferry.Error
	if u.StorageBytes+f.Size > int64(tier.StorageQuota) {
		err = ferry.E(ferry.CodeStorageQuotaExceeded).WithRule(rule).
			With("limit", tier.StorageQuota).With("used", ferry.Bytes(u.StorageBytes)).With("actual", ferry.Bytes(f.Size))
	}
	out = append(out, outcome(rule, err, tier.StorageQuota, ferry.Bytes(u.StorageBytes+f.Size)))

	rule, err = tierPath+".daily_volume", nil
	used := volume(u.Recent, f.Now)
	if used+f.Size > int64(tier.DailyVolume) {
		err = ferry.E(ferry.CodeDailyVolumeExceeded).WithRule(rule).
			With("limit", tier.DailyVolume).With("used", ferry.Bytes(used)).With("actual", ferry.Bytes(f.Size))
		if d, ok := volumeFreesIn(u.Recent, f.Now, int64(tier.DailyVolume), f.Size); ok && d > 0 {
			err.WithRetryAfter(seconds(d))
		}
	}
	return append(out, outcome(rule, err, tier.DailyVolume, ferry.Bytes(used+f.Size)))
}

// RateCheck judges an upload's sustained rate (7002): bytes received over
// the time since its transfer was created, once at least a minute has
// passed. It returns nil within the tier's expected rate (or when the tier
// expects any), else the 7002 error; whether that error only records a
// risk event or also refuses is Risk.RateAnomaly.
func (p *Policy) RateCheck(a *ferry.Account, bytes int64, elapsed time.Duration) *ferry.Error {
	tier := p.Tier(a.Tier)
	if tier == nil || tier.ExpectedRate <= 0 || elapsed < time.Minute {
		return nil
	}
	rate := Rate(float64(bytes) / elapsed.Seconds())
	if rate <= tier.ExpectedRate {
		return nil
	}
	return ferry.E(ferry.CodeUploadRateAnomaly).WithRule("tiers."+string(a.Tier)+".expected_rate").
		With("limit", tier.ExpectedRate.String()).With("actual", rate.String()).
		WithRetryAfter(time.Minute)
}
