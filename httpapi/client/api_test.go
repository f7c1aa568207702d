package client

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/ferryhq/ferry"
	"github.com/ferryhq/ferry/httpapi/wire"
)

func newServer(t *testing.T, h http.HandlerFunc) *httptest.Server {
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return srv
}

func TestRequestsCarryFerryHeaders(t *testing.T) {
	var got http.Header
	var path string
	srv := newServer(t, func(w http.ResponseWriter, r *http.Request) {
		got, path = r.Header.Clone(), r.URL.RequestURI()
		_ = json.NewEncoder(w).Encode(wire.TransferList{NextCursor: "c2"})
	})
	c := newTestClient(srv)
	c.BaseURL += "/" // a trailing slash is tolerated
	list, err := c.Inbox(context.Background(), 10, "c1")
	if err != nil || list.NextCursor != "c2" {
		t.Fatalf("Inbox: %v %+v", err, list)
	}
	if path != "/api/v1/inbox?cursor=c1&limit=10" {
		t.Errorf("path %q", path)
	}
	want := map[string]string{"Authorization": "Bearer tok", "Accept-Language": "en", wire.HeaderClientVersion: "9.9.9"}
	for k, v := range want {
		if got.Get(k) != v {
			t.Errorf("header %s = %q, want %q", k, got.Get(k), v)
		}
	}
}

func TestJSONErrorBodyIsDecoded(t *testing.T) {
	srv := newServer(t, func(w http.ResponseWriter, r *http.Request) {
		e := ferry.E(ferry.CodeFileTooLarge).WithRule("tiers.free.max_file_size").
			With("limit", ferry.Bytes(5e9)).With("actual", ferry.Bytes(6e9))
		body := wire.ErrorBody{Error: wire.NewError(e, ferry.Chinese)}
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusRequestEntityTooLarge)
		_ = json.NewEncoder(w).Encode(body)
	})
	_, err := newTestClient(srv).CreateTransfer(context.Background(), wire.CreateTransferRequest{To: []string{"bo"}, Name: "a.iso", Size: 6e9})
	we := AsError(err)
	if we == nil {
		t.Fatalf("err = %v, want *wire.Error", err)
	}
	if we.Status != 413 || we.Code != ferry.CodeFileTooLarge || we.Name != "FILE_TOO_LARGE" || we.Rule != "tiers.free.max_file_size" {
		t.Errorf("decoded %+v", we)
	}
	if we.Message == "" || we.Remedy == "" || we.Details["limit"] == nil {
		t.Errorf("message, remedy or details lost: %+v", we)
	}
}

func TestNonJSONErrorUsesHeaderCode(t *testing.T) {
	srv := newServer(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		w.Header().Set(wire.HeaderErrorCode, "3001")
		w.Header().Set("Retry-After", "7")
		w.WriteHeader(http.StatusServiceUnavailable)
		_, _ = w.Write([]byte("<html>busy</html>"))
	})
	c := newTestClient(srv)
	c.Lang = "zh-CN"
	_, err := c.Me(context.Background())
	we := AsError(err)
	if we == nil || we.Code != ferry.CodeServerBusy || we.Name != "SERVER_BUSY" || we.Status != 503 {
		t.Fatalf("err = %#v", err)
	}
	if we.RetryAfterSeconds != 7 || !we.Retryable {
		t.Errorf("retry: %+v", we)
	}
	if !strings.Contains(we.Message, ferry.CodeServerBusy.Info().Zh.Message) || we.Remedy != ferry.CodeServerBusy.Info().Zh.Remedy {
		t.Errorf("want the catalogue's Chinese text, got %q / %q", we.Message, we.Remedy)
	}
}

func TestNonJSONErrorWithoutHeaderUsesStatus(t *testing.T) {
	srv := newServer(t, func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "bad gateway", http.StatusBadGateway)
	})
	_, err := newTestClient(srv).Users(context.Background())
	we := AsError(err)
	if we == nil || we.Code != ferry.CodeInternal || we.Status != 502 || !strings.Contains(we.Message, "HTTP 502") {
		t.Fatalf("err = %#v", err)
	}
}

func TestLoginAndAdminCalls(t *testing.T) {
	var seen []string
	srv := newServer(t, func(w http.ResponseWriter, r *http.Request) {
		seen = append(seen, r.Method+" "+r.URL.Path)
		switch r.URL.Path {
		case "/api/v1/login":
			var req wire.LoginRequest
			_ = json.NewDecoder(r.Body).Decode(&req)
			if req.Username != "ana" || req.Password != "pw" || r.Header.Get("Authorization") != "" {
				writeErr(w, 401, ferry.CodeLoginFailed)
				return
			}
			_ = json.NewEncoder(w).Encode(wire.LoginResponse{Token: "t1"})
		default:
			var req wire.UpdateUserRequest
			_ = json.NewDecoder(r.Body).Decode(&req)
			if req.Tier == nil || *req.Tier != ferry.TierEdu || req.Disabled != nil {
				t.Errorf("update body %+v", req)
			}
			_ = json.NewEncoder(w).Encode(wire.Account{Username: "李 雷", Tier: ferry.TierEdu})
		}
	})
	c := newTestClient(srv)
	c.Token = ""
	resp, err := c.Login(context.Background(), wire.LoginRequest{Username: "ana", Password: "pw"})
	if err != nil || resp.Token != "t1" {
		t.Fatalf("Login: %v %+v", err, resp)
	}
	tier := ferry.TierEdu
	if _, err := c.UpdateUser(context.Background(), "李 雷", wire.UpdateUserRequest{Tier: &tier}); err != nil {
		t.Fatalf("UpdateUser: %v", err)
	}
	if seen[1] != "PATCH /api/v1/admin/users/李 雷" {
		t.Errorf("requests %q", seen)
	}
}

func TestResolveUploadURL(t *testing.T) {
	c := &Client{BaseURL: "http://h:8080"}
	for ref, want := range map[string]string{
		"/api/v1/uploads/x":           "http://h:8080/api/v1/uploads/x",
		"https://other/api/uploads/y": "https://other/api/uploads/y",
	} {
		if got, err := c.Resolve(ref); err != nil || got != want {
			t.Errorf("Resolve(%q) = %q, %v; want %q", ref, got, err, want)
		}
	}
}

func TestProof(t *testing.T) {
	data := testData(4096)
	ch := &ferry.Challenge{Ranges: []ferry.ByteRange{{Offset: 1000, Length: 64}, {Offset: 0, Length: 3}, {Offset: 4000, Length: 96}}}
	var want []byte
	for _, r := range ch.Ranges {
		want = append(want, data[r.Offset:r.Offset+r.Length]...)
	}
	sum := sha256.Sum256(want)
	got, err := Proof(bytes.NewReader(data), ch)
	if err != nil || got != hex.EncodeToString(sum[:]) {
		t.Fatalf("Proof = %q, %v; want %x", got, err, sum)
	}
	ch.Ranges = append(ch.Ranges, ferry.ByteRange{Offset: 4090, Length: 10})
	if _, err := Proof(bytes.NewReader(data), ch); err == nil {
		t.Error("a range past the end must fail")
	}
	if _, err := Proof(bytes.NewReader(data), nil); err == nil {
		t.Error("a nil challenge must fail")
	}
}
