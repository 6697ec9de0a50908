package snapshot

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"
)

// appsServer serves Applications in pages keyed by the continue token; a
// token in expire answers 410 Gone, as after an etcd compaction.
func appsServer(t *testing.T, pages map[string]string, expire string) (*httptest.Server, *[]string) {
	t.Helper()
	var seen []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		seen = append(seen, r.URL.RequestURI())
		cont := r.URL.Query().Get("continue")
		w.Header().Set("Content-Type", "application/json")
		if expire != "" && cont == expire {
			w.WriteHeader(http.StatusGone)
			fmt.Fprint(w, `{"kind":"Status","apiVersion":"v1","status":"Failure","reason":"Expired","code":410,"message":"too old resource version"}`)
			return
		}
		if r.URL.Query().Get("limit") == "" {
			cont = "full"
		}
		body, ok := pages[cont]
		if !ok {
			t.Errorf("unexpected request %s", r.URL.RequestURI())
			http.NotFound(w, r)
			return
		}
		fmt.Fprint(w, body)
	}))
	t.Cleanup(srv.Close)
	return srv, &seen
}

func appJSON(name, project string) string {
	return fmt.Sprintf(`{"apiVersion":"argoproj.io/v1alpha1","kind":"Application","metadata":{"name":%q,"namespace":"argocd"},"spec":{"project":%s,"destination":{"namespace":"a"}},"status":{"sync":{"status":"Synced"},"resources":[{"kind":"ConfigMap","version":"v1","name":"c","namespace":"a"}]}}`, name, project)
}

func page(cont string, items ...string) string {
	return fmt.Sprintf(`{"kind":"ApplicationList","apiVersion":"argoproj.io/v1alpha1","metadata":{"continue":%q},"items":[%s]}`, cont, strings.Join(items, ","))
}

func realClients(t *testing.T, host string) Clients {
	t.Helper()
	kube, err := kubernetes.NewForConfig(&rest.Config{Host: host})
	if err != nil {
		t.Fatal(err)
	}
	return Clients{Kube: kube}
}

func TestListApplicationsDecodesEveryPage(t *testing.T) {
	srv, seen := appsServer(t, map[string]string{
		"":   page("p2", appJSON("a1", `"default"`), appJSON("bad", `5`)),
		"p2": page("", appJSON("a2", `"team"`)),
	}, "")
	rec := newRecorder()
	apps, err := listApplications(context.Background(), realClients(t, srv.URL), "", rec)
	if err != nil {
		t.Fatal(err)
	}
	if len(apps) != 2 || apps[0].Name != "a1" || apps[1].Name != "a2" || apps[1].Spec.Project != "team" ||
		apps[0].Status.Resources[0].Kind != "ConfigMap" || apps[0].Spec.Destination.Namespace != "a" {
		t.Fatalf("decoded %+v", apps)
	}
	if len(rec.problems) != 1 || rec.problems[0].Verb != "decode" || !strings.Contains(rec.problems[0].Error, "argocd/bad") {
		t.Errorf("problems %+v, want one decode problem naming argocd/bad", rec.problems)
	}
	if len(*seen) != 2 || !strings.HasPrefix((*seen)[0], "/apis/argoproj.io/v1alpha1/applications?limit=500") ||
		!strings.Contains((*seen)[1], "continue=p2") {
		t.Errorf("requests %v, want two pages of 500", *seen)
	}
}

func TestListApplicationsRestartsWhenContinueExpires(t *testing.T) {
	srv, seen := appsServer(t, map[string]string{
		"":     page("p2", appJSON("a1", `"default"`)),
		"full": page("", appJSON("a1", `"default"`), appJSON("a2", `"default"`)),
	}, "p2")
	apps, err := listApplications(context.Background(), realClients(t, srv.URL), "argocd", newRecorder())
	if err != nil {
		t.Fatal(err)
	}
	if len(apps) != 2 {
		t.Fatalf("got %d apps after the restart, want 2 (no duplicates): %v", len(apps), *seen)
	}
	if !strings.HasPrefix((*seen)[0], "/apis/argoproj.io/v1alpha1/namespaces/argocd/applications") {
		t.Errorf("first request %s, want the namespaced path", (*seen)[0])
	}
}
