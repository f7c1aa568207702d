// Package transfer is the lifecycle of an offline file:
//
//	create → upload → inspect → deliver → fetch → expire
//
// Create runs every content-free check of the policy and reserves the
// sender's quota atomically; Write appends uploaded bytes (resumable, hashed
// as they arrive, one writer at a time); the last byte commits the content
// as a content-addressed blob and runs the inspectors; only then can the
// recipients see it. Instant transfer reuses a blob the server already holds
// after a proof of possession. The sweeper expires what is due, abandons
// stalled uploads and deletes blobs nothing references.
//
// The service reads the time through an injected ferry.Clock and talks to
// storage only through ferry.MetaStore and ferry.BlobStore.
package transfer
