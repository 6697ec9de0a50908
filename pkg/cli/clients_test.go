package cli

import (
	"context"
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/spf13/cobra"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/cli-runtime/pkg/genericclioptions"
	"k8s.io/cli-runtime/pkg/genericiooptions"
	dynamicfake "k8s.io/client-go/dynamic/fake"
	kubefake "k8s.io/client-go/kubernetes/fake"
	k8stesting "k8s.io/client-go/testing"

	"github.com/argofix/kubectl-argofix/pkg/argocd"
	"github.com/argofix/kubectl-argofix/pkg/snapshot"
)

// testRoot is the RootOptions of `--argocd-namespace argocdNS -n ns`, with a
// named context so that nothing reads a kubeconfig.
func testRoot(argocdNS, ns string) *RootOptions {
	streams, _, _, _ := genericiooptions.NewTestIOStreams()
	flags := genericclioptions.NewConfigFlags(true)
	*flags.Namespace = ns
	*flags.Context = "test"
	return &RootOptions{Streams: streams, ConfigFlags: flags, ArgoCDNamespace: argocdNS, Color: "never",
		Getenv: func(string) string { return "" }}
}

// testClients serve kube objects and Argo CD Applications.
func testClients(kube []runtime.Object, apps ...runtime.Object) (snapshot.Clients, *kubefake.Clientset) {
	k := kubefake.NewClientset(kube...)
	dyn := dynamicfake.NewSimpleDynamicClientWithCustomListKinds(runtime.NewScheme(), map[schema.GroupVersionResource]string{
		argocd.ApplicationsResource: "ApplicationList",
		argocd.AppProjectsResource:  "AppProjectList",
		snapshot.CRDResource:        "CustomResourceDefinitionList",
	}, apps...)
	return snapshot.Clients{Dynamic: dyn, Kube: k}, k
}

func testNamespace(name string) *corev1.Namespace {
	return &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: name}}
}

func testControllerPod(ns string) *corev1.Pod {
	return &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "argocd-application-controller-0",
		Labels: map[string]string{"app.kubernetes.io/name": "argocd-application-controller"}}}
}

// TestArgoCDNamespace checks how Complete finds the Argo CD installation:
// the flag, else the controller's namespace, else "argocd" marked as a
// guess; and where apps are looked up: -n, else that namespace.
func TestArgoCDNamespace(t *testing.T) {
	otherPod := &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Namespace: "argocd", Name: "argocd-repo-server-0",
		Labels: map[string]string{"app.kubernetes.io/name": "argocd-repo-server"}}}
	tests := []struct {
		name      string
		flag, ns  string
		pods      []runtime.Object
		podsError error

		want argoCD
		// wantControllers are the controller pods handed to the collector;
		// nil when it must list them itself.
		wantControllers []string
		wantAppNS       string
		wantLookups     int // LISTs of pods
		wantCode        int // for an error
	}{
		{name: "flag wins without a lookup", flag: "gitops", pods: []runtime.Object{testControllerPod("argocd")},
			want: argoCD{Namespace: "gitops", Chosen: true}, wantAppNS: "gitops"},
		{name: "controller found", pods: []runtime.Object{testControllerPod("gitops-system"), otherPod},
			want: argoCD{Namespace: "gitops-system"}, wantControllers: []string{"argocd-application-controller-0"}, wantAppNS: "gitops-system", wantLookups: 1},
		{name: "several controllers: the default namespace first", pods: []runtime.Object{testControllerPod("a-team"), testControllerPod("argocd")},
			want: argoCD{Namespace: "argocd"}, wantControllers: []string{"argocd-application-controller-0"}, wantAppNS: "argocd", wantLookups: 1},
		{name: "-n for apps, controller for the installation", ns: "team-a", pods: []runtime.Object{testControllerPod("gitops-system")},
			want: argoCD{Namespace: "gitops-system"}, wantControllers: []string{"argocd-application-controller-0"}, wantAppNS: "team-a", wantLookups: 1},
		{name: "no controller: the default, guessed", pods: []runtime.Object{otherPod},
			want: argoCD{Namespace: "argocd", Guessed: true}, wantControllers: []string{}, wantAppNS: "argocd", wantLookups: 1},
		{name: "pods forbidden cluster-wide: the default, guessed",
			podsError: apierrors.NewForbidden(schema.GroupResource{Resource: "pods"}, "", errors.New(`User "dev" cannot list resource "pods"`)),
			want:      argoCD{Namespace: "argocd", Guessed: true}, wantAppNS: "argocd", wantLookups: 1},
		{name: "server error: no guess", podsError: apierrors.NewInternalError(errors.New("etcd timeout")),
			wantLookups: 1, wantCode: ExitUnreadable},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			root := testRoot(tt.flag, tt.ns)
			clients, kube := testClients(tt.pods)
			if tt.podsError != nil {
				kube.PrependReactor("list", "pods", func(k8stesting.Action) (bool, runtime.Object, error) { return true, nil, tt.podsError })
			}
			got, err := root.completeClients(context.Background(), &clients)
			if lookups := len(kube.Actions()); lookups != tt.wantLookups {
				t.Errorf("%d requests, want %d", lookups, tt.wantLookups)
			}
			if tt.wantCode != 0 {
				if code := ExitCode(err); code != tt.wantCode {
					t.Errorf("exit %d (%v), want %d", code, err, tt.wantCode)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got.Namespace != tt.want.Namespace || got.Guessed != tt.want.Guessed || got.Chosen != tt.want.Chosen {
				t.Errorf("installation %+v, want %+v", got, tt.want)
			}
			var controllers []string
			if pods := got.collectOptions(time.Now(), 0).ControllerPods; pods != nil {
				controllers = []string{}
				for _, p := range pods {
					controllers = append(controllers, p.Name)
				}
			}
			if !reflect.DeepEqual(controllers, tt.wantControllers) {
				t.Errorf("controller pods handed to the collector %v, want %v", controllers, tt.wantControllers)
			}
			if ns := root.appNamespace(got); ns != tt.wantAppNS {
				t.Errorf("apps looked up in %q, want %q", ns, tt.wantAppNS)
			}
		})
	}
}

