package clamd

import (
	"strings"
	"testing"
	"time"

	"go.yaml.in/yaml/v3"
)

func TestConfigDefaults(t *testing.T) {
	var c Config
	if err := c.Complete(); err != nil {
		t.Fatal(err)
	}
	want := Config{Timeout: 2 * time.Minute, ChunkSize: 256 << 10, MaxSize: 100 << 20, Oversize: "reject"}
	if c != want || c.Enabled() {
		t.Errorf("zero Config completed to %+v (enabled %v); want %+v, disabled", c, c.Enabled(), want)
	}
}

func TestConfigYAML(t *testing.T) {
	var c Config
	src := "address: unix:///run/clamav/clamd.ctl\ntimeout: 30s\nchunk_size: 64KiB\nmax_size: 1GB\noversize: skip\n"
	if err := yaml.Unmarshal([]byte(src), &c); err != nil {
		t.Fatal(err)
	}
	if err := c.Complete(); err != nil {
		t.Fatal(err)
	}
	want := Config{Address: "unix:///run/clamav/clamd.ctl", Timeout: 30 * time.Second, ChunkSize: 64 << 10, MaxSize: 1e9, Oversize: "skip"}
	if c != want {
		t.Errorf("got %+v, want %+v", c, want)
	}
}

func TestConfigAddress(t *testing.T) {
	for _, tc := range []struct {
		address, network, addr string
		remote                 bool
	}{
		{address: "tcp://127.0.0.1:3310", network: "tcp", addr: "127.0.0.1:3310"},
		{address: "tcp://127.8.9.10:3310", network: "tcp", addr: "127.8.9.10:3310"},
		{address: "tcp://[::1]:3310", network: "tcp", addr: "[::1]:3310"},
		{address: "tcp://localhost:3310", network: "tcp", addr: "localhost:3310"},
		{address: "tcp://clamd.internal:3310", network: "tcp", addr: "clamd.internal:3310", remote: true},
		{address: "tcp://10.0.0.5:3310", network: "tcp", addr: "10.0.0.5:3310", remote: true},
		{address: "unix:///run/clamav/clamd.ctl", network: "unix", addr: "/run/clamav/clamd.ctl"},
		{address: "unix:///tmp/a dir/clamd.sock", network: "unix", addr: "/tmp/a dir/clamd.sock"},
	} {
		c := Config{Address: tc.address, AllowRemote: tc.remote}
		if err := c.Complete(); err != nil {
			t.Errorf("%s: %v", tc.address, err)
			continue
		}
		if network, addr, _ := c.endpoint(); network != tc.network || addr != tc.addr {
			t.Errorf("%s: dials %s %s, want %s %s", tc.address, network, addr, tc.network, tc.addr)
		}
	}
}

func TestConfigErrors(t *testing.T) {
	for _, tc := range []struct {
		name string
		c    Config
		want string // the start of the error
	}{
		{"no scheme", Config{Address: "127.0.0.1:3310"}, `inspect.clamd.address: "127.0.0.1:3310" `},
		{"a path", Config{Address: "/run/clamav/clamd.ctl"}, `inspect.clamd.address: "/run/clamav/clamd.ctl" is neither tcp:// nor unix://`},
		{"http", Config{Address: "http://127.0.0.1:3310"}, `inspect.clamd.address: "http://127.0.0.1:3310" is neither`},
		{"no port", Config{Address: "tcp://127.0.0.1"}, `inspect.clamd.address: "tcp://127.0.0.1" is not tcp://HOST:PORT`},
		{"no host", Config{Address: "tcp://:3310"}, `inspect.clamd.address: "tcp://:3310" is not tcp://HOST:PORT`},
		{"a tcp path", Config{Address: "tcp://127.0.0.1:3310/x"}, `inspect.clamd.address: "tcp://127.0.0.1:3310/x" is not tcp://HOST:PORT`},
		{"a query", Config{Address: "tcp://127.0.0.1:3310?x=1"}, `inspect.clamd.address: "tcp://127.0.0.1:3310?x=1" has parts`},
		{"two slashes", Config{Address: "unix://run/clamav/clamd.ctl"}, `inspect.clamd.address: "unix://run/clamav/clamd.ctl" does not name an absolute socket path`},
		{"remote", Config{Address: "tcp://10.0.0.5:3310"}, "inspect.clamd.address: 10.0.0.5 is not a loopback address"},
		{"remote name", Config{Address: "tcp://clamd.internal:3310"}, "inspect.clamd.address: clamd.internal is not a loopback address"},
		{"timeout", Config{Timeout: -time.Second}, "inspect.clamd.timeout: -1s is negative"},
		{"small chunks", Config{ChunkSize: 100}, "inspect.clamd.chunk_size: 100 B is not between 1 KiB and 64 MiB"},
		{"large chunks", Config{ChunkSize: 1 << 30}, "inspect.clamd.chunk_size: 1 GiB is not between"},
		{"negative size", Config{MaxSize: -1}, "inspect.clamd.max_size: -1 B is negative"},
		{"2 GiB", Config{MaxSize: 2 << 30}, "inspect.clamd.max_size: 2 GiB is more than clamd can scan (less than 2 GiB)"},
		{"oversize", Config{Oversize: "allow"}, `inspect.clamd.oversize: "allow" is neither reject nor skip`},
	} {
		err := tc.c.Complete()
		if err == nil || !strings.HasPrefix(err.Error(), tc.want) {
			t.Errorf("%s: got %v, want %s…", tc.name, err, tc.want)
		}
	}
}

func TestNewDisabled(t *testing.T) {
	if _, err := New(Config{}); err == nil {
		t.Error("New without an address made a client")
	}
}
