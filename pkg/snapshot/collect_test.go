package snapshot

import (
	"context"
	"errors"
	"reflect"
	"slices"
	"strings"
	"testing"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/runtime"
	k8stesting "k8s.io/client-go/testing"

	"github.com/argofix/kubectl-argofix/pkg/argocd"
)

// TestCollectAppNotFound checks that a missing app is told apart from a
// missing Argo CD and a missing namespace, with the names the user may
// have meant.
func TestCollectAppNotFound(t *testing.T) {
	tests := []struct {
		name    string
		kube    []runtime.Object
		apps    []runtime.Object
		refuse  func(f *fakeAPI)
		target  AppTarget
		wantErr error
	}{
		{
			name:   "no Applications CRD served",
			kube:   []runtime.Object{testNamespace("argocd")},
			refuse: func(f *fakeAPI) { f.dynamic.PrependReactor("list", "applications", notServed) },
			target: AppTarget{Namespace: "argocd", Name: "guestbook"},
			// A server without the CRD answers 404 to the LIST too.
			wantErr: &NotInstalledError{},
		},
		{
			name: "typo among other apps",
			kube: []runtime.Object{testNamespace("argocd")},
			apps: []runtime.Object{
				testApplication("argocd", "guestbook", "default", "guestbook"),
				testApplication("argocd", "billing", "default", "billing"),
				testApplication("team-a", "guestbok-2", "default", "guestbook"), // another namespace: not a suggestion
			},
			target:  AppTarget{Namespace: "argocd", Name: "guestbok"},
			wantErr: &AppNotFoundError{Namespace: "argocd", Name: "guestbok", Closest: []string{"guestbook"}},
		},
		{
			name:    "no apps in an existing namespace",
			kube:    []runtime.Object{testNamespace("argocd")},
			target:  AppTarget{Namespace: "argocd", Name: "guestbook"},
			wantErr: &AppNotFoundError{Namespace: "argocd", Name: "guestbook", Closest: []string{}},
		},
		{
			name:    "namespace does not exist",
			kube:    []runtime.Object{testNamespace("argocd")},
			apps:    []runtime.Object{testApplication("argocd", "guestbook", "default", "guestbook")},
			target:  AppTarget{Namespace: "team-x", Name: "guestbook"},
			wantErr: &NamespaceNotFoundError{Name: "team-x"},
		},
		{
			name:   "listing for suggestions forbidden",
			kube:   []runtime.Object{testNamespace("argocd")},
			apps:   []runtime.Object{testApplication("argocd", "guestbook", "default", "guestbook")},
			refuse: func(f *fakeAPI) { f.forbidDynamic("list", "applications", nil) },
			target: AppTarget{Namespace: "argocd", Name: "guestbok"},
			// The app is missing all the same; only the suggestions are lost.
			wantErr: &AppNotFoundError{Namespace: "argocd", Name: "guestbok"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFakeAPI(tt.kube, tt.apps...)
			if tt.refuse != nil {
				tt.refuse(f)
			}
			s, err := CollectApp(context.Background(), f.clients(), tt.target, testCollectOptions())
			if s != nil {
				t.Errorf("got a Snapshot with error %v", err)
			}
			if !reflect.DeepEqual(err, tt.wantErr) {
				t.Errorf("error %#v (%v), want %#v", err, err, tt.wantErr)
			}
		})
	}
}

// notServed answers like an API server that does not serve the resource.
func notServed(action k8stesting.Action) (bool, runtime.Object, error) {
	return true, nil, apierrors.NewNotFound(action.GetResource().GroupResource(), "")
}

// TestCollectAppReadErrors: a refused read of the app itself is an error
// the command explains, not a diagnosis of nothing.
func TestCollectAppReadErrors(t *testing.T) {
	f := newFakeAPI([]runtime.Object{testNamespace("argocd")}, testApplication("argocd", "guestbook", "default", "guestbook"))
	f.forbidDynamic("get", "applications", nil)
	_, err := CollectApp(context.Background(), f.clients(), AppTarget{Namespace: "argocd", Name: "guestbook"}, testCollectOptions())
	if !apierrors.IsForbidden(err) {
		t.Fatalf("error %v, want a Forbidden API error", err)
	}
	if !strings.Contains(err.Error(), "get Application argocd/guestbook") {
		t.Errorf("error %q does not name the app", err)
	}
}

// TestMalformedApplicationIsSkipped: one Application that cannot be decoded
// is reported and left out; the others are still diagnosed.
func TestMalformedApplicationIsSkipped(t *testing.T) {
	bad := testApplication("argocd", "broken", "default", "broken")
	bad.Object["spec"] = "not an object"
	f := newFakeAPI([]runtime.Object{testNamespace("argocd")},
		testApplication("argocd", "billing", "default", "billing"), bad, testApplication("argocd", "guestbook", "default", "guestbook"))
	s := mustCollectApps(t, f.clients(), AppSelector{Namespace: "argocd"}, testCollectOptions())

	want := []string{"argocd/billing", "argocd/guestbook"}
	if got := appNames(s.Applications); !slices.Equal(got, want) {
		t.Errorf("Applications %v, want %v", got, want)
	}
	if got := appNames(s.AllApplications); !slices.Equal(got, want) {
		t.Errorf("AllApplications %v, want %v", got, want)
	}
	problems := problemsOf(t, s, "")
	wantProblems := []ReadProblem{{Verb: "decode", Resource: "applications.argoproj.io", Namespace: "argocd"}}
	if !slices.Equal(problems, wantProblems) {
		t.Fatalf("problems %+v, want %+v", problems, wantProblems)
	}
	for _, p := range s.Problems {
		if p.Verb == "decode" && !strings.Contains(p.Error, "argocd/broken") {
			t.Errorf("decode problem %q does not name the app", p.Error)
		}
	}
}

