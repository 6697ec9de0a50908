# kubectl-argofix. `make demo` and `make test` are all a newcomer needs.
SHELL := /usr/bin/env bash
.SHELLFLAGS := -euo pipefail -c

VERSION ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
COMMIT  ?= $(shell git rev-parse --short HEAD 2>/dev/null || echo unknown)
DATE    ?= $(shell date -u +%Y-%m-%dT%H:%M:%SZ)
LDFLAGS := -s -w -X main.version=$(VERSION) -X main.commit=$(COMMIT) -X main.date=$(DATE)

BIN        := $(CURDIR)/bin
PREFIX     ?= $(HOME)/.local
GOLANGCI_LINT_VERSION := v2.15.0
GOLANGCI_LINT := $(BIN)/golangci-lint-$(GOLANGCI_LINT_VERSION)
DEMO_DIR   := $(CURDIR)/.demo

export ARGOFIX_TEST_BIN := $(BIN)

.PHONY: all build install test unit e2e lint testbin argocdbin demo demo-stop clean
.PHONY: dist krew-manifest krewbin usage-docs

all: build

build: ## the plugin binary, bin/kubectl-argofix
	CGO_ENABLED=0 go build -trimpath -ldflags '$(LDFLAGS)' -o $(BIN)/kubectl-argofix ./cmd/kubectl-argofix

install: build ## put kubectl-argofix and its completion helper on PATH ($(PREFIX)/bin)
	install -d $(PREFIX)/bin
	install -m 0755 $(BIN)/kubectl-argofix $(PREFIX)/bin/kubectl-argofix
	install -m 0755 scripts/kubectl_complete-argofix $(PREFIX)/bin/kubectl_complete-argofix
	ln -sf kubectl-argofix $(PREFIX)/bin/argocd-argofix # the same binary runs as `argocd argofix` (Argo CD CLI v3.1+)
	@echo "installed into $(PREFIX)/bin (kubectl-argofix, argocd-argofix, kubectl_complete-argofix); make sure it is on PATH, then: kubectl argofix version"

testbin: ## the control-plane binaries (etcd, kube-*, kwok), built from the Go module proxy
	test/tools/build.sh $(CURDIR)

argocdbin: ## the real Argo CD application-controller and repo-server
	test/argocd/build.sh $(CURDIR)

test: lint unit e2e ## everything CI runs

BENCH_APPS ?= 1000,5000
BENCH_RUNS ?= 5
.PHONY: bench
bench: testbin ## measure diagnose at scale on the real control plane, write docs/performance.md (BENCH_APPS=1000,5000,20000 for more)
	ARGOFIX_BENCH=1 go test -count=1 -v -run TestBench -timeout 60m ./test/bench/ -args -apps=$(BENCH_APPS) -runs=$(BENCH_RUNS)

unit: ## pure tests, no cluster
	go test -count=1 ./pkg/... ./cmd/...

e2e: testbin argocdbin krewbin ## end-to-end tests against the real control plane and the real Argo CD controller
	go test -count=1 -timeout 40m ./test/...

lint: $(GOLANGCI_LINT)
	$(GOLANGCI_LINT) run ./...

$(GOLANGCI_LINT):
	@mkdir -p $(BIN)
	GOBIN=$(BIN)/.lint go install github.com/golangci/golangci-lint/v2/cmd/golangci-lint@$(GOLANGCI_LINT_VERSION)
	mv $(BIN)/.lint/golangci-lint $@

# Release: `make dist VERSION=vX.Y.Z` cross-builds every platform krew
# serves into $(DIST) as kubectl-argofix_<version>_<os>_<arch>.tar.gz (.zip
# for windows) with LICENSE, and dist/checksums.txt; `make krew-manifest
# VERSION=vX.Y.Z` renders .krew.yaml into $(KREW_MANIFEST) from those
# archives. Builds are reproducible: stamped with the commit's date.
DIST          ?= $(CURDIR)/dist
KREW_MANIFEST ?= $(CURDIR)/plugins/argofix.yaml
PLATFORMS     := linux/amd64 linux/arm64 darwin/amd64 darwin/arm64 windows/amd64 windows/arm64
DIST_DATE      = $(shell TZ=UTC git log -1 --format=%cd --date=format-local:%Y-%m-%dT%H:%M:%SZ 2>/dev/null || echo 1970-01-01T00:00:00Z)

dist: ## release archives and checksums for VERSION=vX.Y.Z into dist/
	@[[ "$(VERSION)" =~ ^v[0-9]+\.[0-9]+\.[0-9]+(-[0-9A-Za-z.-]+)?$$ ]] || { echo "make dist needs VERSION=vX.Y.Z (semver, as krew requires), not $(VERSION)" >&2; exit 2; }
	rm -rf $(DIST)/work && mkdir -p $(DIST)/work
	rm -f $(DIST)/kubectl-argofix_$(VERSION)_* $(DIST)/checksums.txt
	for p in $(PLATFORMS); do \
	  os=$${p%/*}; arch=$${p#*/}; exe=kubectl-argofix; ext=tar.gz; \
	  if [[ $$os == windows ]]; then exe=kubectl-argofix.exe; ext=zip; fi; \
	  echo "building $$os/$$arch" >&2; \
	  mkdir -p $(DIST)/work/$$os-$$arch; \
	  GOOS=$$os GOARCH=$$arch CGO_ENABLED=0 go build -trimpath \
	    -ldflags '-s -w -X main.version=$(VERSION) -X main.commit=$(COMMIT) -X main.date=$(DIST_DATE)' \
	    -o $(DIST)/work/$$os-$$arch/$$exe ./cmd/kubectl-argofix; \
	  go run ./scripts/release archive -date $(DIST_DATE) -o $(DIST)/kubectl-argofix_$(VERSION)_$${os}_$${arch}.$$ext \
	    $(DIST)/work/$$os-$$arch/$$exe LICENSE; \
	done
	rm -rf $(DIST)/work
	go run ./scripts/release checksums -o $(DIST)/checksums.txt $(DIST)/kubectl-argofix_$(VERSION)_*
	@cat $(DIST)/checksums.txt

krew-manifest: ## plugins/argofix.yaml from .krew.yaml and the dist/ archives of VERSION=vX.Y.Z
	go run ./scripts/release krew-manifest -template .krew.yaml -tag $(VERSION) -dist $(DIST) -o $(KREW_MANIFEST)

krewbin: ## krew, its manifest validator and kubectl, for the krew and completion tests
	test/krew/build.sh $(CURDIR)

usage-docs: build ## regenerate docs/usage.md's output samples from the running `make demo` cluster
	scripts/usage-docs.sh $(DEMO_DIR) $(BIN) docs/usage.md

demo: build testbin argocdbin ## start a local control plane with broken Argo CD states and diagnose them
	scripts/demo.sh start $(DEMO_DIR) $(BIN)

demo-stop: ## stop the demo control plane
	scripts/demo.sh stop $(DEMO_DIR) $(BIN)

clean: demo-stop
	rm -rf $(BIN) $(DEMO_DIR)
