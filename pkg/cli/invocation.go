package cli

import (
	"context"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/argofix/kubectl-argofix/pkg/argocd"
	"github.com/argofix/kubectl-argofix/pkg/snapshot"
)

// The two names users run the plugin by. kubectl runs kubectl-argofix as
// `kubectl argofix`; Argo CD's CLI (v3.1 and later) runs argocd-argofix, the
// same binary installed or symlinked under a second name, as `argocd argofix`.
const (
	KubectlDisplayName = "kubectl argofix"
	ArgoCDDisplayName  = "argocd argofix"
)

// DisplayNameFor tells from the name the binary was invoked by (argv[0])
// which CLI runs it: argocd-argofix (argocd-argofix.exe) is `argocd
// argofix`, anything else `kubectl argofix`.
func DisplayNameFor(argv0 string) string {
	base := strings.TrimSuffix(filepath.Base(argv0), ".exe")
	if strings.HasPrefix(base, "argocd-") {
		return ArgoCDDisplayName
	}
	return KubectlDisplayName
}

// binaryName is the executable behind a display name: "kubectl argofix" is
// kubectl-argofix. The root command is named after it, so that `completion
// bash` writes a script for the binary that is really run.
func binaryName(displayName string) string {
	return strings.ReplaceAll(displayName, " ", "-")
}

// asArgoCDPlugin reports whether argocd runs the plugin.
func (o *RootOptions) asArgoCDPlugin() bool { return o.DisplayName == ArgoCDDisplayName }

// spellCommands rewrites the help of every command (usage examples, long
// help) for the name the plugin runs by: the help is written as kubectl
// users type it, and an argocd user reads `argocd argofix ...` instead.
// Commands added later by anyone are covered, as the walk runs over the
// finished tree.
func spellCommands(cmd *cobra.Command, displayName string) {
	if displayName == KubectlDisplayName {
		return
	}
	cmd.Short = respell(cmd.Short, displayName)
	cmd.Long = respell(cmd.Long, displayName)
	cmd.Example = respell(cmd.Example, displayName)
	for _, c := range cmd.Commands() {
		spellCommands(c, displayName)
	}
}

// respell replaces the kubectl spelling of a command with displayName.
func respell(s, displayName string) string {
	if displayName == KubectlDisplayName || s == "" {
		return s
	}
	s = strings.ReplaceAll(s, KubectlDisplayName, displayName)
	return strings.ReplaceAll(s, binaryName(KubectlDisplayName)+" ", binaryName(displayName)+" ")
}

// argoCDPluginNamespace is the Argo CD namespace an argocd user expects,
// tried before the discovery by label: ARGOCD_NAMESPACE when set (the
// variable the argocd CLI itself reads), else the current kubeconfig
// context's namespace when the application-controller runs there. ok is
// false when neither applies.
func (o *RootOptions) argoCDPluginNamespace(ctx context.Context, c snapshot.Clients) (string, bool) {
	if ns := o.Getenv("ARGOCD_NAMESPACE"); ns != "" {
		return ns, true
	}
	ns := o.contextNamespace()
	if ns == "" {
		return "", false
	}
	pods, err := c.Kube.CoreV1().Pods(ns).List(ctx, metav1.ListOptions{LabelSelector: argocd.ControllerSelector, Limit: 1})
	if err != nil || len(pods.Items) == 0 {
		return "", false // not there, or not readable: the usual discovery decides
	}
	return ns, true
}

// contextNamespace is the namespace set in the kubeconfig context in use
// (--context, else the current one); "" when it sets none.
func (o *RootOptions) contextNamespace() string {
	raw, err := o.ConfigFlags.ToRawKubeConfigLoader().RawConfig()
	if err != nil {
		return ""
	}
	name := raw.CurrentContext
	if o.ConfigFlags.Context != nil && *o.ConfigFlags.Context != "" {
		name = *o.ConfigFlags.Context
	}
	if kc := raw.Contexts[name]; kc != nil {
		return kc.Namespace
	}
	return ""
}