// TestCollectAppsScope checks which Applications are listed, and what a
// refused cluster-wide list does in each mode.
func TestCollectAppsScope(t *testing.T) {
	apps := []runtime.Object{
		testApplication("argocd", "guestbook", "default", "guestbook"),
		testApplication("argocd", "billing", "payments", "billing"),
		testApplication("team-a", "web", "default", "web"),
	}
	kube := []runtime.Object{testNamespace("argocd"), testNamespace("team-a")}
	clusterWide := func(a k8stesting.Action) bool { return a.GetNamespace() == "" }
	tests := []struct {
		name   string
		sel    AppSelector
		refuse func(f *fakeAPI)

		wantApps      []string
		wantAll       []string
		wantAllRead   bool
		wantProblems  []ReadProblem
		wantForbidden bool
	}{
		{
			name:     "one namespace",
			sel:      AppSelector{Namespace: "argocd"},
			wantApps: []string{"argocd/billing", "argocd/guestbook"}, wantAll: []string{"argocd/billing", "argocd/guestbook"},
		},
		{
			name:     "project filter",
			sel:      AppSelector{Namespace: "argocd", Project: "payments"},
			wantApps: []string{"argocd/billing"}, wantAll: []string{"argocd/billing", "argocd/guestbook"},
		},
		{
			name:     "all namespaces",
			sel:      AppSelector{AllNamespaces: true},
			wantApps: []string{"argocd/billing", "argocd/guestbook", "team-a/web"}, wantAll: []string{"argocd/billing", "argocd/guestbook", "team-a/web"},
			wantAllRead: true,
		},
		{
			name:     "whole cluster reads every app, diagnoses the namespace's",
			sel:      AppSelector{Namespace: "argocd", WholeCluster: true},
			wantApps: []string{"argocd/billing", "argocd/guestbook"}, wantAll: []string{"argocd/billing", "argocd/guestbook", "team-a/web"},
			wantAllRead: true,
		},
		{
			name:     "whole cluster, cluster-wide list forbidden: falls back to the namespace",
			sel:      AppSelector{Namespace: "argocd", WholeCluster: true},
			refuse:   func(f *fakeAPI) { f.forbidDynamic("list", "applications", clusterWide) },
			wantApps: []string{"argocd/billing", "argocd/guestbook"}, wantAll: []string{"argocd/billing", "argocd/guestbook"},
			wantProblems: []ReadProblem{{Verb: "list", Resource: "applications.argoproj.io", Source: AllApplications}},
		},
		{
			name:          "-A, cluster-wide list forbidden: an error, not a smaller scope",
			sel:           AppSelector{AllNamespaces: true},
			refuse:        func(f *fakeAPI) { f.forbidDynamic("list", "applications", clusterWide) },
			wantForbidden: true,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFakeAPI(kube, apps...)
			if tt.refuse != nil {
				tt.refuse(f)
			}
			s, err := CollectApps(context.Background(), f.clients(), tt.sel, testCollectOptions())
			if tt.wantForbidden {
				if !apierrors.IsForbidden(err) {
					t.Fatalf("error %v, want Forbidden", err)
				}
				return
			}
			if err != nil {
				t.Fatalf("CollectApps: %v", err)
			}
			if got := sortedAppNames(s.Applications); !slices.Equal(got, tt.wantApps) {
				t.Errorf("Applications %v, want %v", got, tt.wantApps)
			}
			if got := sortedAppNames(s.AllApplications); !slices.Equal(got, tt.wantAll) {
				t.Errorf("AllApplications %v, want %v", got, tt.wantAll)
			}
			if s.Has(AllApplications) != tt.wantAllRead {
				t.Errorf("Has(AllApplications) = %v, want %v", s.Has(AllApplications), tt.wantAllRead)
			}
			if got := problemsOf(t, s, AllApplications); !slices.Equal(got, tt.wantProblems) {
				t.Errorf("problems %+v, want %+v", got, tt.wantProblems)
			}
		})
	}
}

func sortedAppNames(apps []argocd.Application) []string {
	names := appNames(apps)
	slices.Sort(names)
	return names
}

// TestBadSelector: a malformed -l is the user's error, found before any
// request.
func TestBadSelector(t *testing.T) {
	f := newFakeAPI(nil)
	_, err := CollectApps(context.Background(), f.clients(), AppSelector{Namespace: "argocd", Selector: "team in (a"}, testCollectOptions())
	var bad *BadSelectorError
	if !errors.As(err, &bad) || bad.Selector != "team in (a" {
		t.Fatalf("error %#v, want *BadSelectorError for the selector", err)
	}
	if n := len(f.dynamic.Actions()) + len(f.kube.Actions()); n != 0 {
		t.Errorf("%d requests made before the selector was checked", n)
	}
}

// TestSelectorFiltersApps: -l selects by the Application's labels.
func TestSelectorFiltersApps(t *testing.T) {
	labelled := testApplication("argocd", "billing", "default", "billing")
	labelled.SetLabels(map[string]string{"team": "payments"})
	f := newFakeAPI([]runtime.Object{testNamespace("argocd")}, labelled, testApplication("argocd", "guestbook", "default", "guestbook"))
	s := mustCollectApps(t, f.clients(), AppSelector{Namespace: "argocd", Selector: "team=payments"}, testCollectOptions())
	if got := appNames(s.Applications); !slices.Equal(got, []string{"argocd/billing"}) {
		t.Errorf("Applications %v, want [argocd/billing]", got)
	}
}
