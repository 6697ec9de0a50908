package fixes

import (
	"context"
	"fmt"
	"strings"

	authorizationv1 "k8s.io/api/authorization/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	authorizationclient "k8s.io/client-go/kubernetes/typed/authorization/v1"
)

// PermissionError lists the RBAC rules the user lacks for a plan. Nothing
// of the plan was sent.
type PermissionError struct {
	Missing []string
}

func (e *PermissionError) Error() string {
	return fmt.Sprintf("not permitted, nothing was changed: you may not %s; ask for RBAC rules granting them", strings.Join(e.Missing, "; nor "))
}

// checkPermissions asks the API server, with one SelfSubjectAccessReview
// per distinct request, whether the user may make every request of the
// plan, before any is sent: with partial rights nothing is half-applied.
func checkPermissions(ctx context.Context, reviews authorizationclient.SelfSubjectAccessReviewInterface, plan Plan) error {
	seen := map[authorizationv1.ResourceAttributes]bool{}
	var missing []string
	for _, s := range plan.Steps {
		for _, a := range s.Fix.Actions {
			attrs := authorizationv1.ResourceAttributes{Verb: a.Verb, Group: a.Group, Resource: a.Resource,
				Subresource: a.Subresource, Namespace: a.Namespace, Name: a.Name}
			if seen[attrs] {
				continue
			}
			seen[attrs] = true
			review, err := reviews.Create(ctx, &authorizationv1.SelfSubjectAccessReview{
				Spec: authorizationv1.SelfSubjectAccessReviewSpec{ResourceAttributes: &attrs},
			}, metav1.CreateOptions{})
			if err != nil {
				return fmt.Errorf("ask the API server whether you may %s: %w", rule(attrs), err)
			}
			if !review.Status.Allowed {
				missing = append(missing, rule(attrs))
			}
		}
	}
	if len(missing) > 0 {
		return &PermissionError{Missing: missing}
	}
	return nil
}

// rule renders a request the way an RBAC rule names it.
func rule(a authorizationv1.ResourceAttributes) string {
	resource := a.Resource
	if a.Subresource != "" {
		resource += "/" + a.Subresource
	}
	if a.Group != "" {
		resource += "." + a.Group
	}
	where := "cluster-wide"
	if a.Namespace != "" {
		where = "in namespace " + a.Namespace
	}
	return fmt.Sprintf("%s %s %s (%s)", a.Verb, resource, a.Name, where)
}
