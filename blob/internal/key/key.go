// Package key checks the names a blob store is given, which every store
// (blob/local, blob/s3) takes alike: upload IDs and SHA-256 blob names.
// They become file names and object keys, so nothing else gets through.
package key

import (
	"fmt"

	"github.com/ferryhq/ferry"
)

// MaxIDLen is the longest upload ID accepted.
const MaxIDLen = 128

// ValidID reports whether id matches ^[A-Za-z0-9_-]{1,128}$.
func ValidID(id string) bool {
	if len(id) == 0 || len(id) > MaxIDLen {
		return false
	}
	for i := 0; i < len(id); i++ {
		c := id[i]
		switch {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9', c == '_', c == '-':
		default:
			return false
		}
	}
	return true
}

// ValidHex reports whether s is n lower-case hex digits.
func ValidHex(s string, n int) bool {
	if len(s) != n {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f') {
			return false
		}
	}
	return true
}

// ValidSHA reports whether sum is a SHA-256 in 64 lower-case hex digits.
func ValidSHA(sum string) bool { return ValidHex(sum, 64) }

// CheckID returns CodeBadRequest unless id is a valid upload ID. The ID
// itself stays out of the error: it may be anything a client sent.
func CheckID(op, id string) error {
	if ValidID(id) {
		return nil
	}
	return ferry.E(ferry.CodeBadRequest).WithOp(op).
		With("reason", "invalid upload id").
		WithErr(fmt.Errorf("upload id of %d bytes is not [A-Za-z0-9_-]{1,128}", len(id)))
}

// CheckSHA returns CodeBadRequest unless sum is a valid SHA-256.
func CheckSHA(op, sum string) error {
	if ValidSHA(sum) {
		return nil
	}
	return ferry.E(ferry.CodeBadRequest).WithOp(op).
		With("reason", "invalid sha256").
		WithErr(fmt.Errorf("sha256 of %d bytes is not 64 lower-case hex digits", len(sum)))
}
