// Package e2e runs the kubectl-argofix binary against a real control plane
// (test/controlplane) with Argo CD's CRDs and manifests installed, over the
// scenarios in test/scenarios and the bad-input cases of the exit-status
// contract. Run with `go test ./test/e2e/ -count=1`; it needs bin/ from
// `make testbin`.
package e2e
