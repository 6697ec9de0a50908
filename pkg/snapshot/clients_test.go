package snapshot

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	dynamicfake "k8s.io/client-go/dynamic/fake"
	kubefake "k8s.io/client-go/kubernetes/fake"
	k8stesting "k8s.io/client-go/testing"

	"github.com/argofix/kubectl-argofix/pkg/argocd"
)

// The fake API of these tests: client-go's fake clientsets, with reactors
// for what a real server would refuse. Only pure read logic is tested this
// way; permissions themselves are tested on the real control plane.

var (
	deploymentsResource = schema.GroupVersionResource{Group: "apps", Version: "v1", Resource: "deployments"}
	deploymentKind      = schema.GroupVersionKind{Group: "apps", Version: "v1", Kind: "Deployment"}
	testNow             = time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)
)

// fakeAPI holds the fake clients behind a Clients value, so that a test can
// add reactors before collecting.
type fakeAPI struct {
	dynamic *dynamicfake.FakeDynamicClient
	kube    *kubefake.Clientset
}

// newFakeAPI serves kube objects (typed) and Argo CD or other custom
// objects (unstructured). Every resource the collectors LIST through the
// dynamic client is registered, or the fake panics.
func newFakeAPI(kube []runtime.Object, dynamic ...runtime.Object) *fakeAPI {
	listKinds := map[schema.GroupVersionResource]string{
		argocd.ApplicationsResource:             "ApplicationList",
		argocd.AppProjectsResource:              "AppProjectList",
		ApplicationSetsResource:                 "ApplicationSetList",
		CRDResource:                             "CustomResourceDefinitionList",
		deploymentsResource:                     "DeploymentList",
		{Version: "v1", Resource: "configmaps"}: "ConfigMapList",
		{Version: "v1", Resource: "events"}:     "EventList",
		{Version: "v1", Resource: "bindings"}:   "BindingList",
	}
	return &fakeAPI{
		dynamic: dynamicfake.NewSimpleDynamicClientWithCustomListKinds(runtime.NewScheme(), listKinds, dynamic...),
		kube:    kubefake.NewClientset(kube...),
	}
}

// clients are the Clients the collectors read through; the mapper knows
// Deployments and nothing else outside Argo CD.
func (f *fakeAPI) clients() Clients {
	mapper := meta.NewDefaultRESTMapper([]schema.GroupVersion{deploymentKind.GroupVersion()})
	mapper.Add(deploymentKind, meta.RESTScopeNamespace)
	return Clients{Dynamic: f.dynamic, Kube: f.kube, Mapper: mapper, Discovery: f.kube.Discovery()}
}

// forbidDynamic makes the dynamic client refuse verb on resource where
// match says so (nil: always).
func (f *fakeAPI) forbidDynamic(verb, resource string, match func(k8stesting.Action) bool) {
	f.dynamic.PrependReactor(verb, resource, refuse(resource, match))
}

// forbidKube makes the Kubernetes client refuse verb on resource where
// match says so (nil: always).
func (f *fakeAPI) forbidKube(verb, resource string, match func(k8stesting.Action) bool) {
	f.kube.PrependReactor(verb, resource, refuse(resource, match))
}

func refuse(resource string, match func(k8stesting.Action) bool) k8stesting.ReactionFunc {
	return func(action k8stesting.Action) (bool, runtime.Object, error) {
		if match != nil && !match(action) {
			return false, nil, nil
		}
		return true, nil, apierrors.NewForbidden(schema.GroupResource{Resource: resource}, "",
			errors.New(`User "reader" cannot `+action.GetVerb()+` resource "`+resource+`"`))
	}
}

// inNamespaceAction matches actions in namespace ns.
func inNamespaceAction(ns string) func(k8stesting.Action) bool {
	return func(a k8stesting.Action) bool { return a.GetNamespace() == ns }
}

