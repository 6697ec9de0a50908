package cli

import (
	"time"

	"github.com/spf13/cobra"

	"github.com/argofix/kubectl-argofix/pkg/diagnose"
)

// NewCmdDiagnoseSecurity builds `kubectl argofix diagnose security`: the
// installation's access settings (argocd-cm, argocd-rbac-cm,
// argocd-cmd-params-cm) and cluster credentials.
func NewCmdDiagnoseSecurity(root *RootOptions) *cobra.Command {
	o := &DiagnoseInstallOptions{Root: root, Now: time.Now}
	o.Categories = []diagnose.Category{diagnose.CategorySecurity}
	cmd := &cobra.Command{
		Use:   "security",
		Short: "Audit who may do what in Argo CD: exec, SSO and the admin account, anonymous access, RBAC defaults, TLS, cluster credentials",
		Long: `Audits the access settings of the Argo CD installation: the web terminal and
the RBAC lines that grant it, SSO (dex.config, oidc.config) and the local
admin account, anonymous access, a policy.default broader than read-only,
disabled authentication, plain HTTP, unverified OIDC TLS, and cluster Secrets
that authenticate with long-lived ServiceAccount tokens. Each finding names
the exact key and value; secret values are never printed.`,
		Example: `  kubectl argofix diagnose security
  kubectl argofix diagnose security -o json --fail-on warning`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error { return o.run(cmd) },
	}
	o.addFlags(cmd)
	return cmd
}
