package client

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/ferryhq/ferry"
	"github.com/ferryhq/ferry/httpapi/wire"
)

// tusServer is just enough of a tus 1.0.0 upload endpoint to exercise the
// client's resume logic, with faults to inject.
type tusServer struct {
	t      *testing.T
	mu     sync.Mutex
	data   []byte
	length int64

	headLie     int64          // >= 0: the next HEAD reports this offset
	dropAfter   int64          // >= 0: the next PATCH keeps this many bytes, then the connection drops
	damageAt    map[int64]bool // the first PATCH at these offsets answers 460
	alwaysClash bool           // every PATCH answers 409
	rejectFinal bool           // the PATCH that completes the file answers 422 (1007)

	patches, conflicts, damaged, drops, heads int
	checksums                                 []string
}

func newTusServer(t *testing.T, length int64) (*tusServer, *httptest.Server) {
	s := &tusServer{t: t, length: length, headLie: -1, dropAfter: -1, damageAt: map[int64]bool{}}
	srv := httptest.NewServer(http.HandlerFunc(s.serve))
	t.Cleanup(srv.Close)
	return s, srv
}

func (s *tusServer) serve(w http.ResponseWriter, r *http.Request) {
	if r.Header.Get("Tus-Resumable") != TusVersion {
		writeErr(w, 412, ferry.CodeProtocolUnsupported)
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	switch r.Method {
	case http.MethodHead:
		s.heads++
		off := int64(len(s.data))
		if s.headLie >= 0 {
			off, s.headLie = s.headLie, -1
		}
		w.Header().Set("Upload-Offset", strconv.FormatInt(off, 10))
		w.Header().Set("Upload-Length", strconv.FormatInt(s.length, 10))
		w.WriteHeader(http.StatusOK)
	case http.MethodPatch:
		s.patch(w, r)
	default:
		writeErr(w, 405, ferry.CodeMethodNotAllowed)
	}
}

func (s *tusServer) patch(w http.ResponseWriter, r *http.Request) {
	s.patches++
	off, err := strconv.ParseInt(r.Header.Get("Upload-Offset"), 10, 64)
	if err != nil || r.Header.Get("Content-Type") != "application/offset+octet-stream" {
		writeErr(w, 400, ferry.CodeBadRequest)
		return
	}
	if off != int64(len(s.data)) || s.alwaysClash {
		s.conflicts++
		writeErr(w, 409, ferry.CodeUploadOffsetConflict)
		return
	}
	if s.dropAfter >= 0 {
		s.drop(w, r)
		return
	}
	body, err := io.ReadAll(r.Body)
	if err != nil {
		return
	}
	if sum := r.Header.Get("Upload-Checksum"); sum != "" {
		s.checksums = append(s.checksums, sum)
		d := sha256.Sum256(body)
		if sum != "sha256 "+base64.StdEncoding.EncodeToString(d[:]) {
			s.t.Errorf("PATCH at %d: Upload-Checksum %q does not match its %d bytes", off, sum, len(body))
		}
	}
	if s.damageAt[off] {
		delete(s.damageAt, off)
		s.damaged++
		writeErr(w, 460, ferry.CodeChunkChecksumMismatch)
		return
	}
	if s.rejectFinal && off+int64(len(body)) == s.length {
		writeErr(w, 422, ferry.CodeChecksumMismatch)
		return
	}
	s.data = append(s.data, body...)
	w.Header().Set("Upload-Offset", strconv.Itoa(len(s.data)))
	w.WriteHeader(http.StatusNoContent)
}

// drop keeps dropAfter bytes of the body, then closes the connection
// without an answer, as a network failure would.
func (s *tusServer) drop(w http.ResponseWriter, r *http.Request) {
	buf := make([]byte, s.dropAfter)
	s.dropAfter = -1
	n, _ := io.ReadFull(r.Body, buf)
	s.data = append(s.data, buf[:n]...)
	s.drops++
	conn, _, err := w.(http.Hijacker).Hijack()
	if err != nil {
		s.t.Errorf("hijack: %v", err)
		return
	}
	conn.Close()
}

// writeErr answers as the server does: the code in a header and the body.
func writeErr(w http.ResponseWriter, status int, code ferry.Code) {
	body := wire.ErrorBody{Error: wire.NewError(ferry.E(code), ferry.English)}
	w.Header().Set(wire.HeaderErrorCode, strconv.Itoa(int(code)))
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(body)
}

func (s *tusServer) snapshot() []byte {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]byte(nil), s.data...)
}

func uploadURL(srv *httptest.Server) string {
	return srv.URL + "/api/v1/uploads/u1"
}

// testData is deterministic, non-repeating-looking content.
func testData(n int) []byte {
	b := make([]byte, n)
	x := uint32(2463534242)
	for i := range b {
		x ^= x << 13
		x ^= x >> 17
		x ^= x << 5
		b[i] = byte(x)
	}
	return b
}

func newTestClient(srv *httptest.Server) *Client {
	return &Client{BaseURL: srv.URL, Token: "tok", HTTP: srv.Client(), Lang: "en", Version: "9.9.9"}
}

func errCode(err error) ferry.Code {
	if we := AsError(err); we != nil {
		return we.Code
	}
	return 0
}

func hasPrefixAll(list []string, prefix string) bool {
	for _, s := range list {
		if !strings.HasPrefix(s, prefix) {
			return false
		}
	}
	return len(list) > 0
}
