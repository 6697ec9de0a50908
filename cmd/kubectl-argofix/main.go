// Command kubectl-argofix is the kubectl plugin `kubectl argofix`, and,
// installed or symlinked as argocd-argofix, the Argo CD CLI plugin
// `argocd argofix`.
package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"k8s.io/cli-runtime/pkg/genericiooptions"

	"github.com/argofix/kubectl-argofix/pkg/cli"
)

// Set with -ldflags -X by the Makefile.
var (
	version = "dev"
	commit  = "unknown"
	date    = "unknown"
)

func main() {
	setMemoryLimit()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	streams := genericiooptions.IOStreams{In: os.Stdin, Out: os.Stdout, ErrOut: os.Stderr}
	cmd := cli.NewRootCmd(streams, cli.BuildInfo{Version: version, Commit: commit, Date: date},
		// argocd-argofix (the same binary under a second name) runs as `argocd argofix`.
		cli.DisplayNameFor(os.Args[0]))
	err := cmd.ExecuteContext(ctx)
	stop()
	if err != nil && err.Error() != "" {
		fmt.Fprintf(os.Stderr, "error: %v\n", err)
	}
	os.Exit(cli.ExitCode(err))
}
