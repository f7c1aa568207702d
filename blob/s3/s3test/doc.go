// Package s3test starts a real S3 server for tests: Versity's S3 gateway
// (versitygw) with its posix backend in a temporary folder, on a free
// loopback port, with a random root access key and secret.
//
//	srv := s3test.Start(t)        // stopped when t ends
//	cfg := srv.NewBucket(t)       // an empty bucket: an empty store
//	store, err := s3.Open(ctx, cfg)
//
// ferry tests against the real protocol rather than a fake because what
// breaks S3 stores is the protocol's detail: the 5 MiB part minimum, that
// parts cannot be read before the upload completes, ETags, conditional
// writes, error codes. versitygw is a single static Go binary that starts
// in a fraction of a second and needs no network, so every test can have
// its own.
//
// Where versitygw is not installed the test is skipped, except in CI (CI
// set to anything but "", "0" or "false") or with FERRY_REQUIRE_S3=1:
// there it fails. It is looked up in PATH, $(go env GOPATH)/bin and
// $HOME/go/bin; install it with
//
//	go install github.com/versity/versitygw/cmd/versitygw@v1.8.0
//
// A gateway that is installed but does not start always fails the test.
// The posix backend keeps object metadata in user extended attributes;
// where the temporary folder's file system has none, Start gives it a
// sidecar folder instead.
package s3test
