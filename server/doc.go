// Package server wires a ferry node together: it reads the configuration
// (ferry.yaml over embedded defaults), opens the metadata and blob stores,
// builds the account and transfer services and the HTTP API, creates the
// first administrator, runs the sweeper, and serves until told to stop.
package server
