package transfer

import (
	"crypto/sha256"
	"encoding"
	"encoding/binary"
	"hash"
	"io"

	"github.com/ferryhq/ferry"
)

// An upload is hashed as its bytes arrive, and the SHA-256 state is kept
// with the transfer (ferry.Transfer.UploadHash) between its requests, so
// that when the last byte is in, the content's hash is ready: nothing is
// read back. Where the state is missing or does not match what the stage
// holds (a chunk that was kept in part, a stage that lost its tail), the
// upload goes on unhashed and verify reads the stage back, as before.

// hashStateVersion starts an encoded state; another version is not used.
const hashStateVersion = 1

// encodeHashState encodes the state of h after offset bytes.
func encodeHashState(offset int64, h hash.Hash) []byte {
	m, err := h.(encoding.BinaryMarshaler).MarshalBinary()
	if err != nil {
		return nil
	}
	b := make([]byte, 9, 9+len(m))
	b[0] = hashStateVersion
	binary.BigEndian.PutUint64(b[1:], uint64(offset))
	return append(b, m...)
}

// decodeHashState returns the hash that b encodes when it is the state
// after exactly offset bytes; false otherwise.
func decodeHashState(b []byte, offset int64) (hash.Hash, bool) {
	if len(b) < 9 || b[0] != hashStateVersion || binary.BigEndian.Uint64(b[1:]) != uint64(offset) {
		return nil, false
	}
	h := sha256.New()
	if err := h.(encoding.BinaryUnmarshaler).UnmarshalBinary(b[9:]); err != nil {
		return nil, false
	}
	return h, true
}

// hashingReader hashes what it reads, on a goroutine of its own, so that
// hashing and writing the bytes use two CPUs: a request's bytes arrive
// as fast as without it. The goroutine works through at most hashBufs
// buffers of hashBufSize at a time; finish waits for it.
type hashingReader struct {
	r    io.Reader
	h    hash.Hash
	n    int64
	cur  []byte        // the buffer being filled
	full chan []byte   // to the hasher
	free chan []byte   // back from it
	done chan struct{} // closed when the hasher has hashed everything
}

const (
	hashBufSize = 256 << 10
	hashBufs    = 4
)

func newHashingReader(h hash.Hash) *hashingReader {
	hr := &hashingReader{h: h, full: make(chan []byte, hashBufs), free: make(chan []byte, hashBufs), done: make(chan struct{})}
	for range hashBufs {
		hr.free <- make([]byte, 0, hashBufSize)
	}
	go func() {
		defer close(hr.done)
		for b := range hr.full {
			hr.h.Write(b)
			hr.free <- b[:0]
		}
	}()
	return hr
}

func (hr *hashingReader) Read(p []byte) (int, error) {
	n, err := hr.r.Read(p)
	hr.n += int64(n)
	for b := p[:n]; len(b) > 0; {
		if hr.cur == nil {
			hr.cur = <-hr.free
		}
		k := copy(hr.cur[len(hr.cur):cap(hr.cur)], b)
		hr.cur, b = hr.cur[:len(hr.cur)+k], b[k:]
		if len(hr.cur) == cap(hr.cur) {
			hr.full <- hr.cur
			hr.cur = nil
		}
	}
	return n, err
}

// finish waits until every byte read is hashed and returns the hash. It
// must be called once, whatever became of the reads.
func (hr *hashingReader) finish() hash.Hash {
	if len(hr.cur) > 0 {
		hr.full <- hr.cur
	}
	close(hr.full)
	<-hr.done
	return hr.h
}

// resumeHash returns the running hash of t's upload at held bytes, or nil
// when it is not known (the upload then goes on unhashed).
func resumeHash(t *ferry.Transfer, held int64) *hashingReader {
	if held == 0 {
		return newHashingReader(sha256.New())
	}
	if h, ok := decodeHashState(t.UploadHash, held); ok {
		return newHashingReader(h)
	}
	return nil
}
