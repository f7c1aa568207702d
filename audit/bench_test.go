package audit_test

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ferryhq/ferry"
	"github.com/ferryhq/ferry/audit"
)

// BenchmarkRecord measures what recording costs a request: Record from
// parallel goroutines. Over a store that discards, the writer always keeps
// up, so ns/op is the request path's cost alone. Over a real SQLite store
// a tight loop records faster than any store can write, so the queue fills
// and ns/op becomes the store's pace (see BenchmarkThroughput); waits/op is
// the share of Records that found the queue full.
func BenchmarkRecord(b *testing.B) {
	for _, c := range []struct {
		name  string
		store func(b *testing.B) ferry.AuditStore
	}{
		{"discard", func(*testing.B) ferry.AuditStore { return new(discardStore) }},
		{"sqlite", func(b *testing.B) ferry.AuditStore { return openStore(b) }},
	} {
		b.Run(c.name, func(b *testing.B) {
			r := audit.NewRecorder(c.store(b), nil, audit.Options{})
			defer r.Close(context.Background())
			proto := rec("bench.pdf")
			b.ReportAllocs()
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					r.Record(proto)
				}
			})
			b.StopTimer()
			b.ReportMetric(float64(r.Stats().Waits)/float64(b.N), "waits/op")
			if err := r.Flush(context.Background()); err != nil {
				b.Fatal(err)
			}
		})
	}
}

// BenchmarkThroughput measures how many records per second reach a real
// SQLite store: b.N records recorded from parallel goroutines, then
// flushed, with batches of the default size and of smaller ones.
func BenchmarkThroughput(b *testing.B) {
	for _, batch := range []int{512, 128} {
		b.Run(fmt.Sprintf("batch=%d", batch), func(b *testing.B) {
			s := openStore(b)
			r := audit.NewRecorder(s, nil, audit.Options{BatchSize: batch})
			defer r.Close(context.Background())
			proto := rec("bench.pdf")
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					r.Record(proto)
				}
			})
			if err := r.Flush(context.Background()); err != nil {
				b.Fatal(err)
			}
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "records/s")
		})
	}
}

// discardStore counts records and keeps none.
type discardStore struct {
	ferry.AuditStore // nil: only AppendAudit is called
	n                atomic.Int64
}

func (s *discardStore) AppendAudit(_ context.Context, recs []*ferry.AuditRecord) error {
	s.n.Add(int64(len(recs)))
	return nil
}

// BenchmarkMetaWriteWhileAuditing measures what auditing costs the other
// writes of a SQLite node: metadata writes (CreateAccount, one small write
// transaction each), one a millisecond, while a recorder is fed 5,000
// records/s, with the audit log in the metadata database ("same"), in a
// database file of its own ("separate"), or without auditing ("none"). It
// reports the writes' median, 99th percentile and worst latency; what they
// share with the recorder is the one writer connection (and the CPU). ns/op
// is the pace, not a cost.
func BenchmarkMetaWriteWhileAuditing(b *testing.B) {
	for _, mode := range []string{"none", "same", "separate"} {
		b.Run(mode, func(b *testing.B) {
			meta := openStore(b)
			var auditStore ferry.AuditStore = meta
			if mode == "separate" {
				auditStore = openStore(b)
			}
			stop := make(chan struct{})
			var fed sync.WaitGroup
			if mode != "none" {
				r := audit.NewRecorder(auditStore, nil, audit.Options{})
				defer r.Close(context.Background())
				fed.Go(func() { feed(r, 5000, stop) })
			}
			lat := make([]time.Duration, 0, b.N)
			pace := time.NewTicker(time.Millisecond)
			defer pace.Stop()
			i := 0
			for b.Loop() {
				i++
				<-pace.C
				start := time.Now()
				if err := meta.CreateAccount(context.Background(), &ferry.Account{Username: fmt.Sprint("user", i), Tier: ferry.TierFree}); err != nil {
					b.Fatal(err)
				}
				lat = append(lat, time.Since(start))
			}
			close(stop)
			fed.Wait()
			slices.Sort(lat)
			b.ReportMetric(float64(lat[len(lat)/2].Microseconds()), "p50-µs")
			b.ReportMetric(float64(lat[(len(lat)-1)*99/100].Microseconds()), "p99-µs")
			b.ReportMetric(float64(lat[len(lat)-1].Microseconds()), "max-µs")
		})
	}
}

// feed records perSecond records a second, a mix of acceptances and
// refusals from a thousand users, until stop is closed.
func feed(r *audit.Recorder, perSecond int, stop <-chan struct{}) {
	tick := time.NewTicker(time.Millisecond)
	defer tick.Stop()
	for i := 0; ; {
		select {
		case <-stop:
			return
		case <-tick.C:
		}
		for range perSecond / 1000 {
			i++
			rec := &ferry.AuditRecord{AccountID: int64(i % 1000), Account: fmt.Sprint("user", i%1000),
				Action: ferry.AuditCreate, TransferID: fmt.Sprintf("t%09d", i), Name: "report.pdf", Size: 1 << 20,
				IP: "192.0.2.1", Verdict: ferry.VerdictAccepted}
			if i%10 == 0 {
				rec.Verdict, rec.Code, rec.Rule = ferry.VerdictRejected, ferry.CodeFileTypeNotAllowed, "tiers.free.types"
			}
			r.Record(rec)
		}
	}
}
