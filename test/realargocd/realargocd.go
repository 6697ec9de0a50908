// Package realargocd runs the real Argo CD v2.14.21 application-controller
// and repo-server (with a Redis) as local processes against a test cluster,
// so the plugin's checks are tested on the state Argo CD itself writes
// rather than on hand-made YAML. It also has small helpers to build Git
// fixture repositories and to drive Applications without argocd-server.
//
// The argocd binary and argocd-redis (miniredis, the Redis-compatible
// in-memory server Argo CD's own tests use, at the version Argo CD pins) are
// built by test/argocd/build.sh into <repo>/bin (or $ARGOFIX_TEST_BIN) from
// the Go module proxy: no redis-server package is needed.
package realargocd

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"log"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/argofix/kubectl-argofix/test/controlplane"
	"github.com/argofix/kubectl-argofix/test/process"
)

// Binaries looked up in the bin dir; the two Argo CD roles are symlinks to
// the multi-call argocd binary (it picks its role from argv[0]).
const (
	BinController = "argocd-application-controller"
	BinRepoServer = "argocd-repo-server"
	// BinRedis is miniredis served on a port (test/argocd/redis).
	BinRedis = "argocd-redis"
)

// Binaries are the files Start needs in the bin dir.
func Binaries() []string { return []string{BinController, BinRepoServer, BinRedis} }

// Options configure Start. Kubeconfig is required.
type Options struct {
	// Kubeconfig is the admin kubeconfig of the cluster Argo CD manages; it
	// is also its in-cluster destination (ARGOCD_FAKE_IN_CLUSTER).
	Kubeconfig string
	// Namespace is Argo CD's control namespace (argocd-cm, argocd-secret,
	// the default AppProject); default "argocd".
	Namespace string
	// ApplicationNamespaces are extra namespaces whose Applications the
	// controller reconciles (--application-namespaces); default none, so
	// Applications elsewhere are ignored like on a default install.
	ApplicationNamespaces []string
	// BinDir holds argocd-application-controller, argocd-repo-server and
	// argocd-redis; default $ARGOFIX_TEST_BIN, else <repo root>/bin.
	BinDir string
	// TempDir is where the work dir is created; default os.TempDir().
	TempDir string
	// KeepOnFailure is asked by Stop; when it returns true the work dir with
	// every log is kept and its path printed. Pass t.Failed.
	KeepOnFailure func() bool
	// Logf receives progress and the kept work dir; default log.Printf.
	Logf func(format string, args ...any)
	// StartTimeout bounds each readiness wait; default 60s.
	StartTimeout time.Duration
	// StopGrace is how long each process gets after SIGTERM; default 10s.
	StopGrace time.Duration
	// AppResync is the controller's periodic refresh (--app-resync);
	// default 30s. Shorter means faster tests and more CPU.
	AppResync time.Duration
	// Server also starts argocd-server (the same multi-call argocd binary,
	// as BinServer) on a free port, with TLS: it makes a self-signed
	// certificate into argocd-secret itself. Default off.
	Server bool
}

// ArgoCD is a running controller, repo-server and redis. Stop it exactly once.
type ArgoCD struct {
	opts  Options
	dir   string
	bin   string
	procs []*process.Process
	// RedisAddr, RepoServerAddr are host:port on loopback.
	RedisAddr      string
	RepoServerAddr string
	// ControllerMetrics and RepoServerMetrics are the metrics base URLs
	// (/healthz, /metrics).
	ControllerMetrics string
	RepoServerMetrics string
	// ServerAddr is argocd-server's host:port (HTTPS, self-signed) when
	// Options.Server is set.
	ServerAddr string
	controller *process.Process
	// appset is the applicationset-controller a test started, if any;
	// appsetMu serialises its start and stop (tests run in parallel).
	appset   *AppSetController
	appsetMu sync.Mutex
	stopped  bool
}

// Start starts redis, the repo-server and the application-controller and
// waits until both Argo CD components answer /healthz. On error nothing is
// left running; the work dir is kept and named in the error.
func Start(ctx context.Context, opts Options) (*ArgoCD, error) {
	if opts.Kubeconfig == "" {
		return nil, errors.New("realargocd.Start: Options.Kubeconfig is required")
	}
	if opts.Namespace == "" {
		opts.Namespace = "argocd"
	}
	if opts.Logf == nil {
		opts.Logf = log.Printf
	}
	if opts.StartTimeout == 0 {
		opts.StartTimeout = 60 * time.Second
	}
	if opts.StopGrace == 0 {
		opts.StopGrace = 10 * time.Second
	}
	if opts.AppResync == 0 {
		opts.AppResync = 30 * time.Second
	}
	bin, err := BinDir(opts.BinDir)
	if err != nil {
		return nil, err
	}
	if err := CheckBinaries(bin); err != nil {
		return nil, err
	}
	dir, err := os.MkdirTemp(opts.TempDir, "argofix-argocd-")
	if err != nil {
		return nil, fmt.Errorf("creating work dir: %w", err)
	}
	a := &ArgoCD{opts: opts, dir: dir, bin: bin}
	if err := a.start(ctx); err != nil {
		stopErr := a.stopProcesses()
		return nil, errors.Join(fmt.Errorf("starting Argo CD (logs kept in %s): %w", dir, err), stopErr)
	}
	return a, nil
}

