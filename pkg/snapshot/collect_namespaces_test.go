package snapshot

import (
	"context"
	"errors"
	"reflect"
	"slices"
	"testing"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/discovery"
	fakediscovery "k8s.io/client-go/discovery/fake"
)

// TestCollectNamespaceErrors: a namespace that does not exist is the user's
// error; a refused read is an API error the command explains.
func TestCollectNamespaceErrors(t *testing.T) {
	t.Run("missing", func(t *testing.T) {
		f := newFakeAPI(nil)
		s, err := CollectNamespace(context.Background(), f.clients(), "payments", testCollectOptions())
		if want := (&NamespaceNotFoundError{Name: "payments"}); !reflect.DeepEqual(err, want) || s != nil {
			t.Errorf("got %v, %#v; want nil, %#v", s, err, want)
		}
	})
	t.Run("forbidden", func(t *testing.T) {
		f := newFakeAPI([]runtime.Object{testNamespace("payments")})
		f.forbidKube("get", "namespaces", nil)
		_, err := CollectNamespace(context.Background(), f.clients(), "payments", testCollectOptions())
		var notFound *NamespaceNotFoundError
		if !apierrors.IsForbidden(err) || errors.As(err, &notFound) {
			t.Errorf("error %v, want Forbidden", err)
		}
	})
}

// preferredDiscovery serves a fixed discovery answer; client-go's fake
// discovery returns nothing for preferred resources.
type preferredDiscovery struct {
	*fakediscovery.FakeDiscovery
	preferredResources
}

// preferredResources are the answer of ServerPreferredNamespacedResources.
type preferredResources struct {
	lists []*metav1.APIResourceList
	err   error
}

func (d *preferredDiscovery) ServerPreferredNamespacedResources() ([]*metav1.APIResourceList, error) {
	return d.lists, d.err
}

// TestCollectNamespaceContents checks what is read of a Terminating
// namespace: every namespaced, listable kind except events; a kind that
// may not be listed is named as unread, so "nothing remains" is never
// claimed; a group whose discovery fails is recorded.
func TestCollectNamespaceContents(t *testing.T) {
	metrics := schema.GroupVersion{Group: "metrics.k8s.io", Version: "v1beta1"}
	lists := preferredResources{
		lists: []*metav1.APIResourceList{
			{GroupVersion: "v1", APIResources: []metav1.APIResource{
				{Name: "configmaps", Namespaced: true, Kind: "ConfigMap", Verbs: []string{"list", "get"}},
				{Name: "events", Namespaced: true, Kind: "Event", Verbs: []string{"list", "get"}},
				{Name: "bindings", Namespaced: true, Kind: "Binding", Verbs: []string{"create"}},
			}},
			{GroupVersion: "apps/v1", APIResources: []metav1.APIResource{
				{Name: "deployments", Namespaced: true, Kind: "Deployment", Verbs: []string{"list", "get"}},
			}},
		},
		err: &discovery.ErrGroupDiscoveryFailed{Groups: map[schema.GroupVersion]error{metrics: errors.New("the server is currently unable to handle the request")}},
	}
	terminating := testNamespace("payments")
	terminating.DeletionTimestamp = &metav1.Time{Time: testNow.Add(-10 * time.Minute)}

	tests := []struct {
		name           string
		refuseApps     bool
		wantAllApps    []string
		wantAllAppRead bool
		wantProblems   []ReadProblem
	}{
		{name: "Applications readable", wantAllApps: []string{"argocd/web", "team-a/api"}, wantAllAppRead: true},
		{
			name: "Applications forbidden", refuseApps: true,
			wantProblems: []ReadProblem{{Verb: "list", Resource: "applications.argoproj.io", Source: AllApplications}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFakeAPI([]runtime.Object{testNamespace("argocd"), terminating},
				testApplication("argocd", "web", "default", "payments"), testApplication("team-a", "api", "default", "payments"),
				testDeployment("payments", "web"))
			f.forbidDynamic("list", "configmaps", inNamespaceAction("payments"))
			if tt.refuseApps {
				f.forbidDynamic("list", "applications", nil)
			}
			c := f.clients()
			c.Discovery = &preferredDiscovery{FakeDiscovery: &fakediscovery.FakeDiscovery{Fake: &f.kube.Fake}, preferredResources: lists}

			s, err := CollectNamespace(context.Background(), c, "payments", testCollectOptions())
			if err != nil {
				t.Fatalf("CollectNamespace: %v", err)
			}
			if !s.Has(Namespaces) || !s.Has(NamespaceContents) {
				t.Errorf("Has(Namespaces) = %v, Has(NamespaceContents) = %v; want both", s.Has(Namespaces), s.Has(NamespaceContents))
			}
			var left []string
			for _, o := range s.NamespaceContents["payments"] {
				left = append(left, o.GetKind()+"/"+o.GetName())
			}
			if want := []string{"Deployment/web"}; !slices.Equal(left, want) {
				t.Errorf("contents %v, want %v", left, want)
			}
			if got, want := s.NamespaceUnread["payments"], []string{"configmaps"}; !slices.Equal(got, want) {
				t.Errorf("unread %v, want %v", got, want)
			}
			wantProblems := []ReadProblem{{Verb: "list", Resource: "configmaps", Namespace: "payments", Source: NamespaceContents}}
			if got := problemsOf(t, s, NamespaceContents); !slices.Equal(got, wantProblems) {
				t.Errorf("problems %+v, want %+v", got, wantProblems)
			}
			if len(s.DiscoveryFailures) != 1 || s.DiscoveryFailures[0].GroupVersion != "metrics.k8s.io/v1beta1" {
				t.Errorf("discovery failures %+v, want metrics.k8s.io/v1beta1", s.DiscoveryFailures)
			}
			for _, a := range f.dynamic.Actions() {
				if r := a.GetResource().Resource; a.GetVerb() == "list" && (r == "events" || r == "bindings") {
					t.Errorf("listed %s, which never holds a namespace open or cannot be listed", r)
				}
			}
			if got := sortedAppNames(s.AllApplications); !slices.Equal(got, tt.wantAllApps) {
				t.Errorf("AllApplications %v, want %v", got, tt.wantAllApps)
			}
			if s.Has(AllApplications) != tt.wantAllAppRead {
				t.Errorf("Has(AllApplications) = %v, want %v", s.Has(AllApplications), tt.wantAllAppRead)
			}
			if got := problemsOf(t, s, AllApplications); !slices.Equal(got, tt.wantProblems) {
				t.Errorf("problems %+v, want %+v", got, tt.wantProblems)
			}
		})
	}
}
