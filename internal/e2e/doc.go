// Package e2e holds ferry's end-to-end tests: each runs a real node — a real
// SQLite file and blob folder in a temporary folder, the real HTTP API on a
// loopback port chosen at run time — and talks to it over HTTP as clients
// do: raw requests, the ferry command line, and the third-party tus client
// tus-js-client under Node. Time is an injected clock, moved by the tests.
package e2e
