# ferry — common tasks. `make run` starts a node on the embedded defaults;
# `make test` installs what the tests need (where missing) and runs them all.

GO      ?= go
VERSION ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
LDFLAGS := -X main.version=$(VERSION)

.PHONY: build run test test-deps fuzz bench clean

build:
	$(GO) build -ldflags "$(LDFLAGS)" -o bin/ferry ./cmd/ferry

run: build
	./bin/ferry serve

test-deps:
	./scripts/test-deps.sh

# Tests that need a real server (clamd, PostgreSQL, versitygw) fail rather
# than skip here: test-deps has just installed them.
# The end-to-end suite runs twice: on the embedded defaults, then on
# PostgreSQL and S3 (versitygw), as several nodes run.
TESTENV := FERRY_REQUIRE_CLAMD=1 FERRY_REQUIRE_POSTGRES=1 FERRY_REQUIRE_S3=1 PATH="$(PATH):$(shell $(GO) env GOPATH)/bin"
test: test-deps
	$(GO) vet ./...
	$(TESTENV) $(GO) test -race -count=1 -timeout 20m ./...
	$(TESTENV) FERRY_E2E_STORES=postgres-s3 $(GO) test -race -count=1 -timeout 20m ./internal/e2e/
	$(MAKE) fuzz

# A short run of each fuzz target (its seeds also run in `go test`);
# FUZZTIME=5m for a longer look.
FUZZTIME ?= 10s
fuzz:
	$(GO) test -run '^$$' -fuzz '^FuzzWalk$$' -fuzztime $(FUZZTIME) ./inspect/archive/
	$(GO) test -run '^$$' -fuzz '^FuzzNormalize$$' -fuzztime $(FUZZTIME) ./inspect/keywords/
	$(GO) test -run '^$$' -fuzz '^FuzzMatch$$' -fuzztime $(FUZZTIME) ./inspect/keywords/
	$(GO) test -run '^$$' -fuzz '^FuzzState$$' -fuzztime $(FUZZTIME) ./inspect/keywords/

bench: build
	./bench/run.sh

clean:
	rm -rf bin
