package snapshot

import (
	"context"
	"errors"
	"reflect"
	"slices"
	"testing"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
)

func testAppSet(ns, name string) *unstructured.Unstructured {
	return &unstructured.Unstructured{Object: map[string]any{
		"apiVersion": "argoproj.io/v1alpha1",
		"kind":       "ApplicationSet",
		"metadata":   map[string]any{"namespace": ns, "name": name},
	}}
}

// ownedBy adds an ApplicationSet owner reference to an Application.
func ownedBy(u *unstructured.Unstructured, set string) *unstructured.Unstructured {
	u.SetOwnerReferences(append(u.GetOwnerReferences(), metav1.OwnerReference{APIVersion: "argoproj.io/v1alpha1", Kind: "ApplicationSet", Name: set, UID: "u-1"}))
	return u
}

func appSetNames(s *Snapshot) []string {
	out := []string{}
	for _, a := range s.AppSets {
		out = append(out, a.Namespace+"/"+a.Name)
	}
	slices.Sort(out)
	return out
}

// appSetLists counts the LISTs of applicationsets, by namespace.
func appSetLists(f *fakeAPI) []string {
	var out []string
	for _, a := range f.dynamic.Actions() {
		if a.GetVerb() == "list" && a.GetResource().Resource == "applicationsets" {
			out = append(out, a.GetNamespace())
		}
	}
	return out
}

func TestCollectAppSetsScope(t *testing.T) {
	objects := func() []*unstructured.Unstructured {
		return []*unstructured.Unstructured{
			ownedBy(testApplication("argocd", "addons-dev", "default", "dev"), "addons"),
			testApplication("argocd", "guestbook", "default", "guestbook"),
			testAppSet("argocd", "addons"), testAppSet("argocd", "other"), testAppSet("team-a", "team-set"),
		}
	}
	newAPI := func() *fakeAPI {
		var dyn []runtime.Object
		for _, o := range objects() {
			dyn = append(dyn, o)
		}
		return newFakeAPI(nil, dyn...)
	}
	t.Run("diagnose app: the Argo CD namespace, only the sets owning the app", func(t *testing.T) {
		api := newAPI()
		s, err := CollectApp(context.Background(), api.clients(), AppTarget{Namespace: "argocd", Name: "addons-dev"}, testCollectOptions())
		if err != nil {
			t.Fatal(err)
		}
		if got := appSetNames(s); !reflect.DeepEqual(got, []string{"argocd/addons"}) || !s.Has(AppSets) {
			t.Errorf("AppSets = %v (read %v), want [argocd/addons]", got, s.Has(AppSets))
		}
		if got := appSetLists(api); !reflect.DeepEqual(got, []string{"argocd"}) {
			t.Errorf("applicationsets LISTs in %q, want one in argocd", got)
		}
	})
	t.Run("diagnose app of a set-less app: nothing", func(t *testing.T) {
		s, err := CollectApp(context.Background(), newAPI().clients(), AppTarget{Namespace: "argocd", Name: "guestbook"}, testCollectOptions())
		if err != nil {
			t.Fatal(err)
		}
		if got := appSetNames(s); len(got) != 0 {
			t.Errorf("AppSets = %v, want none", got)
		}
	})
	t.Run("diagnose apps -A: every namespace, one LIST", func(t *testing.T) {
		api := newAPI()
		s := mustCollectApps(t, api.clients(), AppSelector{AllNamespaces: true}, testCollectOptions())
		if got := appSetNames(s); !reflect.DeepEqual(got, []string{"argocd/addons", "argocd/other", "team-a/team-set"}) {
			t.Errorf("AppSets = %v", got)
		}
		if got := appSetLists(api); !reflect.DeepEqual(got, []string{""}) {
			t.Errorf("applicationsets LISTs in %q, want one cluster-wide", got)
		}
	})
	t.Run("a refused LIST skips only the ApplicationSets", func(t *testing.T) {
		api := newAPI()
		api.forbidDynamic("list", "applicationsets", nil)
		s, err := CollectApp(context.Background(), api.clients(), AppTarget{Namespace: "argocd", Name: "addons-dev"}, testCollectOptions())
		if err != nil {
			t.Fatal(err)
		}
		if s.Has(AppSets) || !s.Has(Projects) {
			t.Errorf("read AppSets %v, Projects %v; want false, true", s.Has(AppSets), s.Has(Projects))
		}
		want := []ReadProblem{{Verb: "list", Resource: "applicationsets.argoproj.io", Namespace: "argocd", Source: AppSets}}
		if got := problemsOf(t, s, AppSets); !reflect.DeepEqual(got, want) {
			t.Errorf("problems = %+v, want %+v", got, want)
		}
	})
	t.Run("-A refused cluster-wide: the Argo CD namespace, read in part", func(t *testing.T) {
		api := newAPI()
		api.forbidDynamic("list", "applicationsets", inNamespaceAction(""))
		s := mustCollectApps(t, api.clients(), AppSelector{AllNamespaces: true}, testCollectOptions())
		if got := appSetNames(s); !reflect.DeepEqual(got, []string{"argocd/addons", "argocd/other"}) || !s.Has(AppSets) {
			t.Errorf("AppSets = %v (read %v)", got, s.Has(AppSets))
		}
		if got := problemsOf(t, s, AppSets); len(got) != 1 || got[0].Namespace != "" {
			t.Errorf("problems = %+v, want the cluster-wide refusal", got)
		}
	})
}

func TestCollectAppSet(t *testing.T) {
	api := newFakeAPI(nil,
		ownedBy(testApplication("argocd", "addons-dev", "default", "dev"), "addons"),
		ownedBy(testApplication("argocd", "addons-prod", "default", "prod"), "addons"),
		testApplication("argocd", "guestbook", "default", "guestbook"),
		testAppSet("argocd", "addons"), testAppSet("argocd", "other"))
	s, err := CollectAppSet(context.Background(), api.clients(), AppSetTarget{Namespace: "argocd", Name: "addons"}, testCollectOptions())
	if err != nil {
		t.Fatal(err)
	}
	if got := appSetNames(s); !reflect.DeepEqual(got, []string{"argocd/addons"}) {
		t.Errorf("AppSets = %v, want only the one named", got)
	}
	var apps []string
	for _, a := range s.Applications {
		apps = append(apps, a.Name)
	}
	if !reflect.DeepEqual(apps, []string{"addons-dev", "addons-prod"}) || len(s.AllApplications) != 3 {
		t.Errorf("Applications = %v (of %d), want its two children of 3", apps, len(s.AllApplications))
	}
	if got := appSetLists(api); len(got) != 0 {
		t.Errorf("applicationsets LISTs %q, want none (the set was read by GET)", got)
	}

	_, err = CollectAppSet(context.Background(), api.clients(), AppSetTarget{Namespace: "argocd", Name: "adons"}, testCollectOptions())
	var notFound *AppSetNotFoundError
	if !errors.As(err, &notFound) || !reflect.DeepEqual(notFound.Closest, []string{"addons"}) || notFound.NotServed {
		t.Errorf("err = %v, want AppSetNotFoundError suggesting addons", err)
	}
}
