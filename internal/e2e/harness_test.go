package e2e

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/ferryhq/ferry"
	"github.com/ferryhq/ferry/httpapi/wire"
	"github.com/ferryhq/ferry/policy"
	"github.com/ferryhq/ferry/server"
)

// clock is the injected clock: it moves only when a test says so.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }

func (c *clock) Advance(d time.Duration) { c.mu.Lock(); c.t = c.t.Add(d); c.mu.Unlock() }

// env is one running node and what the tests need to talk to it.
type env struct {
	t     testing.TB
	node  *server.Node
	url   string
	clock *clock
	admin string // admin's token
}

const adminPassword = "admin-password-1"

// start runs a node on a fresh data folder; edit adjusts its configuration.
// The last PATCH of an upload waits for the verdict however long it takes,
// so that tests see it in the answer (the default waits 2s).
func start(t testing.TB, edit func(*server.Config)) *env {
	return startWith(t, edit, server.Options{})
}

// startWith is start with extra node options (e.g. test inspectors).
func startWith(t testing.TB, edit func(*server.Config), opts server.Options) *env {
	t.Helper()
	cfg := server.DefaultConfig()
	cfg.Data = t.TempDir()
	cfg.Listen = "127.0.0.1:0"
	cfg.Uploads.VerdictWait = policy.Duration(time.Hour)
	useSharedStores(t, cfg)
	if edit != nil {
		edit(cfg)
	}
	if err := cfg.Complete(); err != nil {
		t.Fatal(err)
	}
	clk := &clock{t: time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)}
	logLevel := slog.LevelWarn
	if os.Getenv("FERRY_TEST_LOG") != "" {
		logLevel = slog.LevelDebug
	}
	log := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: logLevel}))
	opts.Clock, opts.Log = clk, log
	node, err := server.Open(cfg, opts)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := node.Accounts.Bootstrap(context.Background(), adminPassword); err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: node.API}
	go srv.Serve(ln)
	t.Cleanup(func() {
		srv.Close()
		node.Close()
	})
	e := &env{t: t, node: node, url: "http://" + ln.Addr().String(), clock: clk}
	e.admin = e.login("admin", adminPassword)
	return e
}

// resp is a finished response with its body read.
type resp struct {
	*http.Response
	body []byte
}

// errBody decodes an error response.
func (r *resp) errBody() wire.Error {
	var b wire.ErrorBody
	if err := json.Unmarshal(r.body, &b); err != nil {
		return wire.Error{}
	}
	return b.Error
}

// request is one HTTP request to the node.
type request struct {
	method, path, token string
	json                any
	body                io.Reader
	header              map[string]string
}

