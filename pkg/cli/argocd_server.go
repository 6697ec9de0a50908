package cli

import (
	"context"

	"github.com/spf13/cobra"

	"github.com/argofix/kubectl-argofix/pkg/argocdserver"
	"github.com/argofix/kubectl-argofix/pkg/snapshot"
)

// ServerFlags say how to reach argocd-server, which alone serves what the
// application-controller caches (the resource tree). All optional: without
// a server nothing is read from it and nothing about it is printed.
type ServerFlags struct {
	Server    string
	AuthToken string
	Insecure  bool
	// explicitOnly: only --argocd-server configures a server, never the
	// argocd CLI's config (diagnose apps and -A: one request per app).
	explicitOnly bool
	// resolved is the client complete found; nil without a server.
	resolved *argocdserver.Client
}

func (f *ServerFlags) addFlags(cmd *cobra.Command) {
	usage := "`HOST[:PORT]` of argocd-server, to read the apps' resource trees from (ghost-pods); run as an Argo CD CLI plugin, the argocd CLI's current context by default"
	if f.explicitOnly {
		usage = "`HOST[:PORT]` of argocd-server, to read every app's resource tree from (ghost-pods; one request per app)"
	}
	cmd.Flags().StringVar(&f.Server, "argocd-server", "", usage)
	cmd.Flags().StringVar(&f.AuthToken, "auth-token", "", "Argo CD token for --argocd-server (default $ARGOCD_AUTH_TOKEN)")
	cmd.Flags().BoolVar(&f.Insecure, "insecure", false, "do not verify argocd-server's TLS certificate")
}

// client is the argocd-server client the flags, ARGOCD_AUTH_TOKEN and (as
// an argocd plugin) the argocd CLI's config describe; nil when no server
// is configured.
func (f *ServerFlags) client(root *RootOptions) (*argocdserver.Client, error) {
	c := &argocdserver.Client{Server: f.Server, Token: f.AuthToken, Insecure: f.Insecure}
	if c.Token == "" {
		c.Token = root.Getenv("ARGOCD_AUTH_TOKEN")
	}
	if root.asArgoCDPlugin() && (c.Server == "" && !f.explicitOnly || c.Server != "" && c.Token == "") {
		cfg, ok, err := argocdserver.LoadCLIConfig(argocdserver.ConfigPath(root.Getenv, root.Getenv("HOME")))
		if err != nil {
			return nil, err
		}
		if ok && (c.Server == "" || c.Server == cfg.Server) {
			c.Server = cfg.Server
			if c.Token == "" {
				c.Token = cfg.Token
			}
			c.Insecure = c.Insecure || cfg.Insecure
			c.PlainText = cfg.PlainText
		}
	}
	if c.Server == "" {
		return nil, nil
	}
	if c.Token == "" {
		return nil, badInput("--argocd-server %s needs a token: --auth-token or ARGOCD_AUTH_TOKEN (run as an Argo CD CLI plugin, `argocd login` stores one)", c.Server)
	}
	return c, nil
}

// complete resolves the server to read from, if any.
func (f *ServerFlags) complete(root *RootOptions) error {
	var err error
	f.resolved, err = f.client(root)
	return err
}

// collectServer adds, when a server is configured, the apps' resource
// trees read through it to snap (one request per app).
func (f *ServerFlags) collectServer(ctx context.Context, c snapshot.Clients, snap *snapshot.Snapshot, err error) (*snapshot.Snapshot, error) {
	if err != nil || snap == nil {
		return snap, err
	}
	if f.resolved == nil {
		return snap, nil
	}
	snapshot.CollectServer(ctx, c, f.resolved, f.resolved.Server, snap)
	return snap, nil
}
