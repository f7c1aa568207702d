package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ferryhq/ferry"
	"github.com/ferryhq/ferry/httpapi/wire"
)

// cli runs the command tree in-process with its own config folder.
type cli struct {
	t   *testing.T
	env map[string]string
	api *fakeAPI
}

func newCLI(t *testing.T) *cli {
	return &cli{t: t, env: map[string]string{"FERRY_CONFIG_DIR": t.TempDir(), "LANG": "en_US.UTF-8"}}
}

// withAPI starts a fake server and signs in to it as ana.
func (c *cli) withAPI() *fakeAPI {
	c.api = newFakeAPI(c.t)
	if code, _, errOut := c.run("secret\n", "login", "--server", c.api.srv.URL, "--user", "ana", "--password-stdin"); code != 0 {
		c.t.Fatalf("login: %d %s", code, errOut)
	}
	return c.api
}

func (c *cli) run(stdin string, args ...string) (code int, stdout, stderr string) {
	var out, errb bytes.Buffer
	a := &app{stdin: strings.NewReader(stdin), stdout: &out, stderr: &errb,
		getenv: func(k string) string { return c.env[k] }, version: "1.0.0-test"}
	if c.api != nil {
		a.http = c.api.srv.Client()
	}
	code = a.run(context.Background(), args)
	return code, out.String(), errb.String()
}

func (c *cli) configPath(name string) string {
	return filepath.Join(c.env["FERRY_CONFIG_DIR"], "ferry", name)
}

func TestCodesInEachLanguage(t *testing.T) {
	c := newCLI(t)
	code, out, _ := c.run("", "codes")
	if code != 0 || !strings.Contains(out, "6002  FILE_TOO_LARGE") || !strings.Contains(out, ferry.CodeFileTooLarge.Info().En.Remedy) {
		t.Fatalf("codes: %d\n%s", code, out)
	}
	c.env["LANG"] = "zh_CN.UTF-8"
	if _, out, _ = c.run("", "codes"); !strings.Contains(out, ferry.CodeFileTooLarge.Info().Zh.Message) {
		t.Errorf("LANG=zh_CN: no Chinese message\n%s", out)
	}
	_, out, _ = c.run("", "codes", "--json")
	var codes wire.Codes
	if err := json.Unmarshal([]byte(out), &codes); err != nil || len(codes.Codes) != len(ferry.Codes()) {
		t.Errorf("--json: %v, %d codes", err, len(codes.Codes))
	}
}

func TestVersionAndHelp(t *testing.T) {
	c := newCLI(t)
	if code, out, _ := c.run("", "version"); code != 0 || out != "ferry 1.0.0-test\n" {
		t.Errorf("version: %d %q", code, out)
	}
	if code, out, _ := c.run("", "--help"); code != 0 || !strings.Contains(out, "send") {
		t.Errorf("--help: %d %q", code, out)
	}
}

func TestUsageErrorsExitTwo(t *testing.T) {
	c := newCLI(t)
	for _, args := range [][]string{
		{"bogus"}, {"user", "bogus"}, {"status"}, {"get", "a", "b"}, {"inbox", "--bogus"},
		{"send", "x.txt"}, {"send", "--to", "bo"}, {"send", "x", "--to", "bo", "--chunk-size", "lots"},
		{"login", "--user", "ana"}, {"user", "set", "bo"}, {"user", "add", "bo"},
	} {
		code, out, errOut := c.run("", args...)
		if code != 2 || !strings.HasPrefix(errOut, "error: ") || !strings.Contains(errOut, "--help' for usage") {
			t.Errorf("%q: exit %d, stdout %q, stderr %q", args, code, out, errOut)
		}
	}
}

func TestNotSignedIn(t *testing.T) {
	code, _, errOut := newCLI(t).run("", "inbox")
	if code != 1 || !strings.Contains(errOut, "ferry login") {
		t.Errorf("exit %d, %q", code, errOut)
	}
}

