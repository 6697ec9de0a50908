package e2e

import (
	"context"
	"testing"

	"github.com/argofix/kubectl-argofix/test/controlplane"
)

// startBarePlane starts an etcd + kube-apiserver plane of the test's own,
// for cases that would disturb the shared plane, and stops it at cleanup.
// withCRDs installs Argo CD's CRDs (nothing else of Argo CD).
func startBarePlane(ctx context.Context, t *testing.T, withCRDs bool) *controlplane.ControlPlane {
	t.Helper()
	cp, err := controlplane.Start(ctx, controlplane.Options{Bare: true, KeepOnFailure: t.Failed, Logf: t.Logf})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := cp.Stop(); err != nil {
			t.Errorf("stopping bare control plane: %v", err)
		}
	})
	if withCRDs {
		if err := cp.InstallCRDsOnly(ctx); err != nil {
			t.Fatal(err)
		}
	}
	return cp
}