func (e *env) do(q request) *resp {
	e.t.Helper()
	var body io.Reader = q.body
	if q.json != nil {
		b, _ := json.Marshal(q.json)
		body = bytes.NewReader(b)
	}
	req, err := http.NewRequest(q.method, e.url+q.path, body)
	if err != nil {
		e.t.Fatal(err)
	}
	if q.json != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if q.token != "" {
		req.Header.Set("Authorization", "Bearer "+q.token)
	}
	for k, v := range q.header {
		req.Header.Set(k, v)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		e.t.Fatalf("%s %s: %v", q.method, q.path, err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		e.t.Fatalf("%s %s: read body: %v", q.method, q.path, err)
	}
	return &resp{Response: res, body: b}
}

// decode asserts the status and decodes the JSON body into v.
func (e *env) decode(r *resp, status int, v any) {
	e.t.Helper()
	if r.StatusCode != status {
		e.t.Fatalf("%s %s: status %d, want %d; body %s", r.Request.Method, r.Request.URL.Path, r.StatusCode, status, r.body)
	}
	if v != nil {
		if err := json.Unmarshal(r.body, v); err != nil {
			e.t.Fatalf("decode %s: %v", r.body, err)
		}
	}
}

// wantError asserts a coded error response: status, code, the
// Ferry-Error-Code header, and a non-empty message and remedy.
func (e *env) wantError(r *resp, status int, code ferry.Code) wire.Error {
	e.t.Helper()
	b := r.errBody()
	if r.Request.Method == "HEAD" { // no body: the code travels in the header
		n, _ := strconv.Atoi(r.Header.Get(wire.HeaderErrorCode))
		b.Code = ferry.Code(n)
		b.Name, b.Message, b.Remedy = ferry.Code(b.Code).Name(), "-", "-"
	}
	if r.StatusCode != status || b.Code != code {
		e.t.Fatalf("%s %s: got %d code %d, want %d code %d; body %s", r.Request.Method, r.Request.URL.Path, r.StatusCode, b.Code, status, code, r.body)
	}
	if r.Header.Get(wire.HeaderErrorCode) != strconv.Itoa(int(code)) {
		e.t.Errorf("Ferry-Error-Code header %q, want %d", r.Header.Get(wire.HeaderErrorCode), code)
	}
	if b.Name != code.Name() || b.Message == "" || b.Remedy == "" {
		e.t.Errorf("error body incomplete: %+v", b)
	}
	return b
}

func (e *env) login(user, password string) string {
	e.t.Helper()
	var out wire.LoginResponse
	e.decode(e.do(request{method: "POST", path: "/api/v1/login", json: wire.LoginRequest{Username: user, Password: password}}), 200, &out)
	return out.Token
}

// user creates an account and returns its token.
func (e *env) user(name string, tier ferry.Tier) string {
	e.t.Helper()
	pw := name + "-password"
	e.decode(e.do(request{method: "POST", path: "/api/v1/admin/users", token: e.admin,
		json: wire.CreateUserRequest{Username: name, Password: pw, Tier: tier}}), 201, nil)
	return e.login(name, pw)
}

// create makes a transfer through POST /api/v1/transfers.
func (e *env) create(token string, to []string, name string, size int64, sha string) wire.CreateTransferResponse {
	e.t.Helper()
	var out wire.CreateTransferResponse
	e.decode(e.do(request{method: "POST", path: "/api/v1/transfers", token: token,
		json: wire.CreateTransferRequest{To: to, Name: name, Size: size, SHA256: sha}}), 201, &out)
	return out
}

// patch sends one tus PATCH.
func (e *env) patch(token, url string, offset int64, data []byte, extra map[string]string) *resp {
	e.t.Helper()
	h := map[string]string{"Tus-Resumable": "1.0.0", "Upload-Offset": strconv.FormatInt(offset, 10),
		"Content-Type": "application/offset+octet-stream"}
	for k, v := range extra {
		h[k] = v
	}
	return e.do(request{method: "PATCH", path: url, token: token, body: bytes.NewReader(data), header: h})
}

// head asks the upload's offset.
func (e *env) head(token, url string) *resp {
	return e.do(request{method: "HEAD", path: url, token: token, header: map[string]string{"Tus-Resumable": "1.0.0"}})
}

// send creates a transfer of data and uploads it in one PATCH; it returns
// the transfer ID.
func (e *env) send(token string, to []string, name string, data []byte) string {
	e.t.Helper()
	c := e.create(token, to, name, int64(len(data)), "")
	if len(data) > 0 {
		r := e.patch(token, c.UploadURL, 0, data, nil)
		if r.StatusCode != 204 {
			e.t.Fatalf("PATCH: %d %s", r.StatusCode, r.body)
		}
	}
	return c.ID
}

func (e *env) transfer(token, id string) wire.Transfer {
	e.t.Helper()
	var out wire.Transfer
	e.decode(e.do(request{method: "GET", path: "/api/v1/transfers/" + id, token: token}), 200, &out)
	return out
}

func (e *env) list(token, box string) wire.TransferList {
	e.t.Helper()
	var out wire.TransferList
	e.decode(e.do(request{method: "GET", path: "/api/v1/" + box, token: token}), 200, &out)
	return out
}

func (e *env) storage(token string) int64 {
	e.t.Helper()
	var me wire.Me
	e.decode(e.do(request{method: "GET", path: "/api/v1/me", token: token}), 200, &me)
	return me.StorageBytes
}

func randomBytes(t testing.TB, n int) []byte {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	return b
}

func sha256hex(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}

func sha256b64(b []byte) string {
	s := sha256.Sum256(b)
	return base64.StdEncoding.EncodeToString(s[:])
}

func contains(list []wire.Transfer, id string) bool {
	for _, t := range list {
		if t.ID == id {
			return true
		}
	}
	return false
}
