package main

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/ferryhq/ferry"
	"github.com/ferryhq/ferry/httpapi/wire"
)

// fakeAPI is just enough of ferry's HTTP API for the command line's
// tests: login, create (with instant transfer), tus HEAD/PATCH, transfer
// state, content with Range, inbox pages and admin users.
type fakeAPI struct {
	t   *testing.T
	srv *httptest.Server

	mu        sync.Mutex
	transfers map[string]*wire.Transfer
	staged    map[string][]byte // upload bytes per transfer ID
	blobs     map[string][]byte // content by SHA-256
	pages     map[string]wire.TransferList
	createErr *wire.Error // answer every create with this
	expireOne bool        // the next PATCH past offset 0 answers 401
	requests  []string    // "METHOD path" of every request
	ranges    []string    // Range headers of content requests
	users     []wire.Account
	bodies    []map[string]any // decoded admin request bodies
}

func newFakeAPI(t *testing.T) *fakeAPI {
	f := &fakeAPI{t: t, transfers: map[string]*wire.Transfer{}, staged: map[string][]byte{},
		blobs: map[string][]byte{}, pages: map[string]wire.TransferList{}}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /api/v1/login", f.login)
	mux.HandleFunc("POST /api/v1/transfers", f.create)
	mux.HandleFunc("POST /api/v1/transfers/{id}/proof", f.proof)
	mux.HandleFunc("GET /api/v1/transfers/{id}", f.transfer)
	mux.HandleFunc("GET /api/v1/transfers/{id}/content", f.content)
	mux.HandleFunc("HEAD /api/v1/uploads/{id}", f.head)
	mux.HandleFunc("PATCH /api/v1/uploads/{id}", f.patch)
	mux.HandleFunc("GET /api/v1/inbox", f.inbox)
	mux.HandleFunc("/api/v1/admin/users", f.admin)
	mux.HandleFunc("PATCH /api/v1/admin/users/{name}", f.updateUser)
	f.srv = httptest.NewServer(f.guard(mux))
	t.Cleanup(f.srv.Close)
	return f
}

// guard records requests, checks the client version and the token.
func (f *fakeAPI) guard(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		f.mu.Lock()
		defer f.mu.Unlock()
		f.requests = append(f.requests, r.Method+" "+r.URL.Path)
		if r.Header.Get(wire.HeaderClientVersion) != "1.0.0-test" {
			f.t.Errorf("%s %s without Ferry-Client-Version", r.Method, r.URL.Path)
		}
		if r.URL.Path != "/api/v1/login" && r.Header.Get("Authorization") != "Bearer tok-ana" {
			writeErr(w, ferry.E(ferry.CodeUnauthenticated), r)
			return
		}
		next.ServeHTTP(w, r)
	})
}

func writeErr(w http.ResponseWriter, e *ferry.Error, r *http.Request) {
	lang := ferry.English
	if r.Header.Get("Accept-Language") == "zh-CN" {
		lang = ferry.Chinese
	}
	we := wire.NewError(e, lang)
	if we.RetryAfterSeconds > 0 {
		w.Header().Set("Retry-After", strconv.FormatInt(we.RetryAfterSeconds, 10))
	}
	writeWire(w, &we)
}

func writeWire(w http.ResponseWriter, we *wire.Error) {
	w.Header().Set(wire.HeaderErrorCode, strconv.Itoa(int(we.Code)))
	writeJSONStatus(w, we.Status, wire.ErrorBody{Error: *we})
}

func writeJSONStatus(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func (f *fakeAPI) login(w http.ResponseWriter, r *http.Request) {
	var req wire.LoginRequest
	_ = json.NewDecoder(r.Body).Decode(&req)
	if req.Password != "secret" {
		writeErr(w, ferry.E(ferry.CodeLoginFailed), r)
		return
	}
	exp := time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC)
	writeJSONStatus(w, 200, wire.LoginResponse{Token: "tok-" + req.Username, ExpiresAt: exp})
}

func (f *fakeAPI) create(w http.ResponseWriter, r *http.Request) {
	if f.createErr != nil {
		writeWire(w, f.createErr)
		return
	}
	var req wire.CreateTransferRequest
	_ = json.NewDecoder(r.Body).Decode(&req)
	id := "t" + strconv.Itoa(len(f.transfers)+1)
	t := &wire.Transfer{ID: id, Name: req.Name, Size: req.Size, SHA256: req.SHA256, State: ferry.StateUploading, Sender: "ana"}
	for _, to := range req.To {
		t.Recipients = append(t.Recipients, wire.Recipient{Username: to, Status: ferry.RecipientPending})
	}
	f.transfers[id] = t
	resp := wire.CreateTransferResponse{ID: id, UploadURL: "/api/v1/uploads/" + id, Transfer: *t}
	if b, ok := f.blobs[req.SHA256]; ok && len(b) > 10 {
		resp.Challenge = &ferry.Challenge{Ranges: []ferry.ByteRange{{Offset: 3, Length: 5}, {Offset: 0, Length: 2}}}
	}
	writeJSONStatus(w, http.StatusCreated, resp)
}

