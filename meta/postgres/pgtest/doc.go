// Package pgtest starts a real, throwaway PostgreSQL server for tests: a
// cluster made by initdb in a temporary folder, listening on loopback on a
// free port, with durability turned off (fsync, synchronous_commit and
// full_page_writes) because nothing in it needs to survive the test binary.
//
// Making a cluster costs seconds and a database tens of milliseconds, so a
// package starts one cluster for its whole test binary and gives each test a
// fresh database of its own:
//
//	func TestMain(m *testing.M) { pgtest.Main(m) } // stops the shared cluster
//
//	func TestSomething(t *testing.T) {
//		dsn := pgtest.Shared(t).NewDatabase(t) // dropped when t ends
//		...
//	}
//
// Start gives a test a cluster of its own instead, stopped when it ends.
//
// Where PostgreSQL is not installed the test is skipped, except in CI (CI
// set to anything but "", "0" or "false") or with FERRY_REQUIRE_POSTGRES=1:
// there it fails. `make test-deps` (scripts/test-deps.sh) installs it. A
// server that is installed but does not start always fails the test.
//
// PostgreSQL refuses to run as root, and tests often do (in CI, in
// containers): then initdb and postgres run as the user "postgres" that
// Debian's package creates, or else as "nobody", in a folder that user owns.
// On Linux the server dies with the test binary, so that a panic or a
// -timeout leaves no server behind; its folder stays, though, and as it is
// in memory (/dev/shm) where Linux offers that, it holds some 40 MB there
// until removed (/dev/shm/ferry-pgtest-*).
package pgtest
