package diagnose

import (
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/argofix/kubectl-argofix/pkg/argocd"
	"github.com/argofix/kubectl-argofix/pkg/snapshot"
)

func TestCheckNamespaceTerminating(t *testing.T) {
	terminating := func(name string, ago time.Duration) corev1.Namespace {
		return corev1.Namespace{
			ObjectMeta: metav1.ObjectMeta{Name: name, DeletionTimestamp: timeAgo(ago)},
			Spec:       corev1.NamespaceSpec{Finalizers: []corev1.FinalizerName{corev1.FinalizerKubernetes}},
			Status: corev1.NamespaceStatus{Phase: corev1.NamespaceTerminating, Conditions: []corev1.NamespaceCondition{
				{Type: "NamespaceDeletionDiscoveryFailure", Status: corev1.ConditionFalse, Reason: "ResourcesDiscovered", LastTransitionTime: *timeAgo(ago)},
				{Type: "NamespaceFinalizersRemaining", Status: corev1.ConditionTrue, Reason: "SomeFinalizersRemain", LastTransitionTime: *timeAgo(ago),
					Message: "Some content in the namespace has finalizers remaining: resources-finalizer.argocd.argoproj.io in 1 resource instances"},
			}},
		}
	}
	app := testObject("argoproj.io/v1alpha1", "Application", "team-a", "web", objDeleting(30*time.Minute, argocd.ResourcesFinalizer))
	pvc := testObject("v1", "PersistentVolumeClaim", "team-a", "data", objDeleting(30*time.Minute, "kubernetes.io/pvc-protection"), func(u *unstructured.Unstructured) {
		u.SetAnnotations(map[string]string{argocd.TrackingIDAnnotation: "team-a_web:/PersistentVolumeClaim:team-a/data"})
	})
	cm := testObject("v1", "ConfigMap", "team-a", "cfg", func(u *unstructured.Unstructured) {
		u.SetLabels(map[string]string{argocd.DefaultInstanceKey: "root"})
	})
	webApp := testApp("web", func(a *argocd.Application) { a.Namespace = "team-a" })
	snap := func(ns corev1.Namespace, contents map[string][]unstructured.Unstructured) *snapshot.Snapshot {
		s := testSnapshot()
		s.AllApplications = []argocd.Application{webApp, testApp("root")}
		s.Namespaces, s.Read[snapshot.Namespaces], s.NamespaceContents = []corev1.Namespace{ns}, true, contents
		for _, objs := range contents {
			for _, o := range objs {
				withResources(s, o.GroupVersionKind())
			}
		}
		return s
	}
	runCheckCases(t, "namespace-terminating", []checkCase{
		{
			name: "an Application and a PVC hold the namespace",
			snapshot: snap(terminating("team-a", 30*time.Minute), map[string][]unstructured.Unstructured{
				"team-a": {*pvc, *app, *cm},
			}),
			want: []string{"namespace-terminating team-a"},
			wantText: []string{
				"Namespace has been Terminating for 30m: 3 objects remain (1 Application.argoproj.io, 1 ConfigMap, 1 PersistentVolumeClaim) held by finalizers resources-finalizer.argocd.argoproj.io, kubernetes.io/pvc-protection",
				"condition NamespaceFinalizersRemaining=True (SomeFinalizersRemain) since 2026-11-25T09:30:00Z: Some content in the namespace has finalizers remaining",
				"PersistentVolumeClaim team-a/data: metadata.finalizers [kubernetes.io/pvc-protection], deletionTimestamp 2026-11-25T09:30:00Z, managed by Application team-a/web (argocd.argoproj.io/tracking-id=team-a_web:/PersistentVolumeClaim:team-a/data)",
				"ConfigMap team-a/cfg: metadata.finalizers [], not yet deleted, managed by Application argocd/root (label app.kubernetes.io/instance=root)",
				"Handle it as app-deletion-stuck first (kubectl argofix diagnose app -n team-a web)",
				"kubectl -n team-a patch persistentvolumeclaims data --type json",
			},
			notText:   []string{"NamespaceDeletionDiscoveryFailure", "finalize-namespace"},
			wantFixes: []string{"remove-finalizers", "remove-finalizers"},
		},
		{
			name:     "nothing remains: finalize-namespace",
			snapshot: snap(terminating("team-a", 10*time.Minute), map[string][]unstructured.Unstructured{}),
			want:     []string{"namespace-terminating team-a"},
			wantText: []string{"nothing remains in it, yet spec.finalizers [kubernetes] is not removed",
				"kubectl replace --raw /api/v1/namespaces/team-a/finalize -f -"},
			wantFixes: []string{"finalize-namespace"},
		},
		{
			name: "nothing remains but the Namespace's own finalizer: remove it, not finalize",
			snapshot: func() *snapshot.Snapshot {
				ns := terminating("team-a", 10*time.Minute)
				ns.Spec.Finalizers, ns.Finalizers = nil, []string{"example.com/hold"}
				return snap(ns, map[string][]unstructured.Unstructured{})
			}(),
			want:      []string{"namespace-terminating team-a"},
			wantText:  []string{"its own metadata.finalizers [example.com/hold] hold it", "kubectl patch namespaces team-a --type json"},
			notText:   []string{"finalize-namespace", "is kube-controller-manager's namespace controller running"},
			wantFixes: []string{"remove-finalizers"},
		},
		{
			name: "unavailable APIService is named",
			snapshot: func() *snapshot.Snapshot {
				s := snap(terminating("team-a", 10*time.Minute), map[string][]unstructured.Unstructured{})
				s.DiscoveryFailures = []snapshot.DiscoveryFailure{{GroupVersion: "metrics.k8s.io/v1beta1", Error: "the server is currently unable to handle the request"}}
				return s
			}(),
			want:      []string{"namespace-terminating team-a"},
			wantText:  []string{"APIService v1beta1.metrics.k8s.io is unavailable", "discovery of metrics.k8s.io/v1beta1 failed (APIService v1beta1.metrics.k8s.io)", "kubectl delete apiservices.apiregistration.k8s.io v1beta1.metrics.k8s.io"},
			wantFixes: []string{"delete-apiservice", "finalize-namespace"},
		},
		{
			name: "some kinds forbidden: nothing seen is not nothing there",
			snapshot: func() *snapshot.Snapshot {
				s := snap(terminating("team-a", 10*time.Minute), map[string][]unstructured.Unstructured{})
				s.NamespaceUnread = map[string][]string{"team-a": {"secrets"}}
				return s
			}(),
			want:     []string{"namespace-terminating team-a"},
			wantText: []string{"1 resource type could not be listed", "not listed (forbidden): secrets"},
			notText:  []string{"finalize-namespace", "nothing remains"},
		},
		{
			name:     "contents not read: no finalize",
			snapshot: snap(terminating("team-a", 10*time.Minute), nil),
			want:     []string{"namespace-terminating team-a"},
			wantText: []string{"its remaining contents were not read"},
			notText:  []string{"finalize-namespace"},
		},
		{
			name:     "terminating for 1m: silent",
			snapshot: snap(terminating("team-a", time.Minute), nil),
			want:     []string{},
		},
		{
			name:     "active namespace: silent",
			snapshot: snap(corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: "team-a"}}, nil),
			want:     []string{},
		},
	})
}
