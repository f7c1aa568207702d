package clamd

import (
	"fmt"
	"net"
	"net/url"
	"strings"
	"time"

	"github.com/ferryhq/ferry"
)

// Config is the inspect.clamd section of ferry.yaml. The zero Config is
// valid and disabled: without an Address no malware scan runs.
type Config struct {
	// Address is where clamd listens: "tcp://127.0.0.1:3310" or
	// "unix:///run/clamav/clamd.ctl". Empty: no malware scan.
	Address string `yaml:"address"`
	// AllowRemote permits a TCP address that is not loopback. clamd's TCP
	// socket has no authentication and no encryption: whoever reaches it
	// can have files scanned and read clamd's answers, and the content
	// travels in clear. Leave it off and run clamd beside each node.
	AllowRemote bool `yaml:"allow_remote"`
	// Timeout bounds one scan, from connecting to clamd's verdict, while
	// the content is read and sent; Ping and Version get at most 10 s of
	// it. Default 2m; raise it with MaxSize.
	Timeout time.Duration `yaml:"timeout"`
	// ChunkSize is the size of each INSTREAM chunk, 1 KiB to 64 MiB and at
	// most clamd's StreamMaxLength. Default 256 KiB.
	ChunkSize ferry.Bytes `yaml:"chunk_size"`
	// MaxSize is the largest file sent to clamd, under 2 GiB (clamd cannot
	// scan more). Keep it at most clamd's StreamMaxLength and MaxFileSize.
	// Default 100 MiB, clamd's own default for both.
	MaxSize ferry.Bytes `yaml:"max_size"`
	// Oversize decides about a file larger than MaxSize: "reject" (the
	// default: 5005 SCAN_UNAVAILABLE, rule inspect.clamd.max_size — fail
	// closed) or "skip" (delivered without a malware scan, logged).
	Oversize string `yaml:"oversize"`
}

// The choices of Config.Oversize.
const (
	OversizeReject = "reject"
	OversizeSkip   = "skip"
)

// The defaults that Complete fills in, and the limits it checks.
const (
	DefaultTimeout   = 2 * time.Minute
	DefaultChunkSize = 256 << 10
	DefaultMaxSize   = 100 << 20

	minChunkSize = 1 << 10
	maxChunkSize = 64 << 20
	// maxScanSize is the first size clamd cannot scan ("files greater than
	// 2 GB", clamd.conf(5)).
	maxScanSize = 2 << 30
)

// Enabled reports whether c asks for a malware scan.
func (c *Config) Enabled() bool { return c.Address != "" }

// Complete fills in the defaults and validates c; errors name the key
// ("inspect.clamd.max_size: …"). A disabled Config is checked too.
func (c *Config) Complete() error {
	if c.Timeout == 0 {
		c.Timeout = DefaultTimeout
	}
	if c.ChunkSize == 0 {
		c.ChunkSize = DefaultChunkSize
	}
	if c.MaxSize == 0 {
		c.MaxSize = DefaultMaxSize
	}
	if c.Oversize == "" {
		c.Oversize = OversizeReject
	}
	switch {
	case c.Timeout < 0:
		return fmt.Errorf("inspect.clamd.timeout: %v is negative", c.Timeout)
	case c.ChunkSize < minChunkSize || c.ChunkSize > maxChunkSize:
		return fmt.Errorf("inspect.clamd.chunk_size: %v is not between %v and %v", c.ChunkSize, ferry.Bytes(minChunkSize), ferry.Bytes(maxChunkSize))
	case c.MaxSize < 0:
		return fmt.Errorf("inspect.clamd.max_size: %v is negative", c.MaxSize)
	case c.MaxSize >= maxScanSize:
		return fmt.Errorf("inspect.clamd.max_size: %v is more than clamd can scan (less than %v)", c.MaxSize, ferry.Bytes(maxScanSize))
	case c.Oversize != OversizeReject && c.Oversize != OversizeSkip:
		return fmt.Errorf("inspect.clamd.oversize: %q is neither %s nor %s", c.Oversize, OversizeReject, OversizeSkip)
	}
	if !c.Enabled() {
		return nil
	}
	_, _, err := c.endpoint()
	return err
}

// endpoint parses Address into the network and address to dial.
func (c *Config) endpoint() (network, address string, err error) {
	bad := func(why string) error {
		return fmt.Errorf("inspect.clamd.address: %q %s; want tcp://127.0.0.1:3310 or unix:///run/clamav/clamd.ctl", c.Address, why)
	}
	u, err := url.Parse(c.Address)
	if err != nil {
		return "", "", bad("is not an address")
	}
	if u.User != nil || u.RawQuery != "" || u.Fragment != "" || u.Opaque != "" {
		return "", "", bad("has parts clamd has no use for")
	}
	switch u.Scheme {
	case "unix":
		if u.Host != "" || !strings.HasPrefix(u.Path, "/") {
			return "", "", bad("does not name an absolute socket path (note the three slashes)")
		}
		return "unix", u.Path, nil
	case "tcp":
		if u.Path != "" || u.Port() == "" || u.Hostname() == "" {
			return "", "", bad("is not tcp://HOST:PORT")
		}
		if !c.AllowRemote && !isLoopback(u.Hostname()) {
			return "", "", fmt.Errorf("inspect.clamd.address: %s is not a loopback address, and clamd's TCP socket has no authentication: "+
				"run clamd beside the node (TCPAddr 127.0.0.1) or on a unix socket, or set inspect.clamd.allow_remote: true", u.Hostname())
		}
		return "tcp", u.Host, nil
	}
	return "", "", bad("is neither tcp:// nor unix://")
}

func isLoopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
