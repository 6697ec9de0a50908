package main

import (
	"context"
	"fmt"
	"log"
	"os"
	"path/filepath"
	"time"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/argofix/kubectl-argofix/test/controlplane"
	"github.com/argofix/kubectl-argofix/test/realargocd"
)

// realApp is an Application the real controller drives in the demo.
type realApp struct {
	spec realargocd.AppSpec
	// repo is the folder under test/scenarios holding its Git content.
	repo string
	// deleteAfterSync deletes the app once synced: with a managed object
	// held by a foreign finalizer, the deletion hangs.
	deleteAfterSync bool
}

var realApps = []realApp{
	{spec: realargocd.AppSpec{Name: "guestbook", DestNamespace: "guestbook", AutoSync: true, SyncOptions: []string{"CreateNamespace=true"}},
		repo: "real-healthy"},
	{spec: realargocd.AppSpec{Name: "held", DestNamespace: "held", AutoSync: true, Finalizer: true, SyncOptions: []string{"CreateNamespace=true"}},
		repo: "real-deletion-foreign-finalizer", deleteAfterSync: true},
	{spec: realargocd.AppSpec{Name: "orphan", Project: "does-not-exist", DestNamespace: "orphan"},
		repo: "real-healthy"},
}

// Log lines scripts/demo.sh looks for: the real-controller part ran, or
// it was skipped (followed by the reason).
const (
	logRealRunning = "real Argo CD controller running"
	logRealSkipped = "REAL ARGO CD PART SKIPPED"
)

// startRealArgoCD runs the real application-controller and repo-server,
// with argocd-redis, when they are built (make argocdbin; `make demo` builds
// them first), and creates apps whose state Argo CD itself writes. When a
// binary is missing it says so loudly and returns nil, nil: the demo then
// shows the hand-written scenarios only, and scripts/demo.sh repeats why.
func startRealArgoCD(ctx context.Context, cp *controlplane.ControlPlane, root, dir, ns string) (*realargocd.ArgoCD, error) {
	bin, err := realargocd.BinDir("")
	if err != nil {
		return nil, err
	}
	if err := realargocd.CheckBinaries(bin); err != nil {
		log.Printf("democluster: %s: %v; showing hand-written scenarios only", logRealSkipped, err)
		return nil, nil
	}
	argo, err := realargocd.Start(ctx, realargocd.Options{Kubeconfig: cp.AdminKubeconfig, Namespace: ns, AppResync: 10 * time.Second})
	if err != nil {
		return nil, err
	}
	if err := createRealApps(ctx, cp, root, dir, ns); err != nil {
		return argo, err
	}
	return argo, nil
}

func createRealApps(ctx context.Context, cp *controlplane.ControlPlane, root, dir, ns string) error {
	apps, err := realargocd.NewApps(cp.RESTConfig(), ns)
	if err != nil {
		return err
	}
	// The repositories of an earlier demo belong to a cluster that is gone.
	gitDir := filepath.Join(dir, "git")
	if err := os.RemoveAll(gitDir); err != nil {
		return fmt.Errorf("remove the previous demo's repositories: %w", err)
	}
	for _, a := range realApps {
		repo, err := realargocd.NewRepoFromDir(ctx, filepath.Join(root, "test", "scenarios", a.repo, "repo"), filepath.Join(gitDir, a.spec.Name))
		if err != nil {
			return err
		}
		spec := a.spec
		spec.RepoURL = repo.URL
		if _, err := apps.Create(ctx, spec); err != nil {
			return fmt.Errorf("create Application %s: %w", spec.Name, err)
		}
	}
	for _, a := range realApps {
		if !a.deleteAfterSync {
			continue
		}
		if _, err := apps.WaitFor(ctx, a.spec.Name, func(app *unstructured.Unstructured) bool {
			return app != nil && realargocd.OperationPhase(app) == "Succeeded"
		}, 2*time.Minute); err != nil {
			return fmt.Errorf("wait for %s to sync: %w", a.spec.Name, err)
		}
		if err := apps.DeleteNoWait(ctx, a.spec.Name); err != nil {
			return err
		}
	}
	log.Printf("democluster: %s; Applications guestbook (healthy), held (deletion stuck), orphan (project missing) in %s", logRealRunning, ns)
	return nil
}
