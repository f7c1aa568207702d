package archive

import (
	"errors"
	"math"

	"github.com/ferryhq/ferry"
)

// The limit names of 5003 ARCHIVE_LIMIT, in its limit_name detail.
const (
	LimitDepth      = "max_depth"
	LimitEntries    = "max_entries"
	LimitExpanded   = "max_expanded_size"
	LimitRatio      = "max_ratio"
	LimitDictionary = "max_dictionary_size"
	// LimitMethod is an entry compressed with a method ferry cannot unpack
	// (zip's Deflate64, LZMA or PPMd, 7z's zstd, …): it cannot be inspected.
	LimitMethod = "compression_method"
	// LimitFormat is an archive that cannot be read as what its signature
	// says: damaged, truncated, or built to mislead (overlapping entries,
	// data beyond the file, headers that disagree).
	LimitFormat = "format"
)

// limitErr is 5003 ARCHIVE_LIMIT: name is the limit, limit its value,
// actual what the archive has or would need, path where it was found.
func limitErr(rule, name string, limit, actual any, path string) *ferry.Error {
	return ferry.E(ferry.CodeArchiveLimit).WithRule(rule).
		With("limit_name", name).With("limit", limit).With("actual", actual).With("path", path)
}

// ratioValue rounds a ratio for the details of an error.
func ratioValue(r float64) float64 {
	if math.IsInf(r, 0) || r > 1e12 {
		return 1e12
	}
	return math.Round(r*10) / 10
}

// unreadable is the refusal of an archive that cannot be read as format:
// 5003 with limit_name "format". It fails closed: an archive ferry cannot
// open is not passed uninspected. The cause is kept for logs only.
//
// A dedicated code (5006 ARCHIVE_UNREADABLE) would describe this better
// than ARCHIVE_LIMIT; until the catalogue has one, this is the one place
// to change.
func unreadable(format Format, path string, cause error) *ferry.Error {
	return ferry.E(ferry.CodeArchiveLimit).WithRule(RuleFormat).
		With("limit_name", LimitFormat).With("format", string(format)).With("path", path).
		WithOp("inspect/archive").WithErr(cause)
}

// unsupportedMethod is 5003 with limit_name "compression_method".
func unsupportedMethod(format Format, method any, supported string, path string) *ferry.Error {
	return ferry.E(ferry.CodeArchiveLimit).WithRule(RuleFormat).
		With("limit_name", LimitMethod).With("limit", supported).With("actual", method).
		With("format", string(format)).With("path", path)
}

// encryptedErr is 5004 ARCHIVE_ENCRYPTED.
func encryptedErr(path string) *ferry.Error {
	return ferry.E(ferry.CodeArchiveEncrypted).WithRule(RuleEncrypted).With("path", path)
}

// coded returns err's *ferry.Error, when it has one.
func coded(err error) (*ferry.Error, bool) {
	var fe *ferry.Error
	if errors.As(err, &fe) && fe != nil {
		return fe, true
	}
	return nil, false
}
