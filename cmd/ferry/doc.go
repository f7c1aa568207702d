// Command ferry is the one binary of ferry, the self-hosted offline file
// transfer server: `ferry serve` runs a node, and the other commands are
// its command-line client.
//
//	ferry serve [--listen ADDR] [--data DIR] [--config FILE]
//	ferry config example
//	ferry codes [--json]
//	ferry login --server URL --user NAME [--password-stdin] [--totp CODE]
//	ferry logout
//	ferry check FILE… [--to USER[,USER]] [--json]
//	ferry send FILE… --to USER[,USER] [--chunk-size 64MiB] [--quiet] [--json]
//	ferry inbox [--all] [--limit N] [--json]
//	ferry outbox [--all] [--limit N] [--json]
//	ferry get ID [-o PATH] [--force] [--quiet]
//	ferry status|recall|accept|decline ID [--json]
//	ferry totp enroll [--json]
//	ferry totp confirm CODE
//	ferry step-up CODE
//	ferry user add NAME --tier T [--admin] [--password-stdin]
//	ferry user list [--json]
//	ferry user set NAME [--tier T] [--admin=BOOL] [--disable|--enable] [--password-stdin]
//	ferry version
//
// The session of `ferry login` is kept in <config dir>/ferry/config.json,
// and unfinished uploads (which `ferry send` resumes) in uploads.json
// beside it; the config dir is $FERRY_CONFIG_DIR, or the user's config
// folder. Messages from the server are asked for in the language of
// LC_ALL, LC_MESSAGES or LANG (Chinese for zh*, English otherwise).
//
// A rejection prints its code, name, message, remedy and the rule that
// fired to stderr:
//
//	error 6002 FILE_TOO_LARGE: Your tier allows files of at most 5 GB; this one is 6 GB.
//	remedy: Split or compress the file, or ask for a tier with a larger limit.
//	rule: tiers.free.max_file_size
//
// and exits 1; a usage error exits 2. `ferry check` prints such a verdict
// for each file without sending it, and exits 1 when any would be refused.
//
// The command tree is built anew by every run (see run), so that tests
// can run commands in-process; the package keeps no mutable state.
package main
