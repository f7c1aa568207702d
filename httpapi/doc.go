// Package httpapi serves ferry's HTTP API (v1): sign-in, transfers, the tus
// 1.0.0 upload endpoint (core, creation, termination, checksum, expiration),
// resumable downloads, and the administrator's user management. Every
// failure leaves through one function, writeError, which maps an
// *ferry.Error to its HTTP status and a JSON body in the caller's language
// and never sends internal text. The JSON bodies are in package wire; the Go
// client that the command line uses is in package client.
package httpapi
