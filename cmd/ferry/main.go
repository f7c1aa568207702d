package main

import "os"

// version is the client version, sent as Ferry-Client-Version and printed
// by `ferry version`; set it at build time with
// -ldflags "-X main.version=1.2.3".
var version = "0.1.0-dev"

func main() {
	os.Exit(run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}
