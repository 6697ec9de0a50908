package cli

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/spf13/cobra"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/cli-runtime/pkg/genericclioptions"
	"k8s.io/cli-runtime/pkg/genericiooptions"
	"k8s.io/client-go/kubernetes/fake"

	"github.com/argofix/kubectl-argofix/pkg/diagnose"
	"github.com/argofix/kubectl-argofix/pkg/report"
	"github.com/argofix/kubectl-argofix/pkg/snapshot"
)

func TestDisplayNameFor(t *testing.T) {
	for argv0, want := range map[string]string{
		"kubectl-argofix":                   KubectlDisplayName,
		"/home/u/.krew/bin/kubectl-argofix": KubectlDisplayName,
		"./bin/kubectl-argofix":             KubectlDisplayName,
		"argocd-argofix":                    ArgoCDDisplayName,
		"/usr/local/bin/argocd-argofix":     ArgoCDDisplayName,
		"/usr/local/bin/argocd-argofix.exe": ArgoCDDisplayName,
		"kubectl-argofix.exe":               KubectlDisplayName,
		"/tmp/go-build123/b001/exe/argofix": KubectlDisplayName,
		"/opt/argocd-tools/kubectl-argofix": KubectlDisplayName,
	} {
		if got := DisplayNameFor(argv0); got != want {
			t.Errorf("DisplayNameFor(%q) = %q, want %q", argv0, got, want)
		}
	}
}

// Every user-facing string of the argocd plugin's command tree is spelled
// `argocd argofix`; the kubectl one is left as written.
func TestHelpSpelledForArgoCD(t *testing.T) {
	streams, _, _, _ := genericiooptions.NewTestIOStreams()
	root := NewRootCmd(streams, BuildInfo{}, ArgoCDDisplayName)
	if root.Name() != "argocd-argofix" {
		t.Errorf("root command %q, want argocd-argofix (completion scripts are for it)", root.Name())
	}
	var walk func(c *cobra.Command)
	walk = func(c *cobra.Command) {
		for _, s := range []string{c.Short, c.Long, c.Example, c.UsageString()} {
			if strings.Contains(s, "kubectl argofix") || strings.Contains(s, "kubectl-argofix ") {
				t.Errorf("%s: help names the kubectl plugin:\n%s", c.CommandPath(), s)
			}
		}
		if c.HasParent() && !strings.HasPrefix(c.CommandPath(), "argocd argofix ") {
			t.Errorf("command path %q", c.CommandPath())
		}
		for _, sub := range c.Commands() {
			walk(sub)
		}
	}
	walk(root)

	streams, _, _, _ = genericiooptions.NewTestIOStreams()
	k := NewRootCmd(streams, BuildInfo{}, KubectlDisplayName)
	diag, _, err := k.Find([]string{"diagnose", "app"})
	if err != nil || !strings.Contains(diag.Example, "kubectl argofix diagnose app guestbook") {
		t.Errorf("kubectl spelling changed: %v\n%s", err, diag.Example)
	}
}

func TestFixCommandsSpelledForArgoCD(t *testing.T) {
	f := report.Finding{
		ID: "x", Object: report.ObjectRef{Group: "argoproj.io", Kind: "Application", Namespace: "argocd", Name: "guestbook"},
		Summary:  "see kubectl argofix diagnose app guestbook",
		Evidence: []string{"Handle it first (kubectl argofix diagnose app -n argocd guestbook)"},
		Fixes: []report.Fix{
			report.NewFix("annotate", "low", "run kubectl argofix refresh guestbook after",
				report.NewAction("patch", schema.GroupVersionResource{Group: "argoproj.io", Version: "v1alpha1", Resource: "applications"}, report.ObjectRef{})),
			report.NewFix("advice", "low", "by hand"),
		},
	}
	r := withFixCommands(report.Report{Findings: []report.Finding{f}}, ArgoCDDisplayName)
	got := r.Findings[0]
	all := got.Summary + strings.Join(got.Evidence, "") + got.Fixes[0].Description + got.Fixes[0].Command + got.Fixes[1].Command
	if strings.Contains(all, "kubectl argofix") {
		t.Errorf("kubectl argofix left in %+v", got)
	}
	if got.Fixes[0].Command != "argocd argofix fix app guestbook -n argocd --only annotate" {
		t.Errorf("fix command %q", got.Fixes[0].Command)
	}
}

