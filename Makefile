# ferry — common tasks. `make run` starts a node on the embedded defaults;
# `make test` installs what the tests need (where missing) and runs them all.

GO      ?= go
VERSION ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
LDFLAGS := -X main.version=$(VERSION)

.PHONY: build run test test-deps bench clean

build:
	$(GO) build -ldflags "$(LDFLAGS)" -o bin/ferry ./cmd/ferry

run: build
	./bin/ferry serve

test-deps:
	./scripts/test-deps.sh

test: test-deps
	$(GO) vet ./...
	$(GO) test -race -count=1 -timeout 20m ./...

bench: build
	./bench/run.sh

clean:
	rm -rf bin
