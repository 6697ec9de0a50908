//go:build tools

// Package tools pins the Argo CD v2.14.21 multi-call binary that the
// real-controller tests (test/e2ereal) run; build.sh builds it into bin/,
// with argocd-redis (./redis, miniredis at the version Argo CD pins) next
// to it.
package tools

import (
	_ "github.com/argoproj/argo-cd/v2/cmd"
)
