package e2e

import (
	"context"
	"errors"
	"fmt"
	"log"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/argofix/kubectl-argofix/test/controlplane"
	"github.com/argofix/kubectl-argofix/test/scenario"
)

// argoNamespace is where InstallArgoCD puts Argo CD itself.
const argoNamespace = "argocd"

// suite is shared by all tests of the package: starting a control plane
// and building the plugin cost seconds, so TestMain does it once. A package
// variable is the only way TestMain can hand state to tests.
var suite *suiteEnv

type suiteEnv struct {
	root   string
	cp     *controlplane.ControlPlane
	plugin string
	// buildErr is set when the plugin does not build; tests report it
	// instead of the whole package failing before any test runs.
	buildErr error

	mu      sync.Mutex
	applied map[string]scenario.Scenario
}

func TestMain(m *testing.M) {
	os.Exit(runMain(m))
}

func runMain(m *testing.M) (code int) {
	code = 1
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	root, err := controlplane.RepoRoot()
	if err != nil {
		log.Printf("e2e: %v", err)
		return code
	}
	tmp, err := os.MkdirTemp("", "argofix-e2e-")
	if err != nil {
		log.Printf("e2e: %v", err)
		return code
	}
	defer func() {
		if err := os.RemoveAll(tmp); err != nil {
			log.Printf("e2e: removing %s: %v", tmp, err)
		}
	}()

	began := time.Now()
	cp, err := controlplane.Start(ctx, controlplane.Options{})
	if err != nil {
		log.Printf("e2e: %v", err)
		return code
	}
	// Runs on normal return and when a setup step below fails. A panic in
	// a test kills the process without running this; the control-plane
	// processes then die with it (Pdeathsig) and the work dir is left.
	defer func() {
		if err := cp.StopKeeping(code != 0); err != nil {
			log.Printf("e2e: stopping control plane: %v", err)
			if code == 0 {
				code = 1
			}
		}
	}()
	if err := cp.InstallArgoCD(ctx, argoNamespace); err != nil {
		log.Printf("e2e: %v", err)
		return code
	}
	log.Printf("e2e: control plane and Argo CD ready in %s", time.Since(began).Round(time.Millisecond))

	plugin := filepath.Join(tmp, "kubectl-argofix")
	suite = &suiteEnv{root: root, cp: cp, plugin: plugin, applied: map[string]scenario.Scenario{}}
	suite.buildErr = buildPlugin(ctx, root, plugin)
	if suite.buildErr != nil {
		log.Printf("e2e: %v", suite.buildErr)
	}
	code = m.Run()
	return code
}

func buildPlugin(ctx context.Context, root, out string) error {
	cmd := exec.CommandContext(ctx, "go", "build", "-o", out, "./cmd/kubectl-argofix")
	cmd.Dir = root
	b, err := cmd.CombinedOutput()
	if err != nil {
		return fmt.Errorf("building the plugin (go build -o %s ./cmd/kubectl-argofix): %w\n%s", out, err, strings.TrimSpace(string(b)))
	}
	return nil
}

// needPlugin fails the test when the plugin binary could not be built.
func needPlugin(t *testing.T) {
	t.Helper()
	if suite == nil {
		t.Fatal("suite not initialised")
	}
	if suite.buildErr != nil {
		t.Fatal(suite.buildErr)
	}
}

// appliedScenario applies the scenario called name (once per test
// process) for a test that only reads it, and returns it with a context
// for the test's own requests.
func appliedScenario(t *testing.T, name string) (context.Context, scenario.Scenario) {
	t.Helper()
	needPlugin(t)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	t.Cleanup(cancel)
	sc, err := suite.applyScenario(ctx, name)
	if err != nil {
		t.Fatal(err)
	}
	return ctx, sc
}

// applyScenario applies a scenario once per test process (scenarios are
// create-once; -count=N reruns reuse them).
func (s *suiteEnv) applyScenario(ctx context.Context, name string) (scenario.Scenario, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if sc, ok := s.applied[name]; ok {
		return sc, nil
	}
	sc, err := scenario.ApplyWith(ctx, s.cp.RESTConfig(), filepath.Join(s.scenariosDir(), name), s.cp.InstallArgoCD)
	if err != nil {
		return scenario.Scenario{}, err
	}
	s.applied[name] = sc
	return sc, nil
}

func (s *suiteEnv) scenariosDir() string { return filepath.Join(s.root, "test", "scenarios") }

// result is one plugin run.
type result struct {
	args   []string
	code   int
	stdout string
	stderr string
}

func (r result) String() string {
	return fmt.Sprintf("kubectl-argofix %s\nexit %d\n--- stderr:\n%s\n--- stdout:\n%s", strings.Join(r.args, " "), r.code, r.stderr, r.stdout)
}

// runPlugin runs the plugin with args; a non-zero exit is a result, not an
// error. It fails the test only when the binary cannot be run at all.
func runPlugin(t *testing.T, args ...string) result {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, suite.plugin, args...)
	// Keep the developer's kubeconfig and colours out of the run.
	cmd.Env = append(os.Environ(), "KUBECONFIG=/nonexistent", "NO_COLOR=1")
	var stdout, stderr strings.Builder
	cmd.Stdout = &stdout
	cmd.Stderr = &stderr
	err := cmd.Run()
	r := result{args: args, stdout: stdout.String(), stderr: stderr.String()}
	var exitErr *exec.ExitError
	switch {
	case err == nil:
	case errors.As(err, &exitErr) && exitErr.Exited():
		r.code = exitErr.ExitCode()
	default:
		t.Fatalf("running the plugin: %v\n%s", err, r)
	}
	return r
}
