package policy

import (
	"net/netip"
	"testing"
	"time"

	"github.com/ferryhq/ferry"
)

// BenchmarkEvaluate is the pure decision of every create and pre-check: the
// default policy, a free account with a few transfers in its windows, as a
// metadata store answers (Usage.Counted). The HTTP figures are
// internal/e2e's BenchmarkPrecheckHTTP and BenchmarkCreateDeleteHTTP.
func BenchmarkEvaluate(b *testing.B) {
	p := Default()
	if err := p.Complete(); err != nil {
		b.Fatal(err)
	}
	now := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	spans := p.UsageSpans(ferry.TierFree)
	usage := &ferry.Usage{StorageBytes: 3e9,
		Recent: []ferry.Sent{
			{CreatedAt: now.Add(-3 * time.Hour), Size: 1e9, State: ferry.StateAvailable, Network: "192.0.2.0/24"},
			{CreatedAt: now.Add(-time.Hour), Size: 2e9, State: ferry.StateDownloaded, Network: "192.0.2.0/24"},
			{CreatedAt: now.Add(-10 * time.Second), Size: 1000, State: ferry.StateUploading, Network: "192.0.2.0/24"},
		},
		Counted: &ferry.Counted{Spans: spans, Created: 1, FirstCreated: now.Add(-10 * time.Second),
			Networks: []string{"192.0.2.0/24"}},
	}
	facts := Facts{Now: now, Account: &ferry.Account{ID: 1, Username: "alice", Tier: ferry.TierFree},
		Name: "report.pdf", Size: 1000, ClientVersion: "1.4.0", ClientIP: netip.MustParseAddr("192.0.2.7"), Usage: usage}
	for _, bc := range []struct {
		name string
		edit func(*Facts)
	}{
		{"accepted", nil},
		{"refused", func(f *Facts) { f.Name = "setup.exe" }}, // 1001, and every later rule still runs
		{"before usage", func(f *Facts) { f.Usage = nil }},   // the first pass of a create
	} {
		b.Run(bc.name, func(b *testing.B) {
			f := facts
			if bc.edit != nil {
				bc.edit(&f)
			}
			want := bc.name == "refused"
			b.ReportAllocs()
			for b.Loop() {
				if refused := Verdict(p.Evaluate(f)) != nil; refused != want {
					b.Fatalf("refused = %v", refused)
				}
			}
		})
	}
}
