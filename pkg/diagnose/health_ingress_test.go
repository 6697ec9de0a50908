package diagnose

import (
	"strings"
	"testing"

	networkingv1 "k8s.io/api/networking/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/argofix/kubectl-argofix/pkg/snapshot"
)

func TestIngressClassLine(t *testing.T) {
	withClass := testObject("networking.k8s.io/v1", "Ingress", "shop", "web", func(u *unstructured.Unstructured) {
		_ = unstructured.SetNestedField(u.Object, "nginx", "spec", "ingressClassName")
	})
	noClass := testObject("networking.k8s.io/v1", "Ingress", "shop", "web")
	nginx := networkingv1.IngressClass{ObjectMeta: metav1.ObjectMeta{Name: "nginx"}, Spec: networkingv1.IngressClassSpec{Controller: "k8s.io/ingress-nginx"}}
	traefik := networkingv1.IngressClass{ObjectMeta: metav1.ObjectMeta{Name: "traefik",
		Annotations: map[string]string{"ingressclass.kubernetes.io/is-default-class": "true"}}, Spec: networkingv1.IngressClassSpec{Controller: "traefik.io/ingress-controller"}}
	tests := []struct {
		name    string
		obj     *unstructured.Unstructured
		classes []networkingv1.IngressClass
		read    bool
		want    string
	}{
		{"the class exists: name its controller", withClass, []networkingv1.IngressClass{nginx}, true, "IngressClass nginx names controller k8s.io/ingress-nginx"},
		{"the class does not exist: nothing will ever serve it", withClass, []networkingv1.IngressClass{traefik}, true, "no IngressClass nginx exists: no controller serves this Ingress"},
		{"no class: the default one", noClass, []networkingv1.IngressClass{nginx, traefik}, true, "the default IngressClass is traefik (controller traefik.io/ingress-controller)"},
		{"no class and no default", noClass, []networkingv1.IngressClass{nginx}, true, "no IngressClass is marked default"},
		{"classes not read: no claim about them", withClass, nil, false, "spec.ingressClassName nginx: the controller of that class has not written"},
	}
	for _, tt := range tests {
		s := testSnapshot()
		s.IngressClasses, s.Read[snapshot.IngressClasses] = tt.classes, tt.read
		if got := ingressClassLine(s, tt.obj); !strings.Contains(got, tt.want) {
			t.Errorf("%s: %q lacks %q", tt.name, got, tt.want)
		}
	}
}
