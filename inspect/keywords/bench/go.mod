// Module bench compares package keywords with Go Aho–Corasick libraries on
// the same generated data. It is a module of its own so that the libraries
// never become dependencies of ferry.
module github.com/ferryhq/ferry/inspect/keywords/bench

go 1.26.8

require (
	github.com/BobuSumisu/aho-corasick v1.0.3
	github.com/anknown/ahocorasick v0.0.0-20190904063843-d75dbd5169c0
	github.com/cloudflare/ahocorasick v0.0.0-20240916140611-054963ec9396
	github.com/coregx/ahocorasick v0.3.1
	github.com/ferryhq/ferry v0.0.0
	github.com/petar-dambovaliev/aho-corasick v0.0.0-20250424160509-463d218d4745
)

require (
	github.com/anknown/darts v0.0.0-20151216065714-83ff685239e6 // indirect
	golang.org/x/text v0.44.0 // indirect
)

replace github.com/ferryhq/ferry => ../../..
