# trustctl — see README.md. Every target runs on a fresh clone with Go,
# and the tests use keytool, java and openssl when they are installed.

GO       ?= go
VERSION  ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo devel)
LDFLAGS  := -s -w -X github.com/trustctl/trustctl/internal/cli.Version=$(VERSION)
BIN      ?= bin/trustctl
# urfave_cli_no_docs leaves out the man-page generator (and its markdown
# parser, the largest initialiser at start-up); a static binary starts
# without the dynamic loader. bench/ builds with this same target.
TAGS     ?= urfave_cli_no_docs
FUZZTIME ?= 10s

.PHONY: build run test lint cross man vuln fuzz interop bench conformance demo clean

build:
	CGO_ENABLED=0 $(GO) build -trimpath -tags '$(TAGS)' -ldflags '$(LDFLAGS)' -o $(BIN) ./cmd/trustctl

# The main job on this machine: list the JDK's truststore.
run: build
	./$(BIN) list --cacerts

test:
	$(GO) test -race -count=1 ./...

lint:
	$(GO) vet ./...
	@test -z "$$(gofmt -l . | tee /dev/stderr)" || (echo "gofmt needed" && exit 1)

# The program builds for the other systems people run it on (the tests
# run on Linux only).
CROSS ?= windows/amd64 darwin/arm64 linux/arm64
cross:
	@for p in $(CROSS); do \
	  echo "== $$p"; \
	  GOOS=$${p%/*} GOARCH=$${p#*/} CGO_ENABLED=0 $(GO) build -tags '$(TAGS)' -o /dev/null ./cmd/trustctl || exit 1; \
	done

# The manual page, from the command definitions: man -l bin/trustctl.1
man:
	@mkdir -p $(dir $(BIN))
	$(GO) run ./internal/cli/mangen > $(dir $(BIN))trustctl.1

vuln:
	$(GO) run golang.org/x/vuln/cmd/govulncheck@latest ./...

# Each fuzz target for a short while (FUZZTIME=1m for longer, or a count
# of inputs such as 20000x, which .ci/run uses). A short minimisation
# keeps a found input from eating the whole run.
fuzz:
	@for pkg in $$($(GO) list ./...); do \
	  for t in $$($(GO) test -list '^Fuzz' $$pkg | grep '^Fuzz'); do \
	    echo "== $$pkg $$t"; \
	    $(GO) test -run '^$$' -fuzz "^$$t$$" -fuzztime $(FUZZTIME) -fuzzminimizetime 5s $$pkg || exit 1; \
	  done; \
	done

interop:
	$(GO) test -count=1 -run 'Keytool|OpenSSL|Java|Interop|Scripts' ./...

bench:
	$(GO) run ./bench

conformance:
	TRUSTCTL_LIMBO=1 $(GO) test -count=1 -timeout 30m -run TestLimbo ./internal/chain/...

demo: build
	./scripts/demo.sh ./$(BIN)

clean:
	rm -rf bin
