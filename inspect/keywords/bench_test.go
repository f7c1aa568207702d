package keywords

import (
	"fmt"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/ferryhq/ferry/internal/kwgen"
)

// benchData is a generated dictionary and text, zh percent Chinese.
func benchData(tb testing.TB, entries, size, zh int) (*Dictionary, []byte) {
	tb.Helper()
	g := kwgen.New(1)
	words := g.Dictionary(entries)
	d, err := Parse(strings.NewReader(strings.Join(words, "\n")), "gen.txt")
	if err != nil {
		tb.Fatal(err)
	}
	return d, g.TextOf(size, g.Sample(words, 1000), zh)
}

// BenchmarkLang scans Chinese and English text apart.
func BenchmarkLang(b *testing.B) {
	for _, n := range []int{10_000, 1_000_000} {
		d, _ := benchData(b, n, 0, 0)
		m, err := Compile(d)
		if err != nil {
			b.Fatal(err)
		}
		for _, lang := range []struct {
			name string
			zh   int
		}{{"zh", 100}, {"en", 0}} {
			b.Run(fmt.Sprintf("entries=%d/%s", n, lang.name), func(b *testing.B) {
				_, text := benchData(b, 1000, 8<<20, lang.zh)
				sc := m.NewScanner()
				b.SetBytes(int64(len(text)))
				for b.Loop() {
					sc.Reset()
					sc.Write(text)
					sc.Close()
				}
			})
		}
	}
}

func BenchmarkScan(b *testing.B) {
	for _, n := range []int{10_000, 100_000, 1_000_000} {
		b.Run(fmt.Sprintf("entries=%d", n), func(b *testing.B) {
			d, text := benchData(b, n, 8<<20, 50)
			var before, after runtime.MemStats
			runtime.GC()
			runtime.ReadMemStats(&before)
			start := time.Now()
			m, err := Compile(d)
			if err != nil {
				b.Fatal(err)
			}
			build := time.Since(start)
			runtime.GC()
			runtime.ReadMemStats(&after)
			sc := m.NewScanner()
			b.SetBytes(int64(len(text)))
			b.ResetTimer()
			for b.Loop() {
				sc.Reset()
				sc.Write(text)
				sc.Close()
			}
			b.ReportMetric(float64(sc.Count()), "hits")
			b.ReportMetric(float64(after.HeapInuse-before.HeapInuse)/float64(n), "heapB/entry")
			b.ReportMetric(build.Seconds(), "build-s")
			runtime.KeepAlive(m)
		})
	}
}
