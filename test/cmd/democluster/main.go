// Command democluster runs the test control plane with Argo CD installed
// and every scenario of test/scenarios applied, for `make demo`: it writes
// <dir>/kubeconfig and then <dir>/ready, and runs until SIGINT or SIGTERM.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"
	"time"

	"github.com/argofix/kubectl-argofix/test/controlplane"
	"github.com/argofix/kubectl-argofix/test/scenario"
)

func main() {
	dir := flag.String("dir", ".demo", "folder for kubeconfig and the ready marker")
	argoNS := flag.String("argocd-namespace", "argocd", "namespace Argo CD is installed into")
	flag.Parse()
	if err := run(*dir, *argoNS); err != nil {
		log.Printf("democluster: %v", err)
		os.Exit(1)
	}
}

func run(dir, argoNS string) (err error) {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("creating %s: %w", dir, err)
	}
	ready := filepath.Join(dir, "ready")
	// A marker from an earlier run would tell `make demo` we are ready now.
	if err := os.Remove(ready); err != nil && !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("removing stale %s: %w", ready, err)
	}

	began := time.Now()
	cp, err := controlplane.Start(ctx, controlplane.Options{})
	if err != nil {
		return err
	}
	failed := false
	defer func() {
		if stopErr := cp.StopKeeping(failed); stopErr != nil {
			err = errors.Join(err, fmt.Errorf("stopping control plane: %w", stopErr))
		}
		if rmErr := os.Remove(ready); rmErr != nil && !errors.Is(rmErr, os.ErrNotExist) {
			err = errors.Join(err, fmt.Errorf("removing %s: %w", ready, rmErr))
		}
	}()
	if err := setup(ctx, cp, dir, argoNS); err != nil {
		failed = true
		return err
	}
	root, err := controlplane.RepoRoot()
	if err != nil {
		failed = true
		return err
	}
	argo, err := startRealArgoCD(ctx, cp, root, dir, argoNS)
	if argo != nil {
		// Stopped before the control plane (deferred calls run last first).
		defer func() {
			if stopErr := argo.StopKeeping(failed); stopErr != nil {
				err = errors.Join(err, fmt.Errorf("stopping Argo CD: %w", stopErr))
			}
		}()
	}
	if err != nil {
		failed = true
		return err
	}
	if err := os.WriteFile(ready, []byte(time.Now().UTC().Format(time.RFC3339)+"\n"), 0o644); err != nil {
		failed = true
		return fmt.Errorf("writing %s: %w", ready, err)
	}
	kubeconfig, err := filepath.Abs(filepath.Join(dir, "kubeconfig"))
	if err != nil {
		return fmt.Errorf("resolving kubeconfig path: %w", err)
	}
	log.Printf("democluster: ready in %s; export KUBECONFIG=%s; Ctrl-C stops it", time.Since(began).Round(time.Millisecond), kubeconfig)
	<-ctx.Done()
	log.Printf("democluster: stopping")
	return nil
}

func setup(ctx context.Context, cp *controlplane.ControlPlane, dir, argoNS string) error {
	if err := cp.InstallArgoCD(ctx, argoNS); err != nil {
		return err
	}
	root, err := controlplane.RepoRoot()
	if err != nil {
		return err
	}
	all, err := scenario.LoadAll(filepath.Join(root, "test", "scenarios"))
	if err != nil {
		return err
	}
	for _, sc := range all {
		if _, err := scenario.ApplyWith(ctx, cp.RESTConfig(), sc.Dir, cp.InstallArgoCD); err != nil {
			return err
		}
		log.Printf("democluster: scenario %s applied in namespace %s", sc.Name, sc.Namespace())
	}
	data, err := os.ReadFile(cp.AdminKubeconfig)
	if err != nil {
		return fmt.Errorf("reading admin kubeconfig: %w", err)
	}
	if err := os.WriteFile(filepath.Join(dir, "kubeconfig"), data, 0o600); err != nil {
		return fmt.Errorf("writing kubeconfig: %w", err)
	}
	return nil
}
