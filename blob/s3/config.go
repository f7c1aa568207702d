package s3

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/minio/minio-go/v7"
	"github.com/minio/minio-go/v7/pkg/credentials"
)

// Part sizes. S3 refuses parts under 5 MiB (but the last) and over 5 GiB,
// and an object of more than 10 000 parts.
const (
	MinPartSize     = 5 << 20
	MaxPartSize     = 5 << 30
	DefaultPartSize = 16 << 20
	maxParts        = 10000
)

// DefaultConcurrency is how many parts of one Append are sent at once by
// default: measured against versitygw on two cores, four keep the server
// busy while the next part fills from the client (two reach about 80 %).
const DefaultConcurrency = 4

// Config says where the store keeps its objects and how to reach them.
// Open validates it once; the zero value of every field but Bucket has a
// meaning.
type Config struct {
	// Endpoint is the S3 server's URL, "https://s3.example.com" or
	// "http://127.0.0.1:7070"; a bare host:port means https. Empty takes
	// AWS_ENDPOINT_URL_S3, then AWS_ENDPOINT_URL, then AWS S3 itself
	// (s3.amazonaws.com, whose regional name the client derives from Region).
	Endpoint string
	// Region signs the requests. Empty takes AWS_REGION, then
	// AWS_DEFAULT_REGION, then "us-east-1" (what MinIO, Ceph RGW, SeaweedFS
	// and Versity answer to unless configured otherwise).
	Region string
	// Bucket holds everything; it must exist (ferry never creates buckets,
	// whose policy and lifecycle belong to the administrator).
	Bucket string
	// AccessKey and SecretKey (and SessionToken) authenticate. When both
	// are empty the standard chain is used: AWS_ACCESS_KEY_ID and
	// AWS_SECRET_ACCESS_KEY (and AWS_SESSION_TOKEN), the shared credentials
	// file, then an EC2/ECS/EKS role.
	AccessKey, SecretKey, SessionToken string
	// PathStyle addresses the bucket in the path (http://host/bucket/key)
	// rather than in the host name (http://bucket.host/key). MinIO, Ceph RGW,
	// SeaweedFS and Versity behind a plain host name or IP need it; AWS does
	// not. False lets the client choose: virtual hosts for AWS, paths for
	// IP addresses.
	PathStyle bool
	// Prefix is put before every key, so that ferry can share a bucket:
	// "ferry/" keeps everything under ferry/. A missing final "/" is added.
	Prefix string
	// PartSize is the size of the parts an upload is sent in (the last may
	// be smaller), from MinPartSize to MaxPartSize; 0 means DefaultPartSize.
	// It bounds the largest upload to 10 000 parts, and is how much disk
	// (not memory) each part being sent takes in TempDir.
	PartSize int64
	// Concurrency is how many parts of one Append are in flight at once;
	// 0 means DefaultConcurrency.
	Concurrency int
	// TempDir is where parts are assembled before they are sent, one file
	// per part in flight; empty means os.TempDir().
	TempDir string
	// SignPayload signs the SHA-256 of every body sent over plain HTTP
	// (aws-chunked streaming signatures), which costs CPU on both ends.
	// Off, bodies go as UNSIGNED-PAYLOAD: over HTTPS, TLS protects them
	// anyway, and ferry verifies the SHA-256 of every upload it reads back
	// before committing it.
	SignPayload bool
	// Transport, when set, carries the requests (tests, proxies, custom CAs).
	Transport http.RoundTripper
}

// withDefaults returns c with the environment and the defaults filled in,
// or an error naming what is wrong.
func (c Config) withDefaults() (Config, error) {
	if c.Bucket == "" {
		return c, errors.New("no bucket configured")
	}
	c.Endpoint = firstOf(c.Endpoint, os.Getenv("AWS_ENDPOINT_URL_S3"), os.Getenv("AWS_ENDPOINT_URL"), "https://s3.amazonaws.com")
	c.Region = firstOf(c.Region, os.Getenv("AWS_REGION"), os.Getenv("AWS_DEFAULT_REGION"), "us-east-1")
	if (c.AccessKey == "") != (c.SecretKey == "") {
		return c, errors.New("access key and secret key must be given together")
	}
	if c.PartSize == 0 {
		c.PartSize = DefaultPartSize
	}
	if c.PartSize < MinPartSize || c.PartSize > MaxPartSize {
		return c, fmt.Errorf("part size %d is outside [%d, %d]", c.PartSize, MinPartSize, MaxPartSize)
	}
	if c.Concurrency == 0 {
		c.Concurrency = DefaultConcurrency
	}
	if c.Concurrency < 1 {
		return c, fmt.Errorf("concurrency %d is below 1", c.Concurrency)
	}
	if c.TempDir == "" {
		c.TempDir = os.TempDir()
	}
	if c.Prefix != "" && !strings.HasSuffix(c.Prefix, "/") {
		c.Prefix += "/"
	}
	return c, nil
}

