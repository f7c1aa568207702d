// Package ferry is the vocabulary of the ferry offline file transfer server:
// transfers and their states, accounts and tiers, the coded Error and its
// catalogue, and the few interfaces that several packages share (the metadata
// store, the blob store, the inspector, the clock).
//
// It does no I/O. The packages below it do one job each:
//
//	transfer/   the lifecycle: create → upload → inspect → deliver → fetch → expire
//	policy/     pure decisions over facts: tiers, limits, names
//	meta/...    metadata stores (sqlite) and their conformance suite (metatest)
//	blob/...    blob stores (local disk) and their conformance suite (blobtest)
//	httpapi/    the HTTP API, the tus endpoint, the one error→status mapper, the Go client
//	server/     wires configuration, stores and the HTTP server into a running node
//	cmd/ferry/  the one binary: `ferry serve` and the client commands
package ferry
