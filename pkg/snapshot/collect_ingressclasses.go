package snapshot

import (
	"context"
	"fmt"

	networkingv1 "k8s.io/api/networking/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"

	"github.com/argofix/kubectl-argofix/pkg/argocd"
)

// collectIngressClasses lists the IngressClasses, once, when an app on
// this cluster manages an Ingress: an Ingress waiting for an address is
// explained by its class (missing, or served by which controller).
func collectIngressClasses(ctx context.Context, c Clients, s *Snapshot, rec *recorder) error {
	if !managesIngress(s.Applications) {
		return nil
	}
	classes, err := listPaged[networkingv1.IngressClass](ctx, func(ctx context.Context, opts metav1.ListOptions) (runtime.Object, error) {
		return c.Kube.NetworkingV1().IngressClasses().List(ctx, opts)
	}, metav1.ListOptions{})
	if apierrors.IsForbidden(err) {
		rec.failed(ReadProblem{Verb: "list", Resource: "ingressclasses.networking.k8s.io", Error: err.Error(), Source: IngressClasses})
		return nil
	}
	if err != nil {
		return fmt.Errorf("list IngressClasses: %w", err)
	}
	s.IngressClasses = classes
	rec.done(IngressClasses)
	return nil
}

func managesIngress(apps []argocd.Application) bool {
	for _, app := range apps {
		if !argocd.IsInCluster(app.Spec.Destination) {
			continue
		}
		for _, r := range app.Status.Resources {
			if r.Kind == "Ingress" && (r.Group == "networking.k8s.io" || r.Group == "extensions") {
				return true
			}
		}
	}
	return false
}
