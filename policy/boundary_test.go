package policy

import (
	"net/netip"
	"testing"
	"time"

	"github.com/ferryhq/ferry"
)

// Windows that cross midnight, in time zones, on given days; and the edges
// of networks and groups.
func TestBoundaries(t *testing.T) {
	sh := func(day, h, m int) time.Time { // Shanghai wall time, March 2026 (the 6th is a Friday)
		return time.Date(2026, 3, day, h, m, 0, 0, time.FixedZone("CST", 8*3600))
	}
	nightPeak := func(p *Policy) { // Friday nights only, 22:00–02:00 Shanghai, free files over 100 MB wait
		p.PeakHours = []PeakHours{{Window: Window{Start: "22:00", End: "02:00", Timezone: "Asia/Shanghai", Days: []string{"fri"}},
			Tiers: []string{"free"}, MaxFileSize: 100e6}}
	}
	utcWindow := func(p *Policy) { p.MaintenanceWindows = []Window{{Start: "16:00", End: "18:00", Timezone: "UTC"}} }
	regions := func(p *Policy) {
		p.Regions = []Region{{Name: "lab", CIDRs: []string{"10.1.0.0/16", "2001:db8:1::/48"}, Action: "deny"}}
	}
	ip := netip.MustParseAddr
	for _, tc := range []ruleCase{
		{name: "peak: Friday 21:59 is before it", edit: nightPeak, facts: Facts{Now: sh(6, 21, 59), Size: 100e6 + 1}},
		{name: "peak: Friday 22:00 is in it", edit: nightPeak, facts: Facts{Now: sh(6, 22, 0), Size: 100e6 + 1},
			code: ferry.CodePeakHoursLimit, rule: "peak_hours[0]", retry: 4 * time.Hour},
		{name: "peak: exactly at its size passes", edit: nightPeak, facts: Facts{Now: sh(6, 23, 0), Size: 100e6}},
		{name: "peak: Saturday 01:30 is still Friday's window", edit: nightPeak, facts: Facts{Now: sh(7, 1, 30), Size: 100e6 + 1},
			code: ferry.CodePeakHoursLimit, rule: "peak_hours[0]", retry: 30 * time.Minute,
			detail: map[string]any{"until": "2026-03-07T02:00:00+08:00"}},
		{name: "peak: Saturday 22:00 is not a Friday", edit: nightPeak, facts: Facts{Now: sh(7, 22, 0), Size: 100e6 + 1}},
		{name: "peak: Thursday night is not either", edit: nightPeak, facts: Facts{Now: sh(6, 1, 0), Size: 100e6 + 1}},
		// A UTC window seen from Shanghai crosses its midnight: 16:00–18:00 UTC is 00:00–02:00 the next day there.
		{name: "UTC window at Shanghai midnight", edit: utcWindow, facts: Facts{Now: sh(3, 0, 0)},
			code: ferry.CodeMaintenanceWindow, rule: "maintenance_windows[0]", retry: 2 * time.Hour},
		{name: "UTC window: a second before it", edit: utcWindow, facts: Facts{Now: sh(2, 23, 59).Add(59 * time.Second)}},
		{name: "UTC window: its last second", edit: utcWindow, facts: Facts{Now: sh(3, 1, 59).Add(59 * time.Second)},
			code: ferry.CodeMaintenanceWindow, rule: "maintenance_windows[0]", retry: time.Second},
		{name: "region: first address", edit: regions, facts: Facts{ClientIP: ip("10.1.0.0")}, code: ferry.CodeRegionRestricted, rule: "regions[0]"},
		{name: "region: last address", edit: regions, facts: Facts{ClientIP: ip("10.1.255.255")}, code: ferry.CodeRegionRestricted, rule: "regions[0]"},
		{name: "region: one past the end", edit: regions, facts: Facts{ClientIP: ip("10.2.0.0")}},
		{name: "region: one before the start", edit: regions, facts: Facts{ClientIP: ip("10.0.255.255")}},
		{name: "region: IPv6 edge", edit: regions, facts: Facts{ClientIP: ip("2001:db8:1:ffff:ffff:ffff:ffff:ffff")}, code: ferry.CodeRegionRestricted, rule: "regions[0]"},
		{name: "region: IPv6 past the edge", edit: regions, facts: Facts{ClientIP: ip("2001:db8:2::")}},
		{name: "region: IPv4-mapped IPv6 is IPv4", edit: regions, facts: Facts{ClientIP: ip("::ffff:10.1.2.3").Unmap()}, code: ferry.CodeRegionRestricted, rule: "regions[0]"},
		{name: "archive exactly at its cap", facts: Facts{Name: "photos.zip", Size: 5e9}},
		{name: "archive cap is the file limit too: one over is 6002 first", facts: Facts{Name: "photos.zip", Size: 5e9 + 1},
			code: ferry.CodeFileTooLarge, rule: "tiers.free.max_file_size"},
		{name: "member: archive one byte over its cap", facts: Facts{Account: &ferry.Account{Tier: ferry.TierMember}, Name: "photos.tar.gz", Size: 5e9 + 1},
			code: ferry.CodeFileTooLargeForType, rule: "tiers.member.group_limits.archive"},
		{name: "client version exactly the minimum", edit: func(p *Policy) { p.MinClientVersion = "2.0" }, facts: Facts{ClientVersion: "2.0.0"}},
		{name: "client version one patch below", edit: func(p *Policy) { p.MinClientVersion = "2.0.1" }, facts: Facts{ClientVersion: "2.0.0"},
			code: ferry.CodeClientTooOld, rule: "min_client_version"},
	} {
		tc.run(t)
	}
}