// client returns the minio client for c (with defaults applied).
func (c Config) client() (*minio.Client, error) {
	host, secure, err := splitEndpoint(c.Endpoint)
	if err != nil {
		return nil, err
	}
	var creds *credentials.Credentials
	if c.AccessKey != "" {
		creds = credentials.NewStaticV4(c.AccessKey, c.SecretKey, c.SessionToken)
	} else {
		creds = credentials.NewChainCredentials([]credentials.Provider{
			&credentials.EnvAWS{},
			&credentials.FileAWSCredentials{},
			&credentials.IAM{},
		})
	}
	lookup := minio.BucketLookupAuto
	if c.PathStyle {
		lookup = minio.BucketLookupPath
	}
	return minio.New(host, &minio.Options{
		Creds:        creds,
		Secure:       secure,
		Region:       c.Region,
		BucketLookup: lookup,
		Transport:    c.Transport,
	})
}

// splitEndpoint turns an endpoint URL into the host[:port] and the scheme
// that minio-go wants.
func splitEndpoint(endpoint string) (host string, secure bool, err error) {
	if !strings.Contains(endpoint, "://") {
		return endpoint, true, nil
	}
	u, err := url.Parse(endpoint)
	if err != nil {
		return "", false, fmt.Errorf("endpoint: %w", err)
	}
	if u.Scheme != "http" && u.Scheme != "https" {
		return "", false, fmt.Errorf("endpoint %q: scheme must be http or https", endpoint)
	}
	if u.Path != "" && u.Path != "/" {
		return "", false, fmt.Errorf("endpoint %q: a path is not supported; use Prefix", endpoint)
	}
	return u.Host, u.Scheme == "https", nil
}

func firstOf(s ...string) string {
	for _, v := range s {
		if v != "" {
			return v
		}
	}
	return ""
}

// Open returns the store on cfg's bucket, after checking that the bucket
// exists and that the credentials may read it: a misconfiguration shows at
// start, not at the first upload.
func Open(ctx context.Context, cfg Config) (*Store, error) {
	const op = "blob/s3: open store"
	cfg, err := cfg.withDefaults()
	if err != nil {
		return nil, unavailable(op, err)
	}
	c, err := cfg.client()
	if err != nil {
		return nil, unavailable(op, err)
	}
	ok, err := c.BucketExists(ctx, cfg.Bucket)
	if err != nil {
		return nil, unavailable(op, fmt.Errorf("bucket %q at %s: %w", cfg.Bucket, cfg.Endpoint, err))
	}
	if !ok {
		return nil, unavailable(op, fmt.Errorf("bucket %q does not exist at %s (ferry does not create it)", cfg.Bucket, cfg.Endpoint))
	}
	if err := os.MkdirAll(cfg.TempDir, 0o700); err != nil {
		return nil, unavailable(op, err)
	}
	removeStaleParts(cfg.TempDir, time.Now().Add(-staleParts))
	return &Store{cfg: cfg, c: c, core: &minio.Core{Client: c}}, nil
}

// staleParts is how long a part file must have been left alone before
// Open removes it: a part being filled or sent is written to or read all
// the time, and a node that was killed leaves its own behind.
const staleParts = 10 * time.Minute

// removeStaleParts removes the part files in dir last modified before
// cutoff, which a node killed mid-upload left; best effort.
func removeStaleParts(dir string, cutoff time.Time) {
	names, _ := filepath.Glob(filepath.Join(dir, partPattern))
	for _, name := range names {
		if fi, err := os.Lstat(name); err == nil && fi.Mode().IsRegular() && fi.ModTime().Before(cutoff) {
			os.Remove(name)
		}
	}
}

// partPattern names the temporary files parts are assembled in.
const partPattern = "ferry-part-*"
