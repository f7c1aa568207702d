package s3_test

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"io"
	"testing"
	"time"

	"github.com/ferryhq/ferry/blob/s3"
	"github.com/ferryhq/ferry/blob/s3/s3test"
)

// repeat is size bytes of one 1 MiB block, the first 8 of which carry a
// seed so that every upload is new content (or Commit would dedup).
type repeat struct {
	block []byte
	left  int64
	pos   int
}

func newRepeat(seed uint64, size int64) *repeat {
	r := &repeat{block: content(seed, mib), left: size}
	binary.LittleEndian.PutUint64(r.block, seed)
	return r
}

func (r *repeat) Read(p []byte) (int, error) {
	if r.left == 0 {
		return 0, io.EOF
	}
	n := copy(p[:min(int64(len(p)), r.left)], r.block[r.pos:])
	r.pos = (r.pos + n) % len(r.block)
	r.left -= int64(n)
	return n, nil
}

// BenchmarkAppendCommit stores 256 MiB uploads through versitygw on the
// local disk, Append (in one call, as a tus client sending the whole file
// in one PATCH does, or in 8 MiB chunks) then Commit, and reports MB/s.
// The SHA-256 that ferry computes before Commit is not part of it: the
// sum is computed once, outside the timer.
func BenchmarkAppendCommit(b *testing.B) {
	srv := s3test.Start(b)
	for _, bc := range []struct {
		chunk       int64
		part        int64
		concurrency int
	}{
		{0, s3.DefaultPartSize, 1},
		{0, s3.DefaultPartSize, 2},
		{0, s3.DefaultPartSize, 4},
		{0, s3.DefaultPartSize, 8},
		{0, 64 * mib, 2},
		{0, 64 * mib, 4},
		{8 * mib, s3.DefaultPartSize, 4},
		{32 * mib, s3.DefaultPartSize, 4},
	} {
		name := fmt.Sprintf("chunk=%s/part=%dMiB/conc=%d", chunkName(bc.chunk), bc.part/mib, bc.concurrency)
		b.Run(name, func(b *testing.B) {
			cfg := srv.NewBucket(b)
			cfg.PartSize, cfg.Concurrency = bc.part, bc.concurrency
			s := open(b, cfg)
			const size = 256 * mib
			b.SetBytes(size)
			seed := uint64(0)
			var commit time.Duration
			for b.Loop() {
				b.StopTimer()
				seed++
				sha := sumOf(newRepeat(seed, size))
				b.StartTimer()
				id := fmt.Sprintf("bench-%d", seed)
				r := newRepeat(seed, size)
				chunk := bc.chunk
				if chunk == 0 {
					chunk = size
				}
				for off := int64(0); off < size; off += chunk {
					if _, err := s.Append(b.Context(), id, off, io.LimitReader(r, chunk)); err != nil {
						b.Fatal(err)
					}
				}
				began := time.Now()
				if err := s.Commit(b.Context(), id, sha); err != nil {
					b.Fatal(err)
				}
				commit += time.Since(began)
				b.StopTimer()
				if err := s.Delete(b.Context(), sha); err != nil {
					b.Fatal(err)
				}
				b.StartTimer()
			}
			b.ReportMetric(float64(commit.Milliseconds())/float64(b.N), "commit-ms/op")
		})
	}
}

func chunkName(c int64) string {
	if c == 0 {
		return "all"
	}
	return fmt.Sprintf("%dMiB", c/mib)
}

func sumOf(r io.Reader) string {
	h := sha256.New()
	_, _ = io.Copy(h, r)
	return hex.EncodeToString(h.Sum(nil))
}
