// Package policy holds ferry's transfer policy and its pure decisions: given
// the facts of a request (the file's name and size, the sender's account and
// tier, its usage, the time), which rules pass and which fire, each with a
// stable rule path ("tiers.free.max_file_size"), its limit and the actual
// value. It does no I/O and knows nothing of HTTP or storage; the clock and
// the counters are passed in.
package policy
