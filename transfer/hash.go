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

// hashingReader hashes what it reads.
type hashingReader struct {
	r io.Reader
	h hash.Hash
	n int64
}

func (h *hashingReader) Read(p []byte) (int, error) {
	n, err := h.r.Read(p)
	h.h.Write(p[:n])
	h.n += int64(n)
	return n, err
}

// resumeHash returns the running hash of t's upload at held bytes, or nil
// when it is not known (the upload then goes on unhashed).
func resumeHash(t *ferry.Transfer, held int64) *hashingReader {
	if held == 0 {
		return &hashingReader{h: sha256.New()}
	}
	if h, ok := decodeHashState(t.UploadHash, held); ok {
		return &hashingReader{h: h}
	}
	return nil
}
