# credbed — see README.md. Every target works from a fresh clone.
GO        ?= go
PKGS      ?= ./...
OUT       ?= reports/out
FUZZTIME  ?= 5s
BENCHTIME ?= 1s
export GOFLAGS := -buildvcs=false

.PHONY: all build run test test-race bench fuzz lint conformance clean

all: build

build:
	$(GO) build -o bin/credbed ./cmd/credbed

## run: the main job — the whole scenario suite on the embedded testbed, reports in $(OUT)
run: build
	./bin/credbed run --out $(OUT)

## test: every test (unit, Ginkgo suites, fuzz seed corpora)
test:
	$(GO) vet $(PKGS)
	$(GO) test -count=1 -timeout 8m $(PKGS)

## conformance: only the Ginkgo specs labelled conformance, with the pinned Ginkgo CLI
conformance:
	$(GO) tool ginkgo -r --label-filter=conformance ./...

## bench: the Go benchmarks, then credbed bench
bench: build
	$(GO) test -run='^$$' -bench=. -benchmem -benchtime=$(BENCHTIME) $(PKGS)
	./bin/credbed bench

## fuzz: every fuzz target, $(FUZZTIME) each
fuzz:
	@set -e; for pkg in $$($(GO) list $(PKGS)); do \
	  for f in $$($(GO) test -list '^Fuzz' $$pkg | grep '^Fuzz' || true); do \
	    echo "== $$pkg $$f"; \
	    $(GO) test -run='^$$' -fuzz="^$$f$$" -fuzztime=$(FUZZTIME) $$pkg; \
	  done; \
	done

## lint: formatting, vet, and go.mod tidiness
lint:
	@test -z "$$(gofmt -l $$(git ls-files '*.go'))" || (gofmt -l $$(git ls-files '*.go'); echo 'gofmt needed'; exit 1)
	$(GO) vet $(PKGS)
	@cp go.mod /tmp/credbed.go.mod.bak; cp go.sum /tmp/credbed.go.sum.bak; \
	 $(GO) mod tidy; \
	 if ! git diff --quiet -- go.mod go.sum; then git diff -- go.mod go.sum; \
	   cp /tmp/credbed.go.mod.bak go.mod; cp /tmp/credbed.go.sum.bak go.sum; echo 'go mod tidy changes go.mod/go.sum'; exit 1; fi

clean:
	rm -rf bin $(OUT)
