//go:build tools

// Package tools pins krew (its validator and the krew binary itself) and
// kubectl, which the krew test of `make test` builds into bin/krew-test/
// to validate plugins/argofix.yaml and install the plugin from it for real.
// kubectl comes from the same k8s.io/kubernetes pins as test/tools, so both
// share the Go build cache.
package tools

import (
	_ "k8s.io/kubernetes/cmd/kubectl"
	_ "sigs.k8s.io/krew/cmd/krew"
	_ "sigs.k8s.io/krew/cmd/validate-krew-manifest"
)
