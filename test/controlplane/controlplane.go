// Package controlplane runs a real Kubernetes control plane on loopback for
// the end-to-end tests and `make demo`: etcd, kube-apiserver and, unless
// Bare, kube-controller-manager, kube-scheduler and kwok with one fake Node,
// so namespaces really get stuck on finalizers and Argo CD pods really run.
// The binaries come from bin/ (built by test/tools via `make testbin`).
package controlplane

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"log"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"

	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"

	"github.com/argofix/kubectl-argofix/test/process"
)

// Users with a kubeconfig from KubeconfigFor.
const (
	// UserAdmin is in group system:masters.
	UserAdmin = "admin"
	// UserReader is authenticated but has no RBAC rights at all.
	UserReader = "reader"
	// UserInvalid carries a token the apiserver does not know (401).
	UserInvalid = "invalid"
)

// ContextName is the kubeconfig context of the admin kubeconfig; the other
// users' kubeconfigs use ContextName + "-" + user.
const ContextName = "argofix-test"

// EnvBinDir overrides the folder holding the control-plane binaries.
const EnvBinDir = "ARGOFIX_TEST_BIN"

// Options configure Start. The zero value starts the full plane.
type Options struct {
	// BinDir holds etcd, kube-apiserver, ...; default $ARGOFIX_TEST_BIN,
	// else <repo root>/bin.
	BinDir string
	// Bare starts etcd and kube-apiserver only: no controllers, no pods.
	Bare bool
	// KeepOnFailure is asked by Stop; when it returns true the work dir with
	// every process log is kept and its path printed. Pass t.Failed.
	KeepOnFailure func() bool
	// Logf receives progress and the kept work dir; default log.Printf.
	Logf func(format string, args ...any)
	// TempDir is where the work dir is created; default os.TempDir().
	TempDir string
	// StartTimeout bounds each readiness wait; default 90s (2 cores, busy CI).
	StartTimeout time.Duration
	// StopGrace is how long each process gets after SIGTERM; default 10s.
	StopGrace time.Duration
}

// ControlPlane is a running control plane. Stop it exactly once.
type ControlPlane struct {
	// AdminKubeconfig is the path of a kubeconfig (context ContextName)
	// for a system:masters user.
	AdminKubeconfig string

	opts        Options
	dir         string
	binDir      string
	repoRoot    string
	pki         *pki
	procs       []*process.Process
	host        string
	kubeconfigs map[string]string
	restConfig  *rest.Config
	stopped     bool
}

// Start starts the control plane and waits until it serves requests (and,
// unless Bare, until the fake node is Ready and schedulable). On error
// nothing is left running; the work dir is kept and named in the error.
func Start(ctx context.Context, opts Options) (*ControlPlane, error) {
	if opts.Logf == nil {
		opts.Logf = log.Printf
	}
	if opts.StartTimeout == 0 {
		opts.StartTimeout = 90 * time.Second
	}
	if opts.StopGrace == 0 {
		opts.StopGrace = 10 * time.Second
	}
	root, err := RepoRoot()
	if err != nil {
		return nil, err
	}
	binDir := opts.BinDir
	if binDir == "" {
		binDir = os.Getenv(EnvBinDir)
	}
	if binDir == "" {
		binDir = filepath.Join(root, "bin")
	}
	needed := []string{"etcd", "kube-apiserver"}
	if !opts.Bare {
		needed = append(needed, "kube-controller-manager", "kube-scheduler", "kwok")
	}
	for _, b := range needed {
		if _, err := os.Stat(filepath.Join(binDir, b)); err != nil {
			return nil, fmt.Errorf("control-plane binary %s not found in %s: run `make testbin` first (or set %s): %w", b, binDir, EnvBinDir, err)
		}
	}
	dir, err := os.MkdirTemp(opts.TempDir, "argofix-controlplane-")
	if err != nil {
		return nil, fmt.Errorf("creating work dir: %w", err)
	}
	cp := &ControlPlane{opts: opts, dir: dir, binDir: binDir, repoRoot: root, kubeconfigs: map[string]string{}}
	if err := cp.start(ctx); err != nil {
		stopErr := cp.stopProcesses()
		return nil, errors.Join(fmt.Errorf("starting control plane (logs kept in %s): %w", dir, err), stopErr)
	}
	return cp, nil
}

