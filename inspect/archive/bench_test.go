package archive

import (
	"archive/zip"
	"bytes"
	"context"
	"io"
	"os"
	"runtime"
	"runtime/metrics"
	"strconv"
	"strings"
	"sync"
	"testing"
)

// peak runs fn and returns the most heap it saw in use (sampled) and the
// process's peak resident set since just before fn (Linux; 0 elsewhere).
func peak(fn func()) (heapMiB, rssMiB float64) {
	runtime.GC()
	_ = os.WriteFile("/proc/self/clear_refs", []byte("5"), 0) // resets VmHWM
	var mu sync.Mutex
	var max uint64
	stop, done := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(done)
		s := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
		for {
			metrics.Read(s)
			mu.Lock()
			max = maxU(max, s[0].Value.Uint64())
			mu.Unlock()
			select {
			case <-stop:
				return
			default:
				runtime.Gosched()
			}
		}
	}()
	fn()
	close(stop)
	<-done
	return float64(max) / (1 << 20), float64(vmHWM()) / 1024
}

func maxU(a, b uint64) uint64 {
	if a > b {
		return a
	}
	return b
}

// vmHWM is the peak resident set in KiB, from /proc/self/status.
func vmHWM() int64 {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			n, _ := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 10, 64)
			return n
		}
	}
	return 0
}

func benchWalk(b *testing.B, name string, data []byte, cfg *Config) {
	b.ReportAllocs()
	b.SetBytes(int64(len(data)))
	var heap, rss float64
	for b.Loop() {
		h, r := peak(func() {
			_, _ = walk(context.Background(), bytes.NewReader(data), int64(len(data)), name, cfg, func(e *Entry, r io.Reader) error {
				if r != nil {
					_, err := io.Copy(io.Discard, r)
					return err
				}
				return nil
			})
		})
		heap, rss = max(heap, h), max(rss, r)
	}
	b.ReportMetric(heap, "peak-heap-MiB")
	b.ReportMetric(rss, "peak-RSS-MiB")
}

// BenchmarkWalk100kEntries walks a zip of 100 000 tiny entries with the
// entry limit raised to let it pass: the memory and time of a large,
// legitimate archive.
func BenchmarkWalk100kEntries(b *testing.B) {
	data := manyEntries(b, 100000)
	cfg := cfgWith(func(c *Config) { c.MaxEntries = 100000 })
	benchWalk(b, "many.zip", data, cfg)
}

// BenchmarkBombs measures each bomb of the corpus to its verdict under the
// default configuration, and the large bombs with their limits lifted to
// the point where expansion stops them.
func BenchmarkBombs(b *testing.B) {
	def := DefaultConfig()
	for _, bc := range []struct {
		name string
		data []byte
		cfg  *Config
	}{
		{"42zip", nested42(b, 3, 16<<20), &def},
		{"42zip-to-8GiB", nested42(b, 3, 16<<20), cfgWith(func(c *Config) { c.MaxRatio = 1e9 })},
		{"overlap", overlapBomb(b, 1000, 4<<20), &def},
		{"100k-entries", manyEntries(b, 100000), &def},
		{"deep", nestedZips(b, 10, zip.Deflate), &def},
		{"quine", gzipQuine, &def},
		{"sparse-1TiB", sparseTar(b, "disk.img", 1<<40), &def},
		{"sparse-64MiB", sparseTar(b, "disk.img", 64<<20), &def},
		{"gzip-64MiB-zeros-ratio-lifted", gz(b, "z", make([]byte, 64<<20)), cfgWith(func(c *Config) { c.MaxRatio = 1e9 })},
	} {
		b.Run(bc.name, func(b *testing.B) {
			benchWalk(b, "bomb", bc.data, bc.cfg)
		})
	}
}
