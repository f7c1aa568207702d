// Package local is the ferry.BlobStore that keeps file content on the local
// file system of one node.
//
// Under its root folder it keeps three folders:
//
//	uploads/<id>                      uploads in progress, one file each
//	blobs/<sha[0:2]>/<sha[2:4]>/<sha> finished blobs, addressed by SHA-256
//	tmp/                              scratch space, reserved and kept empty
//
// Appends stream through one pooled 1 MiB buffer and end with fsync, so that
// the size Append returns is what a crash leaves on disk. Commit is a rename
// into the content-addressed tree, so identical content is stored once and a
// blob appears whole or not at all. Open hands back the *os.File itself so
// that net/http can serve it with sendfile.
//
// Upload IDs must match [A-Za-z0-9_-]{1,128} and SHA-256 sums must be 64
// lower-case hex digits; both are checked before any path is built, so no
// argument can reach outside the root. Files are created 0600 and folders
// 0700.
//
// The store does not lock uploads: the caller serialises the calls on one
// upload ID (the tus endpoint holds a lock per upload), and the blob index
// serialises Commit and Delete on one blob. Calls on different IDs and blobs
// may run concurrently.
package local
