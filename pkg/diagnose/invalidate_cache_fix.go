package diagnose

import (
	"fmt"
	"time"

	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/argofix/kubectl-argofix/pkg/argocd"
	"github.com/argofix/kubectl-argofix/pkg/report"
)

// SecretsResource is the API resource of Secrets (cluster Secrets).
var SecretsResource = schema.GroupVersionResource{Version: "v1", Resource: "secrets"}

// InvalidateCacheFix is the invalidate-cache fix of one registered cluster:
// the argocd.argoproj.io/refresh annotation, with the time now, on its
// cluster Secret; that is all Argo CD's own "invalidate cache" does. Both
// `kubectl argofix invalidate-cache` and ghost-pods build it here.
func InvalidateCacheFix(c argocd.Cluster, now time.Time) report.Fix {
	ref := report.ObjectRef{Kind: "Secret", Namespace: c.SecretNamespace, Name: c.SecretName}
	return report.NewFix("invalidate-cache", "low",
		fmt.Sprintf("invalidate the controller's cache of cluster %s (Secret %s/%s)", c.Server, c.SecretNamespace, c.SecretName),
		report.AnnotateAction(SecretsResource, ref, argocd.RefreshAnnotation, report.FormatTime(now)))
}
