// Package clamd is ferry's malware scan: it streams each file to ClamAV's
// daemon, clamd, over TCP or a unix socket, and turns clamd's answer into
// ferry's verdict (the inspect.clamd section of ferry.yaml).
//
// Client speaks clamd's protocol, one connection per call: Scan sends
// zINSTREAM and the content in length-prefixed chunks, Ping and Version are
// for readiness and the startup log. Inspector is the ferry.Inspector over
// a Client.
//
// The scan fails closed. Only clamd's exact "stream: OK", after every byte
// was sent, passes a file. A write that fails (clamd shows its
// StreamMaxLength as a broken pipe), a connection that drops, a timeout,
// an ERROR or any unexpected reply is 5005 SCAN_UNAVAILABLE, retryable, and
// the file is not delivered. A detection is 5002 MALWARE_DETECTED with the
// signature's name; clamd's heuristics for what it could not look into are
// 5004 (encrypted) and 5003 (its limits). Without inspect.clamd.address no
// malware scan runs at all.
//
// # The clamd ferry expects
//
// clamd answers "stream: OK" for what it did not scan unless told
// otherwise, so ferry relies on these lines of clamd.conf:
//
//	TCPSocket 3310
//	TCPAddr 127.0.0.1        # or LocalSocket /run/clamav/clamd.ctl
//	AlertExceedsMax yes      # over MaxFileSize/MaxScanSize/MaxRecursion: reported, not OK
//	AlertEncrypted yes       # encrypted archives and PDFs: reported, not OK
//	StreamMaxLength 100M     # ≥ inspect.clamd.max_size
//	MaxFileSize 100M         # ≥ inspect.clamd.max_size (clamd cannot scan 2 GB or more)
//	MaxScanSize 100M         # = MaxFileSize: what an archive may unpack to
//
// MaxScanSize must not exceed MaxFileSize (clamd's defaults, 100M and
// 400M, do): ClamAV 1.4 skips an archive member larger than MaxFileSize
// without an alert, even with AlertExceedsMax, and answers "stream: OK" for
// malware inside it; over MaxScanSize it does alert.
//
// clamd's TCP socket has no authentication: bind it to loopback (TCPAddr),
// or use the unix socket. ferry refuses a TCP address that is not loopback
// unless inspect.clamd.allow_remote is set. Keep inspect.clamd.max_size at
// most StreamMaxLength and MaxFileSize, and chunk_size at most
// StreamMaxLength; a larger file is not sent (inspect.clamd.oversize:
// reject, the default, or skip). With AlertEncrypted clamd reports every
// encrypted archive, so a policy that accepts encrypted archives needs it
// off.
package clamd