func (cp *ControlPlane) start(ctx context.Context) error {
	began := time.Now()
	p, err := newPKI(cp.dir)
	if err != nil {
		return err
	}
	cp.pki = p
	ports, err := process.FreePorts(5)
	if err != nil {
		return err
	}
	etcdClient, etcdPeer, apiPort, kcmPort, schedPort := ports[0], ports[1], ports[2], ports[3], ports[4]

	if err := cp.startEtcd(ctx, etcdClient, etcdPeer); err != nil {
		return err
	}
	if err := cp.startAPIServer(ctx, apiPort, etcdClient); err != nil {
		return err
	}
	if err := cp.writeKubeconfigs(); err != nil {
		return err
	}
	if cp.opts.Bare {
		cp.opts.Logf("control plane (bare) up in %s at %s, work dir %s", time.Since(began).Round(time.Millisecond), cp.host, cp.dir)
		return nil
	}
	if err := cp.startControllerManager(ctx, kcmPort); err != nil {
		return err
	}
	if err := cp.startScheduler(ctx, schedPort); err != nil {
		return err
	}
	if err := cp.startKwok(ctx); err != nil {
		return err
	}
	if err := cp.createFakeNode(ctx); err != nil {
		return err
	}
	cp.opts.Logf("control plane up in %s at %s, work dir %s", time.Since(began).Round(time.Millisecond), cp.host, cp.dir)
	return nil
}

// run starts bin/<name> with the test's environment plus env.
func (cp *ControlPlane) run(name string, args, env []string) (*process.Process, error) {
	p, err := process.Start(process.Spec{
		Name:    name,
		Bin:     filepath.Join(cp.binDir, name),
		Args:    args,
		Env:     append(os.Environ(), env...),
		LogPath: filepath.Join(cp.dir, name+".log"),
	})
	if err != nil {
		return nil, err
	}
	cp.procs = append(cp.procs, p)
	return p, nil
}

func (cp *ControlPlane) startEtcd(ctx context.Context, clientPort, peerPort int) error {
	clientURL := fmt.Sprintf("http://127.0.0.1:%d", clientPort)
	peerURL := fmt.Sprintf("http://127.0.0.1:%d", peerPort)
	p, err := cp.run("etcd", []string{
		"--name=argofix",
		"--data-dir=" + filepath.Join(cp.dir, "etcd-data"),
		"--listen-client-urls=" + clientURL,
		"--advertise-client-urls=" + clientURL,
		"--listen-peer-urls=" + peerURL,
		"--initial-advertise-peer-urls=" + peerURL,
		"--initial-cluster=argofix=" + peerURL,
		// Test data is throw-away: skipping fsync saves most of etcd's I/O.
		"--unsafe-no-fsync=true",
		"--log-level=warn",
	}, nil)
	if err != nil {
		return err
	}
	client := &http.Client{Timeout: 2 * time.Second}
	return p.WaitReady(ctx, cp.opts.StartTimeout, func(ctx context.Context) error {
		return httpOK(ctx, client, clientURL+"/health", "")
	})
}