// TestDiagnoseAppTarget runs `diagnose app` through its Options with fake
// clients: -n says where the app is looked up, and a missing app, namespace
// or Argo CD gets the exit status the README documents.
func TestDiagnoseAppTarget(t *testing.T) {
	app := &unstructured.Unstructured{Object: map[string]any{
		"apiVersion": "argoproj.io/v1alpha1", "kind": "Application",
		"metadata": map[string]any{"namespace": "argocd", "name": "guestbook"},
		"spec":     map[string]any{"project": "default", "destination": map[string]any{"server": argocd.InClusterServer, "namespace": "guestbook"}},
	}}
	notServed := func(a k8stesting.Action) (bool, runtime.Object, error) {
		return true, nil, apierrors.NewNotFound(a.GetResource().GroupResource(), "")
	}
	tests := []struct {
		name      string
		ns        string
		target    string
		noCRD     bool
		wantCode  int
		wantError string
	}{
		{name: "typo", target: "guestbok", wantCode: ExitBadInput,
			wantError: `Application "guestbok" not found in namespace "argocd"; did you mean guestbook?`},
		{name: "-n honoured", ns: "team-a", target: "guestbook", wantCode: ExitBadInput,
			wantError: `Application "guestbook" not found in namespace "team-a"`},
		{name: "-n names no namespace", ns: "team-x", target: "guestbook", wantCode: ExitBadInput,
			wantError: `namespace "team-x" not found`},
		{name: "no Argo CD", target: "guestbook", noCRD: true, wantCode: ExitUnreadable,
			wantError: "Argo CD does not seem to be installed"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			clients, _ := testClients([]runtime.Object{testControllerPod("argocd"), testNamespace("argocd"), testNamespace("team-a")}, app)
			if tt.noCRD {
				clients.Dynamic.(*dynamicfake.FakeDynamicClient).PrependReactor("*", "applications", notServed)
			}
			o := &DiagnoseAppOptions{Root: testRoot("", tt.ns), Clients: clients, Now: func() time.Time { return time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC) }}
			o.Output, o.FailOn = "json", "error"
			cmd := &cobra.Command{}
			cmd.SetContext(context.Background())
			err := validateCompleteRun(o.Validate, func() error { return o.Complete(cmd, []string{tt.target}) }, func() error { return o.Run(cmd.Context()) })
			if code := ExitCode(err); code != tt.wantCode || err == nil || !strings.Contains(err.Error(), tt.wantError) {
				t.Errorf("exit %d (%v), want %d: %s", code, err, tt.wantCode, tt.wantError)
			}
		})
	}
}
