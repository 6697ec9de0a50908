package diagnose

import (
	"testing"

	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/argofix/kubectl-argofix/pkg/argocd"
	"github.com/argofix/kubectl-argofix/pkg/snapshot"
)

func TestLiveObjectOnlyForThisCluster(t *testing.T) {
	web := argocd.ResourceStatus{Group: "apps", Kind: "Deployment", Namespace: "shop", Name: "web"}
	s := testSnapshot()
	s.LiveKinds = map[schema.GroupKind]bool{{Group: "apps", Kind: "Deployment"}: true}
	s.Live = map[snapshot.LiveKey][]byte{}
	local := testApp("local")
	remote := testApp("remote", func(a *argocd.Application) { a.Spec.Destination.Server = "https://prod-east.example.com" })
	if obj, known := s.LiveObject(&local, web); !known || obj != nil {
		t.Errorf("in-cluster app: known=%v obj=%v, want a known absence", known, obj)
	}
	if _, known := s.LiveObject(&remote, web); known {
		t.Error("a remote app's object was taken as read from this cluster")
	}
}

func TestManagedByPrefixPrefersTheLongestName(t *testing.T) {
	managed := map[workloadKey]bool{
		{Kind: "Deployment", Namespace: "shop", Name: "web"}:     true,
		{Kind: "Deployment", Namespace: "shop", Name: "web-api"}: true,
	}
	for i := 0; i < 20; i++ { // map order varies between runs
		k, ok := managedByPrefix(managed, "shop", "web-api-5d8f7c-abcde", func(string) bool { return true })
		if !ok || k.Name != "web-api" {
			t.Fatalf("got %v %v, want web-api", k, ok)
		}
	}
}
