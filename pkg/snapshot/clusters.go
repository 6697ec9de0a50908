package snapshot

import (
	"context"
	"fmt"

	"github.com/argofix/kubectl-argofix/pkg/argocd"
)

// ClusterSecrets reads the cluster Secrets registered in the Argo CD
// namespace.
func ClusterSecrets(ctx context.Context, c Clients, argoCDNamespace string) ([]argocd.Cluster, error) {
	secrets, err := listClusterSecrets(ctx, c.Kube, argoCDNamespace)
	if err != nil {
		return nil, fmt.Errorf("list cluster Secrets in %q: %w", argoCDNamespace, err)
	}
	var clusters []argocd.Cluster
	for i := range secrets {
		if cl, ok := argocd.ClusterFromSecret(&secrets[i]); ok {
			clusters = append(clusters, cl)
		}
	}
	return clusters, nil
}
