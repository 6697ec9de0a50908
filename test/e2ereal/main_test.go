package e2ereal

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"log"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"

	"github.com/argofix/kubectl-argofix/test/controlplane"
	"github.com/argofix/kubectl-argofix/test/realargocd"
)

// argocdNS is Argo CD's control namespace in this tier.
const argocdNS = "argocd"

// env is shared by every test of the tier; TestMain sets it up once
// because starting the plane, installing Argo CD and starting the
// controller costs far more than any single case.
var env struct {
	cp         *controlplane.ControlPlane
	argo       *realargocd.ArgoCD
	apps       *realargocd.Apps
	cs         *kubernetes.Clientset
	cfg        *rest.Config
	kubeconfig string
	repoRoot   string
	// gitDir holds the fixture repositories made from test/scenarios.
	gitDir string
	// plugin is the built kubectl-argofix; pluginErr says why it is missing
	// (the cases still produce and record Argo CD's state, then fail).
	plugin    string
	pluginErr error
}

func TestMain(m *testing.M) {
	os.Exit(run(m))
}

func run(m *testing.M) (code int) {
	flag.Parse()
	if testing.Short() {
		log.Print("e2ereal: skipped in -short mode (needs a control plane and the real Argo CD controller)")
		return 0
	}
	raiseParallel()
	began := time.Now()
	// Bounds the whole setup; each case has its own waits.
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()

	root, err := controlplane.RepoRoot()
	if err != nil {
		log.Printf("e2ereal: %v", err)
		return 1
	}
	env.repoRoot = root
	work, err := os.MkdirTemp("", "argofix-e2ereal-")
	if err != nil {
		log.Printf("e2ereal: creating work dir: %v", err)
		return 1
	}
	// The plugin build runs while the plane starts: both take seconds and
	// the build does not need the cluster.
	built := make(chan struct{})
	go func() {
		defer close(built)
		env.plugin, env.pluginErr = buildPlugin(ctx, root, work)
	}()
	defer func() {
		<-built
		// The fixture repos and plugin are kept with the logs on failure.
		if code != 0 {
			log.Printf("e2ereal: fixture repos and plugin kept in %s", work)
			return
		}
		if err := os.RemoveAll(work); err != nil {
			log.Printf("e2ereal: removing %s: %v", work, err)
			code = 1
		}
	}()

	cp, err := controlplane.Start(ctx, controlplane.Options{})
	if err != nil {
		log.Printf("e2ereal: %v", err)
		return 1
	}
	env.cp = cp
	defer func() {
		if err := cp.StopKeeping(code != 0); err != nil {
			log.Printf("e2ereal: stopping control plane: %v", err)
			code = 1
		}
		log.Printf("e2ereal: tier wall time %s", time.Since(began).Round(time.Millisecond))
	}()
	if err := cp.InstallArgoCD(ctx, argocdNS); err != nil {
		log.Printf("e2ereal: %v", err)
		return 1
	}
	argo, err := realargocd.Start(ctx, realargocd.Options{
		Kubeconfig: cp.AdminKubeconfig,
		Namespace:  argocdNS,
		// Matches argocd-cm's timeout.reconciliation: the local process
		// reads the flag, not the ConfigMap.
		AppResync: 10 * time.Second,
	})
	if err != nil {
		log.Printf("e2ereal: %v", err)
		return 1
	}
	env.argo = argo
	// Stopped before the plane (deferred later, runs first): the
	// controller must not see its apiserver vanish under it.
	defer func() {
		if err := argo.StopKeeping(code != 0); err != nil {
			log.Printf("e2ereal: stopping Argo CD: %v", err)
			code = 1
		}
	}()
	env.cfg = cp.RESTConfig()
	env.kubeconfig = cp.AdminKubeconfig
	if env.apps, err = realargocd.NewApps(env.cfg, argocdNS); err != nil {
		log.Printf("e2ereal: %v", err)
		return 1
	}
	if env.cs, err = cp.Clientset(); err != nil {
		log.Printf("e2ereal: %v", err)
		return 1
	}
	env.gitDir = filepath.Join(work, "git")
	<-built
	if env.pluginErr != nil {
		log.Printf("e2ereal: kubectl-argofix does not build; every case will fail at its diagnose step: %v", env.pluginErr)
	}
	log.Printf("e2ereal: setup done in %s", time.Since(began).Round(time.Millisecond))
	return m.Run()
}

// raiseParallel lets all cases run at once unless -parallel was given: they
// spend their time waiting for the controller, not on the CPU, and the
// default (GOMAXPROCS, 2 here) would serialise them.
func raiseParallel() {
	set := false
	flag.Visit(func(f *flag.Flag) {
		if f.Name == "test.parallel" {
			set = true
		}
	})
	if set {
		return
	}
	if err := flag.Set("test.parallel", "16"); err != nil {
		log.Printf("e2ereal: cannot raise -parallel: %v", err)
	}
}

func buildPlugin(ctx context.Context, root, dir string) (string, error) {
	out := filepath.Join(dir, "kubectl-argofix")
	cmd := exec.CommandContext(ctx, "go", "build", "-o", out, "./cmd/kubectl-argofix")
	cmd.Dir = root
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		return "", fmt.Errorf("go build ./cmd/kubectl-argofix: %w: %s", err, strings.TrimSpace(stderr.String()))
	}
	return out, nil
}

// fixtureRepo turns test/scenarios/<name>/repo into a Git repository the
// repo-server can clone.
func fixtureRepo(t *testing.T, name string) *realargocd.Repo {
	t.Helper()
	src := filepath.Join(env.repoRoot, "test", "scenarios", name, "repo")
	repo, err := realargocd.NewRepoFromDir(t.Context(), src, filepath.Join(env.gitDir, name))
	if err != nil {
		t.Fatalf("fixture repo %s: %v", name, err)
	}
	return repo
}

var errNoPlugin = errors.New("kubectl-argofix was not built")
