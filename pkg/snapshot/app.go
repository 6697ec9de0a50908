package snapshot

import (
	"context"
	"fmt"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/argofix/kubectl-argofix/pkg/argocd"
)

// GetApp reads one Application, telling a missing app (with the names the
// user may have meant) from a missing Argo CD.
func GetApp(ctx context.Context, c Clients, target AppTarget) (argocd.Application, error) {
	u, err := c.Dynamic.Resource(argocd.ApplicationsResource).Namespace(target.Namespace).Get(ctx, target.Name, metav1.GetOptions{})
	if apierrors.IsNotFound(err) {
		return argocd.Application{}, appNotFound(ctx, c, target)
	}
	if err != nil {
		return argocd.Application{}, fmt.Errorf("get Application %s/%s: %w", target.Namespace, target.Name, err)
	}
	return argocd.DecodeApplication(u)
}