func (f *fakeAPI) proof(w http.ResponseWriter, r *http.Request) {
	t := f.transfers[r.PathValue("id")]
	var req wire.ProofRequest
	_ = json.NewDecoder(r.Body).Decode(&req)
	b := f.blobs[t.SHA256]
	sum := sha256.Sum256(append(append([]byte{}, b[3:8]...), b[0:2]...))
	if req.SHA256 != hex.EncodeToString(sum[:]) {
		writeJSONStatus(w, 200, wire.ProofResponse{UploadURL: "/api/v1/uploads/" + t.ID, Transfer: *t})
		return
	}
	t.State = ferry.StateAvailable
	writeJSONStatus(w, 200, wire.ProofResponse{Instant: true, Transfer: *t})
}

func (f *fakeAPI) transfer(w http.ResponseWriter, r *http.Request) {
	t, ok := f.transfers[r.PathValue("id")]
	if !ok {
		writeErr(w, ferry.E(ferry.CodeNotFound), r)
		return
	}
	writeJSONStatus(w, 200, t)
}

func (f *fakeAPI) head(w http.ResponseWriter, r *http.Request) {
	t, ok := f.transfers[r.PathValue("id")]
	if !ok || t.State != ferry.StateUploading {
		w.Header().Set(wire.HeaderErrorCode, "8003")
		w.WriteHeader(http.StatusNotFound)
		return
	}
	w.Header().Set("Upload-Offset", strconv.Itoa(len(f.staged[t.ID])))
	w.Header().Set("Upload-Length", strconv.FormatInt(t.Size, 10))
}

func (f *fakeAPI) patch(w http.ResponseWriter, r *http.Request) {
	t := f.transfers[r.PathValue("id")]
	off, _ := strconv.Atoi(r.Header.Get("Upload-Offset"))
	if t == nil || off != len(f.staged[t.ID]) {
		writeErr(w, ferry.E(ferry.CodeUploadOffsetConflict), r)
		return
	}
	if off > 0 && f.expireOne {
		f.expireOne = false
		writeErr(w, ferry.E(ferry.CodeUnauthenticated), r)
		return
	}
	body, _ := io.ReadAll(r.Body)
	data := append(f.staged[t.ID], body...)
	f.staged[t.ID] = data
	if int64(len(data)) == t.Size {
		sum := sha256.Sum256(data)
		t.State, t.Offset = ferry.StateAvailable, t.Size
		if hex.EncodeToString(sum[:]) != t.SHA256 {
			t.State = ferry.StateRejected
			e := wire.NewError(ferry.E(ferry.CodeChecksumMismatch), ferry.English)
			t.Error = &e
		}
		f.blobs[t.SHA256] = data
	}
	w.Header().Set("Upload-Offset", strconv.Itoa(len(data)))
	w.WriteHeader(http.StatusNoContent)
}

func (f *fakeAPI) content(w http.ResponseWriter, r *http.Request) {
	t := f.transfers[r.PathValue("id")]
	b, ok := f.blobs[t.SHA256]
	if !ok {
		b = f.staged[t.ID]
	}
	f.ranges = append(f.ranges, r.Header.Get("Range"))
	sum := sha256.Sum256(b)
	w.Header().Set("ETag", `"`+hex.EncodeToString(sum[:])+`"`)
	w.Header().Set("Content-Disposition", "attachment; filename*=UTF-8''"+url.PathEscape(t.Name))
	http.ServeContent(w, r, "", time.Time{}, bytes.NewReader(b))
}

func (f *fakeAPI) inbox(w http.ResponseWriter, r *http.Request) {
	writeJSONStatus(w, 200, f.pages[r.URL.Query().Get("cursor")])
}

func (f *fakeAPI) admin(w http.ResponseWriter, r *http.Request) {
	if r.Method == http.MethodGet {
		writeJSONStatus(w, 200, wire.Users{Users: f.users})
		return
	}
	var body map[string]any
	_ = json.NewDecoder(r.Body).Decode(&body)
	f.bodies = append(f.bodies, body)
	name, _ := body["username"].(string)
	writeJSONStatus(w, http.StatusCreated, wire.Account{Username: name, Tier: ferry.Tier(body["tier"].(string))})
}

func (f *fakeAPI) updateUser(w http.ResponseWriter, r *http.Request) {
	var body map[string]any
	_ = json.NewDecoder(r.Body).Decode(&body)
	f.bodies = append(f.bodies, body)
	writeJSONStatus(w, 200, wire.Account{Username: r.PathValue("name"), Tier: ferry.TierEdu, Disabled: body["disabled"] == true})
}

// addTransfer stores a delivered transfer with content b.
func (f *fakeAPI) addTransfer(id, name string, b []byte) *wire.Transfer {
	f.mu.Lock()
	defer f.mu.Unlock()
	sum := sha256.Sum256(b)
	t := &wire.Transfer{ID: id, Name: name, Size: int64(len(b)), SHA256: hex.EncodeToString(sum[:]), State: ferry.StateAvailable, Sender: "bo"}
	f.transfers[id] = t
	f.blobs[t.SHA256] = b
	return t
}

func (f *fakeAPI) count(req string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	n := 0
	for _, r := range f.requests {
		if r == req {
			n++
		}
	}
	return n
}