// CheckBinaries says which of Binaries is missing from bin, and how to
// build it.
func CheckBinaries(bin string) error {
	for _, b := range Binaries() {
		if _, err := os.Stat(filepath.Join(bin, b)); err != nil {
			return fmt.Errorf("binary %s of the real Argo CD tier not found in %s: run `make argocdbin` (test/argocd/build.sh) first, or set %s: %w", b, bin, controlplane.EnvBinDir, err)
		}
	}
	return nil
}

// BinDir resolves the folder of the test binaries: dir if set, else
// $ARGOFIX_TEST_BIN, else <repo root>/bin.
func BinDir(dir string) (string, error) {
	if dir != "" {
		return dir, nil
	}
	if env := os.Getenv(controlplane.EnvBinDir); env != "" {
		return env, nil
	}
	root, err := controlplane.RepoRoot()
	if err != nil {
		return "", fmt.Errorf("locating bin dir: %w", err)
	}
	return filepath.Join(root, "bin"), nil
}

func (a *ArgoCD) start(ctx context.Context) error {
	began := time.Now()
	ports, err := process.FreePorts(4)
	if err != nil {
		return err
	}
	redisPort, repoPort, repoMetricsPort, ctrlMetricsPort := ports[0], ports[1], ports[2], ports[3]
	a.RedisAddr = "127.0.0.1:" + strconv.Itoa(redisPort)
	a.RepoServerAddr = "127.0.0.1:" + strconv.Itoa(repoPort)
	a.RepoServerMetrics = fmt.Sprintf("http://127.0.0.1:%d", repoMetricsPort)
	a.ControllerMetrics = fmt.Sprintf("http://127.0.0.1:%d", ctrlMetricsPort)

	env, err := a.environment()
	if err != nil {
		return err
	}
	// In memory only, like the throw-away cache it is.
	redis, err := a.run("redis", filepath.Join(a.bin, BinRedis), "", []string{
		"--bind", "127.0.0.1", "--port", strconv.Itoa(redisPort),
	}, env)
	if err != nil {
		return err
	}
	if err := redis.WaitReady(ctx, a.opts.StartTimeout, func(ctx context.Context) error { return redisPing(ctx, a.RedisAddr) }); err != nil {
		return err
	}

	repo, err := a.run("repo-server", filepath.Join(a.bin, BinRepoServer), BinRepoServer, []string{
		"--address", "127.0.0.1",
		"--port", strconv.Itoa(repoPort),
		"--metrics-address", "127.0.0.1",
		"--metrics-port", strconv.Itoa(repoMetricsPort),
		"--disable-tls",
		"--redis", a.RedisAddr,
		"--loglevel", "info",
	}, env)
	if err != nil {
		return err
	}
	client := &http.Client{Timeout: 2 * time.Second}
	if err := repo.WaitReady(ctx, a.opts.StartTimeout, func(ctx context.Context) error {
		return httpOK(ctx, client, a.RepoServerMetrics+"/healthz")
	}); err != nil {
		return err
	}

	args := []string{
		"--namespace", a.opts.Namespace,
		"--redis", a.RedisAddr,
		"--repo-server", a.RepoServerAddr,
		"--repo-server-plaintext",
		"--metrics-port", strconv.Itoa(ctrlMetricsPort),
		"--app-resync", strconv.Itoa(int(a.opts.AppResync.Seconds())),
		// Self-heal quickly so auto-sync cases settle within a test's wait.
		"--self-heal-timeout-seconds", "2",
		"--loglevel", "info",
	}
	if len(a.opts.ApplicationNamespaces) > 0 {
		args = append(args, "--application-namespaces", strings.Join(a.opts.ApplicationNamespaces, ","))
	}
	ctrl, err := a.run("application-controller", filepath.Join(a.bin, BinController), BinController, args, env)
	if err != nil {
		return err
	}
	if err := ctrl.WaitReady(ctx, a.opts.StartTimeout, func(ctx context.Context) error {
		return httpOK(ctx, client, a.ControllerMetrics+"/healthz")
	}); err != nil {
		return err
	}
	a.controller = ctrl
	if a.opts.Server {
		if err := a.startServer(ctx, env); err != nil {
			return err
		}
	}
	a.opts.Logf("Argo CD controller and repo-server up in %s (redis %s, repo-server %s), work dir %s",
		time.Since(began).Round(time.Millisecond), a.RedisAddr, a.RepoServerAddr, a.dir)
	return nil
}

