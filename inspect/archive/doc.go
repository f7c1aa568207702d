// Package archive opens archives recursively and holds them to limits: the
// zip-bomb guard of ferry's content inspection.
//
// Walk reads an archive and every archive inside it (recognised by its
// content, not its name) and hands each entry — its path in the chain
// ("outer.zip/inner.tar/docs/a.txt"), sizes and a stream of its content —
// to a visit function; Inspector does the same as a ferry.Inspector, with a
// hook for the inspectors that look at entries' content.
//
// # Formats
//
//   - zip (store, deflate, bzip2) with archive/zip; names in GBK (Chinese
//     Windows tools) are decoded first; the Info-ZIP Unicode path field is
//     honoured
//   - tar (ustar, PAX, GNU, sparse entries) with archive/tar
//   - gzip, bzip2 and zstd streams, and tar inside them (.tar.gz, .tgz,
//     .tar.bz2, .tar.zst) with compress/gzip, compress/bzip2 and
//     github.com/klauspost/compress/zstd
//   - 7z with github.com/bodgit/sevenzip, its header checked here first
//   - rar (1.5 to 7) with github.com/nwaples/rardecode/v2
//   - xz, and tar inside it (.tar.xz, .txz; LZMA2 after delta or BCJ
//     filters), with github.com/therootcompany/xz, once its streams'
//     indexes and block headers were read from the end of the file: the
//     largest dictionary a block declares comes out of max_dictionary_size
//     before the decoder allocates it; the ARM64 and RISC-V BCJ filters
//     are refused (5003, compression_method)
//
// Entries compressed with a method not listed above are refused alike:
// what cannot be unpacked cannot be inspected.
//
// # Verdicts
//
// Every refusal is a *ferry.Error whose details name the path inside the
// archive chain ("path"):
//
//   - 5003 ARCHIVE_LIMIT with limit_name max_depth, max_entries,
//     max_expanded_size, max_ratio or max_dictionary_size, and its limit
//     and actual value; compression_method for a method that cannot be
//     unpacked; format for an archive that cannot be read as what its
//     signature says (damaged, or built to mislead: overlapping entries,
//     data beyond the file, local headers that disagree with the central
//     directory), with a reason. An unreadable archive fails closed.
//   - 5004 ARCHIVE_ENCRYPTED for an encrypted entry or header, unless the
//     configuration allows them (inspect.archive.encrypted: allow).
//   - 1003 FILE_TYPE_BLOCKED for an entry of a blocked type (Config.Blocked,
//     the policy's blocked_types), with its extension.
//   - 1004 FILE_NAME_INVALID for an unsafe entry name (../, absolute paths,
//     drive letters, backslashes, NUL and control characters, names that
//     policy.CleanName refuses) or a link pointing outside the archive,
//     with the reason.
//
// # Bombs
//
// Limits are enforced while reading, never trusting what an archive
// declares: every byte of content goes through a counting reader that stops
// one byte past the expansion budget, and the ratio to the compressed
// bytes really consumed is checked as it grows. Declared sizes are checked
// first, to refuse huge ones before anything is unpacked. A zip's central
// directory is scanned within the entry limit before archive/zip reads it,
// and its entries are checked not to overlap (an O(n log n) sort, not a
// pairwise check) nor to extend beyond the file; nested (42.zip) and
// self-reproducing (quine) archives stop at max_depth, max_ratio or
// max_expanded_size; sparse tar entries count their expanded size; 7z solid
// blocks are read front to back, once. Decoder dictionaries (7z, rar, zstd)
// come out of max_dictionary_size before they are allocated.
package archive