func (cp *ControlPlane) startAPIServer(ctx context.Context, port, etcdPort int) error {
	p, err := cp.run("kube-apiserver", []string{
		fmt.Sprintf("--etcd-servers=http://127.0.0.1:%d", etcdPort),
		"--bind-address=127.0.0.1",
		"--advertise-address=127.0.0.1",
		// The endpoint reconciler refuses loopback addresses; nothing in the
		// tests reaches the apiserver through the kubernetes Service.
		"--endpoint-reconciler-type=none",
		fmt.Sprintf("--secure-port=%d", port),
		"--tls-cert-file=" + cp.pki.servingCert,
		"--tls-private-key-file=" + cp.pki.servingKey,
		"--client-ca-file=" + cp.pki.caCertFile,
		"--token-auth-file=" + cp.pki.tokenAuthFile,
		"--authorization-mode=RBAC",
		"--service-account-issuer=https://kubernetes.default.svc.cluster.local",
		"--service-account-key-file=" + cp.pki.saPublicKey,
		"--service-account-signing-key-file=" + cp.pki.saPrivateKey,
		"--service-cluster-ip-range=10.0.0.0/24",
		"--allow-privileged=true",
		"--cert-dir=" + filepath.Join(cp.dir, "apiserver-certs"),
		"--profiling=false",
	}, nil)
	if err != nil {
		return err
	}
	cp.host = fmt.Sprintf("https://127.0.0.1:%d", port)
	client, err := cp.httpClient()
	if err != nil {
		return err
	}
	return p.WaitReady(ctx, cp.opts.StartTimeout, func(ctx context.Context) error {
		return httpOK(ctx, client, cp.host+"/readyz", cp.pki.tokens[UserAdmin])
	})
}

func (cp *ControlPlane) startControllerManager(ctx context.Context, port int) error {
	p, err := cp.run("kube-controller-manager", []string{
		"--kubeconfig=" + cp.AdminKubeconfig,
		// Only what the tests need: namespace deletion (stuck namespaces),
		// garbage collection, workloads for Argo CD's pods, service accounts.
		"--controllers=namespace,garbagecollector,deployment,replicaset,statefulset,daemonset,serviceaccount,job,endpointslice",
		"--leader-elect=false",
		"--use-service-account-credentials=false",
		"--service-account-private-key-file=" + cp.pki.saPrivateKey,
		"--root-ca-file=" + cp.pki.caCertFile,
		"--bind-address=127.0.0.1",
		fmt.Sprintf("--secure-port=%d", port),
		"--tls-cert-file=" + cp.pki.servingCert,
		"--tls-private-key-file=" + cp.pki.servingKey,
		"--profiling=false",
	}, nil)
	if err != nil {
		return err
	}
	client := insecureClient()
	return p.WaitReady(ctx, cp.opts.StartTimeout, func(ctx context.Context) error {
		return httpOK(ctx, client, fmt.Sprintf("https://127.0.0.1:%d/healthz", port), "")
	})
}

func (cp *ControlPlane) startScheduler(ctx context.Context, port int) error {
	p, err := cp.run("kube-scheduler", []string{
		"--kubeconfig=" + cp.AdminKubeconfig,
		"--leader-elect=false",
		"--bind-address=127.0.0.1",
		fmt.Sprintf("--secure-port=%d", port),
		"--tls-cert-file=" + cp.pki.servingCert,
		"--tls-private-key-file=" + cp.pki.servingKey,
		"--profiling=false",
	}, nil)
	if err != nil {
		return err
	}
	client := insecureClient()
	return p.WaitReady(ctx, cp.opts.StartTimeout, func(ctx context.Context) error {
		return httpOK(ctx, client, fmt.Sprintf("https://127.0.0.1:%d/healthz", port), "")
	})
}

// Stop stops every process, newest first, and removes the work dir unless
// Options.KeepOnFailure reports a failure. Safe to call more than once.
func (cp *ControlPlane) Stop() error {
	keep := cp.opts.KeepOnFailure != nil && cp.opts.KeepOnFailure()
	return cp.StopKeeping(keep)
}

// StopKeeping is Stop with an explicit decision: keep is true when the
// caller failed (e.g. TestMain with a non-zero m.Run code) and wants the logs.
func (cp *ControlPlane) StopKeeping(keep bool) error {
	if cp.stopped {
		return nil
	}
	cp.stopped = true
	err := cp.stopProcesses()
	if keep || err != nil {
		cp.opts.Logf("control plane work dir kept (process logs *.log): %s", cp.dir)
		return err
	}
	if rmErr := os.RemoveAll(cp.dir); rmErr != nil {
		return fmt.Errorf("removing control plane work dir %s: %w", cp.dir, rmErr)
	}
	return nil
}