// environment is what every process gets: the test's environment minus
// anything that could point Argo CD elsewhere, plus private data dirs.
func (a *ArgoCD) environment() ([]string, error) {
	dirs := map[string]string{
		"ARGOCD_TLS_DATA_PATH": "tls",
		"ARGOCD_SSH_DATA_PATH": "ssh",
		"ARGOCD_GNUPGHOME":     "gnupg",
		// The repo-server clones into the temp dir; keeping it inside the
		// work dir means Stop cleans it up.
		"TMPDIR": "tmp",
		// A private HOME keeps a developer's ~/.gitconfig and ~/.kube out.
		"HOME": "home",
	}
	env := []string{
		"KUBECONFIG=" + a.opts.Kubeconfig,
		// https://kubernetes.default.svc then means the kubeconfig's cluster.
		"ARGOCD_FAKE_IN_CLUSTER=true",
		"ARGOCD_GPG_ENABLED=false",
		"GIT_CONFIG_NOSYSTEM=1",
	}
	for key, sub := range dirs {
		path := filepath.Join(a.dir, sub)
		// gnupg must not be group/world readable or gpg complains.
		if err := os.MkdirAll(path, 0o700); err != nil {
			return nil, fmt.Errorf("creating %s: %w", path, err)
		}
		env = append(env, key+"="+path)
	}
	for _, kv := range os.Environ() {
		key, _, _ := strings.Cut(kv, "=")
		if _, ours := dirs[key]; ours || key == "KUBECONFIG" || strings.HasPrefix(key, "ARGOCD_") || strings.HasPrefix(key, "GIT_") {
			continue
		}
		env = append(env, kv)
	}
	return env, nil
}

// run starts bin with args and exactly env as its environment. argv0 is
// what the program sees as its own name: the argocd binary picks its role
// from it.
func (a *ArgoCD) run(name, bin, argv0 string, args, env []string) (*process.Process, error) {
	p, err := process.Start(process.Spec{
		Name:    name,
		Bin:     bin,
		Argv0:   argv0,
		Args:    args,
		Env:     env,
		LogPath: filepath.Join(a.dir, name+".log"),
	})
	if err != nil {
		return nil, err
	}
	a.procs = append(a.procs, p)
	return p, nil
}

// Dir is the work dir holding the logs (application-controller.log,
// repo-server.log, redis.log) and the data dirs.
func (a *ArgoCD) Dir() string { return a.dir }

// ControllerLog is the path of the application-controller's log.
func (a *ArgoCD) ControllerLog() string { return filepath.Join(a.dir, "application-controller.log") }

// Stop stops every process, newest first, and removes the work dir unless
// Options.KeepOnFailure reports a failure. Safe to call more than once.
func (a *ArgoCD) Stop() error {
	keep := a.opts.KeepOnFailure != nil && a.opts.KeepOnFailure()
	return a.StopKeeping(keep)
}

// StopKeeping is Stop with an explicit decision: keep is true when the
// caller failed (e.g. TestMain with a non-zero m.Run code) and wants the logs.
func (a *ArgoCD) StopKeeping(keep bool) error {
	if a.stopped {
		return nil
	}
	a.stopped = true
	err := a.stopProcesses()
	if keep || err != nil {
		a.opts.Logf("Argo CD work dir kept (logs *.log): %s", a.dir)
		return err
	}
	if rmErr := os.RemoveAll(a.dir); rmErr != nil {
		return fmt.Errorf("removing Argo CD work dir %s: %w", a.dir, rmErr)
	}
	return nil
}

// stopProcesses stops one process at a time, newest first: the controller
// before the repo-server it calls, redis last.
func (a *ArgoCD) stopProcesses() error {
	var errs []error
	for i := len(a.procs) - 1; i >= 0; i-- {
		if err := a.procs[i].Stop(a.opts.StopGrace); err != nil {
			errs = append(errs, err)
		}
	}
	a.procs = nil
	return errors.Join(errs...)
}

func httpOK(ctx context.Context, client *http.Client, url string) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return fmt.Errorf("building request %s: %w", url, err)
	}
	resp, err := client.Do(req)
	if err != nil {
		return fmt.Errorf("GET %s: %w", url, err)
	}
	if err := resp.Body.Close(); err != nil {
		return fmt.Errorf("closing body of %s: %w", url, err)
	}
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("GET %s: %s", url, resp.Status)
	}
	return nil
}

// redisPing speaks just enough RESP to see redis answer PING. The command
// goes as a RESP array: miniredis does not read inline commands.
func redisPing(ctx context.Context, addr string) error {
	d := net.Dialer{Timeout: time.Second}
	conn, err := d.DialContext(ctx, "tcp", addr)
	if err != nil {
		return fmt.Errorf("dialing redis %s: %w", addr, err)
	}
	defer conn.Close() //nolint:errcheck // probe connection, reply already read
	if err := conn.SetDeadline(time.Now().Add(time.Second)); err != nil {
		return fmt.Errorf("setting deadline on redis %s: %w", addr, err)
	}
	if _, err := conn.Write([]byte("*1\r\n$4\r\nPING\r\n")); err != nil {
		return fmt.Errorf("writing PING to redis %s: %w", addr, err)
	}
	line, err := bufio.NewReader(conn).ReadString('\n')
	if err != nil {
		return fmt.Errorf("reading PING reply from redis %s: %w", addr, err)
	}
	if strings.TrimSpace(line) != "+PONG" {
		return fmt.Errorf("redis %s answered %q to PING", addr, strings.TrimSpace(line))
	}
	return nil
}
