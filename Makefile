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

all: build

build: ## the plugin binary, bin/kubectl-argofix
	CGO_ENABLED=0 go build -trimpath -ldflags '$(LDFLAGS)' -o $(BIN)/kubectl-argofix ./cmd/kubectl-argofix

install: build ## put kubectl-argofix and its completion helper on PATH ($(PREFIX)/bin)
	install -d $(PREFIX)/bin
	install -m 0755 $(BIN)/kubectl-argofix $(PREFIX)/bin/kubectl-argofix
	install -m 0755 scripts/kubectl_complete-argofix $(PREFIX)/bin/kubectl_complete-argofix
	@echo "installed into $(PREFIX)/bin; make sure it is on PATH, then: kubectl argofix version"

testbin: ## the control-plane binaries (etcd, kube-*, kwok), built from the Go module proxy
	test/tools/build.sh $(CURDIR)

argocdbin: ## the real Argo CD application-controller and repo-server
	test/argocd/build.sh $(CURDIR)

test: lint unit e2e ## everything CI runs

unit: ## pure tests, no cluster
	go test -count=1 ./pkg/... ./cmd/...

e2e: testbin argocdbin ## end-to-end tests against the real control plane and the real Argo CD controller
	go test -count=1 -timeout 40m ./test/...

lint: $(GOLANGCI_LINT)
	$(GOLANGCI_LINT) run ./...

$(GOLANGCI_LINT):
	@mkdir -p $(BIN)
	GOBIN=$(BIN)/.lint go install github.com/golangci/golangci-lint/v2/cmd/golangci-lint@$(GOLANGCI_LINT_VERSION)
	mv $(BIN)/.lint/golangci-lint $@

demo: build testbin argocdbin ## start a local control plane with broken Argo CD states and diagnose them
	scripts/demo.sh start $(DEMO_DIR) $(BIN)

demo-stop: ## stop the demo control plane
	scripts/demo.sh stop $(DEMO_DIR) $(BIN)

clean: demo-stop
	rm -rf $(BIN) $(DEMO_DIR)
