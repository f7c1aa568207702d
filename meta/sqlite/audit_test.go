package sqlite

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/ferryhq/ferry"
)

// BenchmarkAppendAudit measures one AppendAudit of a batch — how long it
// holds the one writer connection, which every other write waits for — and
// its cost per record. The records are a mix: a thousand users, one in ten
// decisions a refusal.
func BenchmarkAppendAudit(b *testing.B) {
	for _, n := range []int{1, 128, 512} {
		b.Run(fmt.Sprintf("batch=%d", n), func(b *testing.B) {
			s := open(b, filepath.Join(b.TempDir(), "ferry.db"))
			defer s.Close()
			ctx := context.Background()
			recs := make([]*ferry.AuditRecord, n)
			at := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
			k := 0
			for b.Loop() {
				for i := range recs {
					k++
					at = at.Add(time.Millisecond)
					recs[i] = &ferry.AuditRecord{At: at, AccountID: int64(k % 1000), Account: fmt.Sprint("user", k%1000),
						Action: ferry.AuditCreate, TransferID: fmt.Sprintf("t%09d", k), Name: "quarterly report.pdf",
						Size: 1 << 20, Verdict: ferry.VerdictAccepted, IP: "192.0.2.10"}
					if k%10 == 0 {
						recs[i].Verdict, recs[i].Code, recs[i].Rule = ferry.VerdictRejected, ferry.CodeFileTooLarge, "tiers.free.max_file_size"
					}
				}
				if err := s.AppendAudit(ctx, recs); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*n), "ns/record")
		})
	}
}