func TestWireErrorPrinting(t *testing.T) {
	c := newCLI(t)
	api := c.withAPI()
	api.createErr = &wire.Error{Code: ferry.CodeFileTooLarge, Name: "FILE_TOO_LARGE", Status: 413,
		Message: "The file is 6 GB; your tier allows 5 GB.", Remedy: "Split the file.", Rule: "tiers.free.max_file_size", RetryAfterSeconds: 30}
	file := writeFile(t, "big.iso", []byte("not really big"))
	code, out, errOut := c.run("", "send", file, "--to", "bo")
	want := "error 6002 FILE_TOO_LARGE: The file is 6 GB; your tier allows 5 GB.\n" +
		"remedy: Split the file.\nrule: tiers.free.max_file_size\nretry after: 30s\n"
	if code != 1 || out != "" || errOut != want {
		t.Errorf("exit %d\nstdout %q\nstderr %q\nwant   %q", code, out, errOut, want)
	}
}

func TestServerErrorInUsersLanguage(t *testing.T) {
	c := newCLI(t)
	c.withAPI()
	c.env["LC_ALL"] = "zh_CN.UTF-8"
	code, _, errOut := c.run("", "status", "nope")
	info := ferry.CodeNotFound.Info()
	if code != 1 || errOut != "error 8003 NOT_FOUND: "+info.Zh.Message+"\nremedy: "+info.Zh.Remedy+"\n" {
		t.Errorf("exit %d, stderr %q", code, errOut)
	}
}

func TestLoginLogout(t *testing.T) {
	c := newCLI(t)
	c.withAPI()
	fi, err := os.Stat(c.configPath("config.json"))
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("config.json: %v %v", err, fi)
	}
	var s session
	if _, err := readJSONFile(c.configPath("config.json"), &s); err != nil || s.Token != "tok-ana" || s.User != "ana" || s.ExpiresAt.IsZero() {
		t.Fatalf("session %+v %v", s, err)
	}
	if code, _, errOut := c.run("wrong\n", "login", "--server", s.Server, "--user", "ana", "--password-stdin"); code != 1 || !strings.HasPrefix(errOut, "error 4001 LOGIN_FAILED: ") {
		t.Errorf("wrong password: %d %q", code, errOut)
	}
	if code, out, _ := c.run("", "logout"); code != 0 || out != "signed out\n" {
		t.Errorf("logout: %d %q", code, out)
	}
	if _, err := os.Stat(c.configPath("config.json")); !os.IsNotExist(err) {
		t.Errorf("config.json still there: %v", err)
	}
}

func TestPasswordNeedsTerminalOrStdin(t *testing.T) {
	code, _, errOut := newCLI(t).run("", "login", "--server", "http://127.0.0.1:1", "--user", "ana")
	if code != 1 || !strings.Contains(errOut, "--password-stdin") {
		t.Errorf("exit %d, %q", code, errOut)
	}
}

func writeFile(t *testing.T, name string, b []byte) string {
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// ferry migrate brings the metadata store of the configuration up to date
// and exits: a fresh data folder gets its database, a second run finds
// nothing to do, and a configuration that names no reachable store fails.
func TestMigrate(t *testing.T) {
	c := newCLI(t)
	data := t.TempDir()
	for range 2 {
		code, out, errOut := c.run("", "migrate", "--data", data)
		if code != 0 || !strings.Contains(out, "up to date") || !strings.Contains(out, filepath.Join(data, "ferry.db")) {
			t.Fatalf("migrate: %d %q %q", code, out, errOut)
		}
	}
	if _, err := os.Stat(filepath.Join(data, "ferry.db")); err != nil {
		t.Fatal(err)
	}
	cfg := filepath.Join(t.TempDir(), "ferry.yaml")
	os.WriteFile(cfg, []byte("metadata: {driver: postgres, dsn: \"postgres://nobody@127.0.0.1:1/none?sslmode=disable&connect_timeout=2\"}\n"), 0o600)
	if code, _, errOut := c.run("", "migrate", "--config", cfg); code == 0 || !strings.Contains(errOut, "migrate") {
		t.Errorf("migrate against no server: %d %q", code, errOut)
	}
}
