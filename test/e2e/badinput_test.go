package e2e

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/argofix/kubectl-argofix/test/controlplane"
)

func wantExit(t *testing.T, res result, code int, substrings ...string) {
	t.Helper()
	if res.code != code {
		t.Errorf("exit status %d, want %d", res.code, code)
	}
	for _, s := range substrings {
		if !strings.Contains(res.stderr, s) {
			t.Errorf("stderr does not contain %q", s)
		}
	}
	if t.Failed() {
		t.Logf("%s", res)
	}
}

// TestUnknownApp: a name that does not exist is bad input (2), and the
// message offers the close name.
func TestUnknownApp(t *testing.T) {
	_, sc := appliedScenario(t, "healthy")
	res := runPlugin(t, "--kubeconfig", suite.cp.AdminKubeconfig, "--argocd-namespace", sc.Namespace(),
		"diagnose", "app", "guestbok", "-n", sc.Namespace(), "-o", "json")
	wantExit(t, res, 2, `Application "guestbok" not found in namespace "`+sc.Namespace()+`"`, "guestbook")
}

// TestArgoCDNotInstalled: a cluster without the Argo CD CRDs cannot be
// diagnosed (3).
func TestArgoCDNotInstalled(t *testing.T) {
	needPlugin(t)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	bare := startBarePlane(ctx, t, false)
	res := runPlugin(t, "--kubeconfig", bare.AdminKubeconfig, "--argocd-namespace", "argocd",
		"diagnose", "app", "guestbook", "-n", "argocd", "-o", "json")
	wantExit(t, res, 3, "Argo CD does not seem to be installed in this cluster (no applications.argoproj.io)")
}

// TestUnreachableCluster: nothing listens on the port (3, names the context).
func TestUnreachableCluster(t *testing.T) {
	needPlugin(t)
	server, err := freeClosedPort()
	if err != nil {
		t.Fatal(err)
	}
	const ctxName = "argofix-unreachable"
	kubeconfig := filepath.Join(t.TempDir(), "kubeconfig")
	if err := controlplane.WriteKubeconfig(kubeconfig, ctxName, server, suite.cp.CACertPEM(), "unused-token"); err != nil {
		t.Fatal(err)
	}
	res := runPlugin(t, "--kubeconfig", kubeconfig, "--argocd-namespace", "argocd",
		"diagnose", "app", "guestbook", "-n", "argocd", "-o", "json")
	wantExit(t, res, 3, `context "`+ctxName+`"`)
}

// TestRejectedCredentials: a token the apiserver does not know (401) is
// exit 3 and names the context.
func TestRejectedCredentials(t *testing.T) {
	needPlugin(t)
	kubeconfig, err := suite.cp.KubeconfigFor(controlplane.UserInvalid)
	if err != nil {
		t.Fatal(err)
	}
	res := runPlugin(t, "--kubeconfig", kubeconfig, "--argocd-namespace", argoNamespace,
		"diagnose", "app", "guestbook", "-n", argoNamespace, "-o", "json")
	wantExit(t, res, 3, `context "`+controlplane.ContextName+"-"+controlplane.UserInvalid+`"`)
}

// TestForbidden: the reader has no RBAC rights; the message names the verb
// and the resource it was refused.
func TestForbidden(t *testing.T) {
	_, sc := appliedScenario(t, "healthy")
	kubeconfig, err := suite.cp.KubeconfigFor(controlplane.UserReader)
	if err != nil {
		t.Fatal(err)
	}
	res := runPlugin(t, "--kubeconfig", kubeconfig, "--argocd-namespace", sc.Namespace(),
		"diagnose", "app", "guestbook", "-n", sc.Namespace(), "-o", "json")
	wantExit(t, res, 3, "applications.argoproj.io")
	// The plugin lists per kind (README.md, "How it works"), so the refused verb is list;
	// a plugin that GETs the named app first would be refused get.
	if !strings.Contains(res.stderr, "list") && !strings.Contains(res.stderr, "get") {
		t.Errorf("stderr names no verb (list or get)\n%s", res)
	}
}