// kubeconfigWithNamespace writes a kubeconfig whose current context sets ns.
func kubeconfigWithNamespace(t *testing.T, ns string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "config")
	cfg := `apiVersion: v1
kind: Config
clusters: [{name: c, cluster: {server: "https://127.0.0.1:1"}}]
users: [{name: u, user: {token: t}}]
contexts:
- {name: here, context: {cluster: c, user: u, namespace: "` + ns + `"}}
- {name: other, context: {cluster: c, user: u}}
current-context: here
`
	if err := os.WriteFile(path, []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func controllerPod(ns string) *corev1.Pod {
	return &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "argocd-application-controller-0",
		Labels: map[string]string{"app.kubernetes.io/name": "argocd-application-controller"}}}
}

func TestArgoCDNamespaceAsArgoCDPlugin(t *testing.T) {
	tests := []struct {
		name        string
		displayName string
		env         string
		ctxNS       string
		context     string
		pods        []*corev1.Pod
		want        string
	}{
		{"kubectl: discovery", KubectlDisplayName, "team", "gitops", "", []*corev1.Pod{controllerPod("ops")}, "ops"},
		{"argocd: ARGOCD_NAMESPACE first", ArgoCDDisplayName, "team", "gitops", "", []*corev1.Pod{controllerPod("ops")}, "team"},
		{"argocd: context namespace when the controller runs there", ArgoCDDisplayName, "", "gitops", "", []*corev1.Pod{controllerPod("ops"), controllerPod("gitops")}, "gitops"},
		{"argocd: context namespace without a controller: discovery", ArgoCDDisplayName, "", "default", "", []*corev1.Pod{controllerPod("ops")}, "ops"},
		{"argocd: --context names a context without a namespace", ArgoCDDisplayName, "", "ops", "other", []*corev1.Pod{controllerPod("ops")}, "ops"},
		{"argocd: --context names a context without a namespace, discovery", ArgoCDDisplayName, "", "gitops", "other", []*corev1.Pod{controllerPod("ops")}, "ops"},
		{"argocd: nothing found: the default", ArgoCDDisplayName, "", "gitops", "", nil, DefaultArgoCDNamespace},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var objs []runtime.Object
			for _, p := range tt.pods {
				objs = append(objs, p)
			}
			kube := fake.NewClientset(objs...)
			flags := genericclioptions.NewConfigFlags(false)
			kubeconfig := kubeconfigWithNamespace(t, tt.ctxNS)
			flags.KubeConfig, flags.Context = &kubeconfig, &tt.context
			o := &RootOptions{ConfigFlags: flags, DisplayName: tt.displayName}
			o.Getenv = func(k string) string {
				if k == "ARGOCD_NAMESPACE" {
					return tt.env
				}
				return ""
			}
			got, err := o.argoCDNamespace(context.Background(), snapshot.Clients{Kube: kube})
			if err != nil {
				t.Fatal(err)
			}
			if got.Namespace != tt.want {
				t.Errorf("Argo CD namespace %q, want %q", got.Namespace, tt.want)
			}
		})
	}
}

func TestCompleteList(t *testing.T) {
	got, _ := completeList([]string{"a", "b", "c"}, "a,")
	if !slices.Equal(got, []string{"a,b", "a,c"}) {
		t.Errorf("completeList after a,: %q", got)
	}
	got, _ = completeFindingIDs(nil, nil, "")
	checks := diagnose.Checks()
	if len(got) != len(checks) || got[0] != checks[0].ID {
		t.Errorf("finding ids %q, want the ids of diagnose.Checks()", got)
	}
}