// stopProcesses stops one process at a time, newest first: stopping
// etcd before kube-apiserver leaves the apiserver retrying for many seconds.
func (cp *ControlPlane) stopProcesses() error {
	var errs []error
	began := time.Now()
	for i := len(cp.procs) - 1; i >= 0; i-- {
		p := cp.procs[i]
		t := time.Now()
		if err := p.Stop(cp.opts.StopGrace); err != nil {
			errs = append(errs, err)
		}
		if d := time.Since(t); d > 2*time.Second {
			cp.opts.Logf("control plane: %s took %s to stop", p.Name(), d.Round(time.Millisecond))
		}
	}
	if len(cp.procs) > 0 {
		cp.opts.Logf("control plane stopped in %s", time.Since(began).Round(time.Millisecond))
	}
	cp.procs = nil
	return errors.Join(errs...)
}

// Dir is the work dir holding certificates, kubeconfigs, etcd data and logs.
func (cp *ControlPlane) Dir() string { return cp.dir }

// Host is the apiserver URL, https://127.0.0.1:PORT.
func (cp *ControlPlane) Host() string { return cp.host }

// RESTConfig returns a copy of the admin client configuration.
func (cp *ControlPlane) RESTConfig() *rest.Config { return rest.CopyConfig(cp.restConfig) }

// Bare reports whether the plane runs without controllers and kwok.
func (cp *ControlPlane) Bare() bool { return cp.opts.Bare }

// KubeconfigFor returns the kubeconfig path of UserAdmin, UserReader or
// UserInvalid.
func (cp *ControlPlane) KubeconfigFor(user string) (string, error) {
	path, ok := cp.kubeconfigs[user]
	if !ok {
		return "", fmt.Errorf("no kubeconfig for user %q (have %s, %s, %s)", user, UserAdmin, UserReader, UserInvalid)
	}
	return path, nil
}

// Clientset is a typed admin client.
func (cp *ControlPlane) Clientset() (*kubernetes.Clientset, error) {
	cs, err := kubernetes.NewForConfig(cp.RESTConfig())
	if err != nil {
		return nil, fmt.Errorf("creating clientset: %w", err)
	}
	return cs, nil
}

func (cp *ControlPlane) httpClient() (*http.Client, error) {
	cfg := &rest.Config{Host: cp.host, TLSClientConfig: rest.TLSClientConfig{CAData: cp.pki.caCertPEM}}
	tr, err := rest.TransportFor(cfg)
	if err != nil {
		return nil, fmt.Errorf("building apiserver transport: %w", err)
	}
	return &http.Client{Transport: tr, Timeout: 5 * time.Second}, nil
}

// insecureClient probes the controllers' health endpoints, which serve the
// harness's own certificate; only /healthz is read, nothing is sent.
func insecureClient() *http.Client {
	return &http.Client{
		Timeout:   2 * time.Second,
		Transport: &http.Transport{TLSClientConfig: &tls.Config{InsecureSkipVerify: true}}, //nolint:gosec // loopback health probe
	}
}

func httpOK(ctx context.Context, client *http.Client, url, token string) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return fmt.Errorf("building request %s: %w", url, err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := client.Do(req)
	if err != nil {
		return fmt.Errorf("GET %s: %w", url, err)
	}
	defer resp.Body.Close() //nolint:errcheck // body fully read below
	body, err := io.ReadAll(io.LimitReader(resp.Body, 4096))
	if err != nil {
		return fmt.Errorf("reading %s: %w", url, err)
	}
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("GET %s: %s: %s", url, resp.Status, strings.TrimSpace(string(body)))
	}
	return nil
}
