// Package e2ereal is the real-controller tier of the end-to-end tests: one
// control plane with Argo CD v2.14.21 installed, the real
// application-controller and repo-server running against it
// (test/realargocd), and one test per broken state that the controller
// itself produces. Each test runs the built kubectl-argofix on that state
// and checks the finding ids it reports. OBSERVED.md records what the
// controller wrote in each case: the ground truth the checks are built on.
//
// Needs bin/ from test/tools/build.sh and test/argocd/build.sh (the latter
// also builds argocd-redis, the miniredis server Argo CD talks to: nothing
// outside the Go module proxy but git). `go test -short` skips the tier.
package e2ereal
