package e2e

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"
	"testing"
)

// brokenPatch sends a PATCH that announces length bytes but whose stream
// ends after part of them, as when a phone loses its network: it writes the
// request on a raw connection, shuts down its sending side, and reads the
// server's answer to the broken request — so the test knows, without
// waiting, when the server has dealt with it.
func brokenPatch(e *env, token, path string, offset int64, part []byte, length int64) *http.Response {
	e.t.Helper()
	conn, err := net.Dial("tcp", strings.TrimPrefix(e.url, "http://"))
	if err != nil {
		e.t.Fatal(err)
	}
	defer conn.Close()
	fmt.Fprintf(conn, "PATCH %s HTTP/1.1\r\nHost: ferry\r\nAuthorization: Bearer %s\r\nTus-Resumable: 1.0.0\r\n"+
		"Upload-Offset: %d\r\nContent-Type: application/offset+octet-stream\r\nContent-Length: %d\r\n\r\n",
		path, token, offset, length)
	if _, err := conn.Write(part); err != nil {
		e.t.Fatal(err)
	}
	conn.(*net.TCPConn).CloseWrite()
	res, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		e.t.Fatalf("no answer to the broken PATCH: %v", err)
	}
	io.Copy(io.Discard, res.Body)
	res.Body.Close()
	return res
}

// resumeUpload does what a tus client does after a break: ask the offset
// (HEAD), send the rest (PATCH), and on 409 ask again. It returns the
// offset of the first HEAD.
func resumeUpload(t *testing.T, e *env, token, url string, data []byte) int64 {
	t.Helper()
	first := int64(-1)
	for attempt := 0; attempt < 10; attempt++ {
		h := e.head(token, url)
		if h.StatusCode != 200 {
			t.Fatalf("HEAD: %d %s", h.StatusCode, h.body)
		}
		off, err := strconv.ParseInt(h.Header.Get("Upload-Offset"), 10, 64)
		if err != nil {
			t.Fatalf("HEAD Upload-Offset %q", h.Header.Get("Upload-Offset"))
		}
		if h.Header.Get("Upload-Length") != strconv.Itoa(len(data)) {
			t.Fatalf("HEAD Upload-Length %q", h.Header.Get("Upload-Length"))
		}
		if first < 0 {
			first = off
		}
		r := e.patch(token, url, off, data[off:], nil)
		switch r.StatusCode {
		case 204:
			return first
		case 409, 423: // the dead request had not let go yet: ask again
			continue
		default:
			t.Fatalf("resume PATCH: %d %s", r.StatusCode, r.body)
		}
	}
	t.Fatal("upload did not complete after 10 attempts")
	return 0
}
