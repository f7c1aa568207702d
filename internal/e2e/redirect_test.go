package e2e

import (
	"bytes"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/ferryhq/ferry"
	"github.com/ferryhq/ferry/blob/s3/s3test"
	"github.com/ferryhq/ferry/meta/postgres/pgtest"
	"github.com/ferryhq/ferry/policy"
	"github.com/ferryhq/ferry/server"
)

// With blobs.download: redirect, a recipient's download is a redirect to a
// presigned URL of the bucket, which serves the bytes (ranges too) under
// the file's name, without credentials; the download is recorded. Who may
// not fetch the file gets no URL.
func TestDownloadRedirectsToThePresignedObject(t *testing.T) {
	dsn := pgtest.Shared(t).NewDatabase(t)
	b := s3test.Start(t).NewBucket(t)
	e := start(t, func(c *server.Config) {
		c.Metadata = server.MetadataConfig{Driver: "postgres", DSN: dsn}
		c.Blobs = server.BlobsConfig{Driver: "s3", Endpoint: b.Endpoint, Region: b.Region, Bucket: b.Bucket,
			AccessKey: b.AccessKey, SecretKey: b.SecretKey, PathStyle: true, TempDir: b.TempDir,
			Download: "redirect", RedirectTTL: policy.Duration(60e9)}
	})
	alice, bob, carol := e.user("alice", ferry.TierFree), e.user("bob", ferry.TierFree), e.user("carol", ferry.TierFree)
	data := randomBytes(t, 300_000)
	id := e.send(alice, []string{"bob"}, "季度 报告.iso", data)

	noFollow := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	get := func(token string) *http.Response {
		req, _ := http.NewRequest("GET", e.url+"/api/v1/transfers/"+id+"/content", nil)
		req.Header.Set("Authorization", "Bearer "+token)
		res, err := noFollow.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		io.Copy(io.Discard, res.Body)
		res.Body.Close()
		return res
	}
	if res := get(carol); res.StatusCode != 404 || res.Header.Get("Location") != "" {
		t.Errorf("a stranger: %d, Location %q", res.StatusCode, res.Header.Get("Location"))
	}
	res := get(bob)
	loc := res.Header.Get("Location")
	if res.StatusCode != http.StatusFound || !strings.HasPrefix(loc, b.Endpoint+"/"+b.Bucket+"/") {
		t.Fatalf("bob: %d, Location %q, want 302 to the bucket at %s", res.StatusCode, loc, b.Endpoint)
	}
	if u, _ := url.Parse(loc); u.Query().Get("X-Amz-Signature") == "" {
		t.Errorf("the URL is not presigned: %s", loc)
	}
	whole, err := http.Get(loc) // no credentials but the URL's
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(whole.Body)
	whole.Body.Close()
	if whole.StatusCode != 200 || !bytes.Equal(body, data) {
		t.Fatalf("the presigned URL: %d, %d bytes, want the %d bytes", whole.StatusCode, len(body), len(data))
	}
	if cd := whole.Header.Get("Content-Disposition"); !strings.Contains(cd, "filename*=UTF-8''") {
		t.Errorf("Content-Disposition %q does not carry the name", cd)
	}
	req, _ := http.NewRequest("GET", loc, nil)
	req.Header.Set("Range", "bytes=1000-1999")
	part, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	pb, _ := io.ReadAll(part.Body)
	part.Body.Close()
	if part.StatusCode != 206 || !bytes.Equal(pb, data[1000:2000]) {
		t.Errorf("a range of the presigned URL: %d, %d bytes", part.StatusCode, len(pb))
	}
	if got := e.transfer(alice, id); got.State != ferry.StateDownloaded {
		t.Errorf("after the redirect: %s, want downloaded", got.State)
	}
}
