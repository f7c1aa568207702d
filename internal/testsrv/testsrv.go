// Package testsrv is what the test helpers that start real servers
// (inspect/clamd/clamdtest, meta/postgres/pgtest, blob/s3/s3test) share:
// when a missing server skips a test and when it fails it, finding the
// server's programs, and a free loopback port.
package testsrv

import (
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// Required reports whether a test that needs a server must fail, rather
// than skip, where the server is not installed: in CI (CI set to anything
// but "", "0" or "false"), or with the variable env (FERRY_REQUIRE_…) set
// to 1 — as `make test` does, having installed every server.
func Required(env string) bool {
	switch strings.ToLower(os.Getenv("CI")) {
	case "", "0", "false":
		return os.Getenv(env) == "1"
	}
	return true
}

// Missing skips tb for the reason msg (what is missing and how to install
// it), or fails it where the server is required (see Required).
func Missing(tb testing.TB, env, msg string) {
	tb.Helper()
	if Required(env) {
		tb.Fatal(msg)
	}
	tb.Skip(msg + "; this skip is a failure in CI or with " + env + "=1")
}

// LookPath finds the program name in PATH, then in dirs (where packages
// put programs outside PATH: /usr/sbin, Debian's PostgreSQL folders, Go's
// bin folder).
func LookPath(name string, dirs ...string) (string, error) {
	if p, err := exec.LookPath(name); err == nil {
		return p, nil
	}
	for _, d := range dirs {
		p := filepath.Join(d, name)
		if fi, err := os.Stat(p); err == nil && fi.Mode().IsRegular() && fi.Mode()&0o111 != 0 {
			return p, nil
		}
	}
	if len(dirs) == 0 {
		return "", fmt.Errorf("%s not found in PATH", name)
	}
	return "", fmt.Errorf("%s not found in PATH or %s", name, strings.Join(dirs, ", "))
}

// FreePort returns a TCP port on 127.0.0.1 that was free a moment ago.
// Another process may take it before the server does: start the server
// again on another when it reports the address in use.
func FreePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, fmt.Errorf("find a free port: %w", err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}
