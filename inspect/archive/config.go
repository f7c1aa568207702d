package archive

import (
	"fmt"
	"time"

	"github.com/ferryhq/ferry"
	"github.com/ferryhq/ferry/policy"
)

// Encryption policies: what happens to an archive with an encrypted entry
// (or encrypted headers), whose content cannot be inspected.
const (
	// EncryptedReject refuses it with 5004 ARCHIVE_ENCRYPTED.
	EncryptedReject = "reject"
	// EncryptedAllow lets it pass: its names are still checked where the
	// format shows them, its encrypted content is skipped.
	EncryptedAllow = "allow"
)

// RatioFloor is how many bytes an entry (or a whole archive) may expand to
// before max_ratio applies: small files of repeated bytes compress far
// better than 100:1 and are harmless.
const RatioFloor = 1 << 20

// Config is the inspect.archive section of ferry.yaml: the limits that
// every archive is opened within, at every level of nesting. The zero value
// is not usable; start from DefaultConfig. Validate it once.
type Config struct {
	// MaxDepth is how many archives deep entries may be: 1 opens the
	// archive itself but no archive inside it; the entries of
	// outer.zip/inner.tar are at depth 2.
	MaxDepth int `yaml:"max_depth"`
	// MaxEntries is how many entries (files, folders, links) the archive
	// may have, counted across every level of nesting together.
	MaxEntries int `yaml:"max_entries"`
	// MaxExpandedSize is how many bytes unpacking may produce, every entry
	// at every level of nesting together. Declared sizes are checked
	// against it before anything is read, actual bytes while reading.
	MaxExpandedSize ferry.Bytes `yaml:"max_expanded_size"`
	// MaxRatio is how many times larger than its compressed form an entry
	// may be when unpacked, and all the unpacked bytes together than the
	// file; it applies once more than RatioFloor bytes came out.
	MaxRatio float64 `yaml:"max_ratio"`
	// MaxDictionarySize bounds the memory that decoders with a large
	// window (7z LZMA/LZMA2/PPMd, rar, xz, zstd) may claim: the total of
	// their dictionaries along one chain of nested archives open at once.
	MaxDictionarySize ferry.Bytes `yaml:"max_dictionary_size"`
	// Encrypted is EncryptedReject or EncryptedAllow.
	Encrypted string `yaml:"encrypted"`
	// Timeout bounds the time one file's archives take to inspect: Timeout,
	// and Timeout again for every GiB they unpacked, so that a large
	// archive with a slow decoder (xz, bzip2) gets the time it needs while
	// one that makes no progress stops. Past it the verdict is 5005
	// SCAN_UNAVAILABLE (retryable). Zero: no bound but the caller's
	// context.
	Timeout policy.Duration `yaml:"timeout"`
	// TempDir is where archives nested inside compressed entries are
	// unpacked to be opened (zip and 7z need random access); "" is the
	// system's temporary folder.
	TempDir string `yaml:"temp_dir"`

	// Blocked are the extensions refused inside archives as well (1003),
	// lower-case with their dot as policy.Ext returns them: the policy's
	// blocked_types. Set by the caller, not read from the file.
	Blocked []string `yaml:"-"`
}

// DefaultConfig returns the defaults: depth 5, 10 000 entries, 8 GiB
// unpacked, ratio 100, 128 MiB of decoder dictionaries, encrypted
// archives rejected, 2 minutes, and the policy's default blocked types.
func DefaultConfig() Config {
	return Config{
		MaxDepth:          5,
		MaxEntries:        10000,
		MaxExpandedSize:   8 << 30,
		MaxRatio:          100,
		MaxDictionarySize: 128 << 20,
		Encrypted:         EncryptedReject,
		Timeout:           policy.Duration(2 * time.Minute),
		Blocked:           policy.DefaultBlocked(),
	}
}

// Rule paths, as the limits are named in ferry.yaml and in the Rule of the
// errors they give.
const (
	section           = "inspect.archive."
	RuleMaxDepth      = section + "max_depth"
	RuleMaxEntries    = section + "max_entries"
	RuleMaxExpanded   = section + "max_expanded_size"
	RuleMaxRatio      = section + "max_ratio"
	RuleMaxDictionary = section + "max_dictionary_size"
	RuleEncrypted     = section + "encrypted"
	RuleTimeout       = section + "timeout"
	// RuleFormat names the refusal of an archive that cannot be read as
	// what its signature says, or that uses a method ferry cannot unpack.
	RuleFormat = section + "format"
	// RuleBlockedTypes and RuleFileName are the policy rules that entries
	// are held to, as top-level files are.
	RuleBlockedTypes = "blocked_types"
	RuleFileName     = policy.RuleFileName
)

// Validate reports the first value that cannot work, as a
// *policy.PathError naming its key ("inspect.archive.max_depth"), so that
// the configuration loader can point at its line.
func (c *Config) Validate() error {
	switch {
	case c.MaxDepth < 1 || c.MaxDepth > 64:
		return pathErr("max_depth", "%d: want 1 to 64 (1 opens the archive but none inside it)", c.MaxDepth)
	case c.MaxEntries < 1:
		return pathErr("max_entries", "%d: want at least 1", c.MaxEntries)
	case c.MaxExpandedSize < 1:
		return pathErr("max_expanded_size", "%d: want a size of at least 1 byte, e.g. 8GiB", int64(c.MaxExpandedSize))
	case !(c.MaxRatio >= 1): // also NaN
		return pathErr("max_ratio", "%v: want a number of at least 1, e.g. 100", c.MaxRatio)
	case c.MaxDictionarySize < 1<<20:
		return pathErr("max_dictionary_size", "%v: want at least 1MiB, e.g. 128MiB", c.MaxDictionarySize)
	case c.Encrypted != EncryptedReject && c.Encrypted != EncryptedAllow:
		return pathErr("encrypted", "%q: want %q or %q", c.Encrypted, EncryptedReject, EncryptedAllow)
	case c.Timeout < 0:
		return pathErr("timeout", "%v: must not be negative", c.Timeout)
	}
	for i, ext := range c.Blocked {
		if len(ext) < 2 || ext[0] != '.' || policy.Ext("x"+ext) != ext {
			return &policy.PathError{Path: fmt.Sprintf("policy.blocked_types[%d]", i),
				Msg: fmt.Sprintf("%q must be lower-case and start with \".\"", ext)}
		}
	}
	return nil
}

func pathErr(key, format string, args ...any) error {
	return &policy.PathError{Path: section + key, Msg: fmt.Sprintf(format, args...)}
}