// namedAction matches a get of the object called name.
func namedAction(name string) func(k8stesting.Action) bool {
	return func(a k8stesting.Action) bool {
		get, ok := a.(k8stesting.GetAction)
		return ok && get.GetName() == name
	}
}

// testApplication is an in-cluster Application deploying to dest.
func testApplication(ns, name, project, dest string) *unstructured.Unstructured {
	return &unstructured.Unstructured{Object: map[string]any{
		"apiVersion": "argoproj.io/v1alpha1",
		"kind":       "Application",
		"metadata":   map[string]any{"namespace": ns, "name": name},
		"spec": map[string]any{
			"project":     project,
			"destination": map[string]any{"server": argocd.InClusterServer, "namespace": dest},
		},
	}}
}

// withResources adds status.resources, as Argo CD reports them.
func withResources(u *unstructured.Unstructured, resources ...map[string]any) *unstructured.Unstructured {
	list := make([]any, 0, len(resources))
	for _, r := range resources {
		list = append(list, r)
	}
	u.Object["status"] = map[string]any{"resources": list}
	return u
}

func testAppProject(ns, name string) *unstructured.Unstructured {
	return &unstructured.Unstructured{Object: map[string]any{
		"apiVersion": "argoproj.io/v1alpha1",
		"kind":       "AppProject",
		"metadata":   map[string]any{"namespace": ns, "name": name},
		"spec":       map[string]any{"sourceRepos": []any{"*"}},
	}}
}

func testDeployment(ns, name string) *unstructured.Unstructured {
	return &unstructured.Unstructured{Object: map[string]any{
		"apiVersion": "apps/v1",
		"kind":       "Deployment",
		"metadata":   map[string]any{"namespace": ns, "name": name},
	}}
}

func testNamespace(name string) *corev1.Namespace {
	return &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: name}}
}

func testConfigMap(ns, name string, data map[string]string) *corev1.ConfigMap {
	return &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name}, Data: data}
}

func testClusterSecret(ns, name, server string) *corev1.Secret {
	return &corev1.Secret{
		ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name, Labels: map[string]string{argocd.SecretTypeLabel: argocd.SecretTypeCluster}},
		Data:       map[string][]byte{"server": []byte(server), "name": []byte(name)},
	}
}

func testPod(ns, name string) *corev1.Pod {
	return &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name}}
}

func testNode(name string) *corev1.Node {
	return &corev1.Node{ObjectMeta: metav1.ObjectMeta{Name: name}}
}

// testCollectOptions are those of a found Argo CD in namespace argocd.
func testCollectOptions() CollectOptions {
	return CollectOptions{ArgoCDNamespace: "argocd", Now: testNow, StuckAfter: 5 * time.Minute}
}

// mustCollectApps runs CollectApps and fails the test on an error.
func mustCollectApps(t *testing.T, c Clients, sel AppSelector, opts CollectOptions) *Snapshot {
	t.Helper()
	s, err := CollectApps(context.Background(), c, sel, opts)
	if err != nil {
		t.Fatalf("CollectApps: %v", err)
	}
	return s
}

// problemsOf returns the problems recorded for src, their Error checked
// for the API's message and then cleared, so tests compare the rest.
func problemsOf(t *testing.T, s *Snapshot, src Source) []ReadProblem {
	t.Helper()
	var out []ReadProblem
	for _, p := range s.Problems {
		if p.Source != src {
			continue
		}
		if p.Error == "" {
			t.Errorf("problem %+v has no error text", p)
		}
		p.Error = ""
		out = append(out, p)
	}
	slices.SortFunc(out, func(a, b ReadProblem) int { return strings.Compare(a.Namespace, b.Namespace) })
	return out
}

// appNames lists namespace/name of apps, in order.
func appNames(apps []argocd.Application) []string {
	out := make([]string, 0, len(apps))
	for _, a := range apps {
		out = append(out, a.Namespace+"/"+a.Name)
	}
	return out
}
