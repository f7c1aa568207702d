package policy

import (
	"fmt"
	"net"
	"net/netip"
	"strings"

	"github.com/ferryhq/ferry"
)

// Region is a named set of source networks that may or may not send
// (3003). Regions are tried in order; the first whose networks hold the
// client's address, and whose Tiers include the sender's (all tiers when
// empty), decides: "deny" refuses, "allow" accepts.
type Region struct {
	Name   string   `yaml:"name" json:"name"`
	CIDRs  []string `yaml:"cidrs" json:"cidrs"`
	Action string   `yaml:"action" json:"action"`
	Tiers  []string `yaml:"tiers,omitempty" json:"tiers,omitempty"`

	prefixes []netip.Prefix
}

func (r *Region) build() {
	r.prefixes = r.prefixes[:0]
	for _, c := range r.CIDRs {
		pfx, _ := netip.ParsePrefix(c)
		r.prefixes = append(r.prefixes, pfx.Masked())
	}
}

func (r *Region) holds(ip netip.Addr) bool {
	for _, pfx := range r.prefixes {
		if pfx.Contains(ip) {
			return true
		}
	}
	return false
}

func (p *Policy) validateNetworks() error {
	for i, c := range p.TrustedProxies {
		if _, err := netip.ParsePrefix(c); err != nil {
			return pathErr(fmt.Sprintf("policy.trusted_proxies[%d]", i), "%q is not a CIDR such as 10.0.0.0/8", c)
		}
	}
	for i, r := range p.Regions {
		path := fmt.Sprintf("policy.regions[%d]", i)
		if r.Name == "" {
			return pathErr(path+".name", "a region needs a name (users see it)")
		}
		if r.Action != "deny" && r.Action != "allow" {
			return pathErr(path+".action", "%q is neither deny nor allow", r.Action)
		}
		for j, c := range r.CIDRs {
			if _, err := netip.ParsePrefix(c); err != nil {
				return pathErr(fmt.Sprintf("%s.cidrs[%d]", path, j), "%q is not a CIDR such as 203.0.113.0/24", c)
			}
		}
		for j, t := range r.Tiers {
			if p.Tiers[ferry.Tier(t)] == nil {
				return pathErr(fmt.Sprintf("%s.tiers[%d]", path, j), "no tier %q", t)
			}
		}
	}
	return nil
}

// ClientIP returns the address of the client of a request that came from
// remote ("host:port") with the given X-Forwarded-For header. The header
// is believed only when remote is a trusted proxy, and then only up to the
// last hop that is not itself a trusted proxy; without trusted proxies it
// is ignored, so that nobody can choose their own address.
func (p *Policy) ClientIP(remote, forwardedFor string) netip.Addr {
	host, _, err := net.SplitHostPort(remote)
	if err != nil {
		host = remote
	}
	ip, err := netip.ParseAddr(host)
	if err != nil {
		return netip.Addr{}
	}
	ip = ip.Unmap()
	if forwardedFor == "" || !p.trusted(ip) {
		return ip
	}
	hops := strings.Split(forwardedFor, ",")
	for i := len(hops) - 1; i >= 0; i-- {
		hop, err := netip.ParseAddr(strings.TrimSpace(hops[i]))
		if err != nil {
			return ip // a malformed hop: stop believing the header there
		}
		ip = hop.Unmap()
		if !p.trusted(ip) {
			return ip
		}
	}
	return ip
}

func (p *Policy) trusted(ip netip.Addr) bool {
	for _, pfx := range p.proxies {
		if pfx.Contains(ip) {
			return true
		}
	}
	return false
}

// Network returns the network an address belongs to for session counting:
// its IPv4 /24 or IPv6 /64, as a prefix string; "" for no address.
func Network(ip netip.Addr) string {
	if !ip.IsValid() {
		return ""
	}
	bits := 64
	if ip.Is4() {
		bits = 24
	}
	pfx, _ := ip.Prefix(bits)
	return pfx.String()
}
