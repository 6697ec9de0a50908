package realargocd

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"time"

	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/argofix/kubectl-argofix/test/process"
)

// BinAppSetController is the applicationset-controller's name: like
// argocd-server it runs from the multi-call argocd binary, which picks the
// role from argv[0].
const BinAppSetController = "argocd-applicationset-controller"

// ApplicationSetGVR is the ApplicationSet resource.
var ApplicationSetGVR = schema.GroupVersionResource{Group: "argoproj.io", Version: "v1alpha1", Resource: "applicationsets"}

// AppSetController is a running applicationset-controller started by
// StartAppSetController. Stop it once (a test's cleanup).
type AppSetController struct {
	argo *ArgoCD
	proc *process.Process
	// MetricsURL is the base URL of its metrics endpoint (/metrics).
	MetricsURL string
	// WebhookAddr is where its Git webhook listens (loopback only: v2.14
	// has no flag to turn the webhook server off).
	WebhookAddr string
}

// StartAppSetController starts the v2.14 applicationset-controller for
// the ApplicationSets of Argo CD's namespace only (no
// --applicationset-namespaces), with policy sync, against the running
// repo-server (plaintext), leader election off, its webhook and metrics on
// free loopback ports and the health probe off. It returns once its metrics
// endpoint answers, i.e. once the controller manager runs; a test still
// waits for the status it expects. Only one may run at a time (two would
// fight over the same ApplicationSets): the tier's other tests never start
// it, so they pay nothing for it. Its log is applicationset-controller.log
// in Dir.
func (a *ArgoCD) StartAppSetController(ctx context.Context) (*AppSetController, error) {
	a.appsetMu.Lock()
	defer a.appsetMu.Unlock()
	if a.appset != nil {
		return nil, errors.New("an applicationset-controller is already running for this Argo CD")
	}
	bin := filepath.Join(a.bin, "argocd")
	if _, err := os.Stat(bin); err != nil {
		return nil, fmt.Errorf("the applicationset-controller runs from the multi-call binary %s: %w", bin, err)
	}
	ports, err := process.FreePorts(2)
	if err != nil {
		return nil, err
	}
	c := &AppSetController{
		argo:        a,
		MetricsURL:  fmt.Sprintf("http://127.0.0.1:%d", ports[0]),
		WebhookAddr: "127.0.0.1:" + strconv.Itoa(ports[1]),
	}
	env, err := a.environment()
	if err != nil {
		return nil, err
	}
	began := time.Now()
	proc, err := a.run("applicationset-controller", bin, BinAppSetController, []string{
		// Its own namespace is the only one watched when
		// --applicationset-namespaces is empty.
		"--namespace", a.opts.Namespace,
		"--argocd-repo-server", a.RepoServerAddr,
		"--repo-server-plaintext",
		"--policy", "sync",
		"--metrics-addr", "127.0.0.1:" + strconv.Itoa(ports[0]),
		"--probe-addr", "0",
		"--webhook-addr", c.WebhookAddr,
		"--enable-leader-election=false",
		"--loglevel", "info",
	}, env)
	if err != nil {
		return nil, err
	}
	c.proc = proc
	a.appset = c
	client := &http.Client{Timeout: 2 * time.Second}
	if err := proc.WaitReady(ctx, a.opts.StartTimeout, func(ctx context.Context) error {
		return httpOK(ctx, client, c.MetricsURL+"/metrics")
	}); err != nil {
		return nil, errors.Join(err, c.stopLocked())
	}
	a.opts.Logf("applicationset-controller up in %s (namespace %s, log %s)", time.Since(began).Round(time.Millisecond), a.opts.Namespace, a.AppSetControllerLog())
	return c, nil
}

// Stop stops the applicationset-controller; the ApplicationSets and the
// Applications it made stay. Safe to call more than once.
func (c *AppSetController) Stop() error {
	c.argo.appsetMu.Lock()
	defer c.argo.appsetMu.Unlock()
	return c.stopLocked()
}

func (c *AppSetController) stopLocked() error {
	a := c.argo
	if a.appset != c {
		return nil
	}
	a.appset = nil
	err := c.proc.Stop(a.opts.StopGrace)
	for i, p := range a.procs {
		if p == c.proc {
			a.procs = append(a.procs[:i], a.procs[i+1:]...)
			break
		}
	}
	return err
}

// AppSetControllerLog is the path of the applicationset-controller's log.
func (a *ArgoCD) AppSetControllerLog() string {
	return filepath.Join(a.dir, "applicationset-controller.log")
}
