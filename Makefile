# trustctl — see README.md. Every target runs on a fresh clone with Go,
# and the tests use keytool, java and openssl when they are installed.

GO       ?= go
# --version prints these; without them it reads the build information
# the go command records (see internal/cli/version.go).
VERSION  ?= $(shell git describe --tags --always --dirty 2>/dev/null)
COMMIT   ?= $(shell git rev-parse --short=12 HEAD 2>/dev/null)
LDFLAGS  := -s -w -X github.com/trustctl/trustctl/internal/cli.Version=$(VERSION) -X github.com/trustctl/trustctl/internal/cli.Commit=$(COMMIT)
BIN      ?= bin/trustctl
# urfave_cli_no_docs leaves out the man-page generator (and its markdown
# parser, the largest initialiser at start-up); a static binary starts
# without the dynamic loader. bench/ builds with this same target.
TAGS     ?= urfave_cli_no_docs
FUZZTIME ?= 10s

.PHONY: build run test test-crash lint cross man vuln fuzz interop bench conformance conformance-report demo clean

build:
	CGO_ENABLED=0 $(GO) build -trimpath -tags '$(TAGS)' -ldflags '$(LDFLAGS)' -o $(BIN) ./cmd/trustctl

# The main job on this machine: list the JDK's truststore.
run: build
	./$(BIN) list --cacerts

test:
	$(GO) test -race -count=1 ./...

# Kills trustctl at random moments while it writes stores (and a CA's
# files), at least 200 times, and checks that every file is as it was or
# as it should become, with nothing left behind. About a minute.
test-crash:
	TRUSTCTL_CRASH=1 $(GO) test -count=1 -run '^TestCrash' -v ./cmd/trustctl

lint:
	$(GO) vet ./...
	$(GO) run honnef.co/go/tools/cmd/staticcheck@v0.8.2 ./...
	@# Not tee /dev/stderr: reopening stderr truncates a log file it points to.
	@out="$$(gofmt -l .)"; if [ -n "$$out" ]; then echo "$$out" >&2; echo "gofmt needed"; exit 1; fi

# The program builds for the systems people run it on (the tests run on
# Linux only).
CROSS ?= linux/amd64 linux/arm64 darwin/amd64 darwin/arm64 windows/amd64 windows/arm64
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

# x509-limbo and NIST PKITS through trustctl verify (CI runs this; under a
# minute on 2 cores): fails on any case that disagrees with its suite and
# is not in internal/chain/conformance/testdata/*-disagree.txt.
conformance:
	TRUSTCTL_CONFORMANCE=1 $(GO) test -count=1 -timeout 20m -run TestConformance ./internal/chain/conformance/

# The same, with crypto/x509 and openssl verify beside trustctl, written to
# CONFORMANCE.md; add ARGS=-update to rewrite the lists of disagreements.
conformance-report:
	TRUSTCTL_CONFORMANCE_REPORT=1 $(GO) test -count=1 -timeout 30m -run TestConformance ./internal/chain/conformance/ $(ARGS)

demo: build
	./scripts/demo.sh ./$(BIN)

clean:
	rm -rf bin
