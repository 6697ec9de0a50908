package realargocd

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"time"

	"github.com/argofix/kubectl-argofix/test/process"
)

// BinServer is argocd-server's name: the multi-call argocd binary picks
// the role from argv[0], so only the argocd binary itself must exist.
const BinServer = "argocd-server"

// startServer starts argocd-server against the same redis and
// repo-server, and waits until its /healthz answers over HTTPS.
func (a *ArgoCD) startServer(ctx context.Context, env []string) error {
	ports, err := process.FreePorts(2)
	if err != nil {
		return err
	}
	a.ServerAddr = "127.0.0.1:" + strconv.Itoa(ports[0])
	bin := filepath.Join(a.bin, "argocd")
	if _, err := os.Stat(bin); err != nil {
		return fmt.Errorf("argocd-server runs from the multi-call binary %s: %w", bin, err)
	}
	staticDir := filepath.Join(a.dir, "static")
	if err := os.MkdirAll(staticDir, 0o700); err != nil {
		return err
	}
	srv, err := a.run("server", bin, BinServer, []string{
		"--namespace", a.opts.Namespace,
		"--address", "127.0.0.1",
		"--port", strconv.Itoa(ports[0]),
		"--metrics-address", "127.0.0.1",
		"--metrics-port", strconv.Itoa(ports[1]),
		"--redis", a.RedisAddr,
		"--repo-server", a.RepoServerAddr,
		"--repo-server-plaintext",
		"--staticassets", staticDir,
		"--loglevel", "info",
	}, env)
	if err != nil {
		return err
	}
	client := &http.Client{Timeout: 2 * time.Second, Transport: &http.Transport{
		TLSClientConfig: &tls.Config{InsecureSkipVerify: true}, //nolint:gosec // its self-signed certificate
	}}
	return srv.WaitReady(ctx, a.opts.StartTimeout, func(ctx context.Context) error {
		return httpOK(ctx, client, "https://"+a.ServerAddr+"/healthz")
	})
}

// ServerLog is the path of argocd-server's log.
func (a *ArgoCD) ServerLog() string { return filepath.Join(a.dir, "server.log") }

// StopController stops only the application-controller: argocd-server
// keeps serving what the controller left in redis (the resource trees).
func (a *ArgoCD) StopController() error {
	if a.controller == nil {
		return errors.New("no application-controller is running")
	}
	err := a.controller.Stop(a.opts.StopGrace)
	for i, p := range a.procs {
		if p == a.controller {
			a.procs = append(a.procs[:i], a.procs[i+1:]...)
			break
		}
	}
	a.controller = nil
	return err
}
