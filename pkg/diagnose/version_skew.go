package diagnose

import (
	"fmt"
	"slices"
	"strings"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/argofix/kubectl-argofix/pkg/argocd"
	"github.com/argofix/kubectl-argofix/pkg/report"
	"github.com/argofix/kubectl-argofix/pkg/snapshot"
)

// checkVersionSkew reports an installation out of step with itself or its
// cluster: the Argo CD version (from the components' images) against the
// Kubernetes versions that release was tested with, components running
// different releases (an upgrade half done), and CRDs older than the
// components (Helm does not upgrade CRDs): a field the running version
// writes that the installed schema lacks is pruned by the API server.
func checkVersionSkew(s *snapshot.Snapshot) []report.Finding {
	comps := components(s)
	type running struct {
		c component
		v argocd.Version
	}
	var runs []running
	for _, c := range comps {
		for _, ctr := range c.Template.Spec.Containers {
			if v, ok := argocd.ImageVersion(ctr.Image); ok {
				runs = append(runs, running{c, v})
				break
			}
		}
	}
	if len(runs) == 0 {
		return nil
	}
	// The controller's version is the installation's; else the newest.
	main := runs[0]
	for _, r := range runs {
		if r.c.Name == argocd.ComponentController || main.c.Name != argocd.ComponentController && main.v.Less(r.v) {
			main = r
		}
	}
	var findings []report.Finding
	for _, r := range runs {
		if r.v != main.v {
			findings = append(findings, report.Finding{ID: "version-skew", Object: r.c.Ref,
				Summary: fmt.Sprintf("%s runs Argo CD %s while %s runs %s: an upgrade half done", r.c.Name, r.v, main.c.Name, main.v),
				Evidence: []string{
					fmt.Sprintf("%s %s: image %s", r.c.Ref.Kind, r.c.Ref.Name, imageOf(r.c)),
					fmt.Sprintf("%s %s: image %s", main.c.Ref.Kind, main.c.Ref.Name, imageOf(main.c)),
				}})
		}
	}
	if f, ok := kubernetesSkew(s, main.c, main.v); ok {
		findings = append(findings, f)
	}
	return append(findings, crdSkew(s, main.c, main.v)...)
}

func imageOf(c component) string {
	for _, ctr := range c.Template.Spec.Containers {
		if _, ok := argocd.ImageVersion(ctr.Image); ok {
			return ctr.Image
		}
	}
	return ""
}

// kubernetesSkew compares the cluster's version with the range the Argo CD
// release was tested with.
func kubernetesSkew(s *snapshot.Snapshot, c component, v argocd.Version) (report.Finding, bool) {
	kube, ok := argocd.ParseVersion(s.Install.ServerVersion)
	if !ok || kube.Major != 1 {
		return report.Finding{}, false
	}
	oldest, newest, known := argocd.TestedKubernetes(v)
	if !known || kube.Minor >= oldest && kube.Minor <= newest {
		return report.Finding{}, false
	}
	side := "newer than the newest"
	if kube.Minor < oldest {
		side = "older than the oldest"
	}
	return report.Finding{ID: "version-skew", Object: c.Ref, Summary: fmt.Sprintf("Kubernetes %s is %s version Argo CD %s was tested with (v1.%d to v1.%d)", s.Install.ServerVersion, side, v.MinorString(), oldest, newest),
		Evidence: []string{
			fmt.Sprintf("%s %s: image %s", c.Ref.Kind, c.Ref.Name, imageOf(c)),
			fmt.Sprintf("kube-apiserver: gitVersion %s", s.Install.ServerVersion),
			fmt.Sprintf("Argo CD's tested versions for %s: Kubernetes v1.%d to v1.%d", v.MinorString(), oldest, newest),
			ignoreHint("version-skew", c.Ref),
		}}, true
}

// crdSkew reports the CRD fields the running version has that the
// installed schema lacks.
func crdSkew(s *snapshot.Snapshot, c component, v argocd.Version) []report.Finding {
	var findings []report.Finding
	for i := range s.ArgoCRDs {
		crd := &s.ArgoCRDs[i]
		var missing []string
		var since argocd.Version
		for _, field := range argocd.CRDFields {
			if field.CRD != crd.GetName() || v.Less(field.Since) || schemaHas(crd, field.Path) {
				continue
			}
			missing = append(missing, strings.Join(field.Path, "."))
			if since.Less(field.Since) {
				since = field.Since
			}
		}
		if len(missing) == 0 {
			continue
		}
		slices.Sort(missing)
		findings = append(findings, report.Finding{ID: "version-skew", Object: report.ObjectRef{Group: "apiextensions.k8s.io", Kind: "CustomResourceDefinition", Name: crd.GetName()},
			Summary: fmt.Sprintf("CRD %s is older than Argo CD %s: its schema lacks %s, so the API server drops what the controller writes there",
				crd.GetName(), v, strings.Join(missing, ", ")),
			Evidence: []string{
				fmt.Sprintf("CustomResourceDefinition %s: openAPIV3Schema has no %s (in Argo CD's CRD since v%s)", crd.GetName(), strings.Join(missing, ", "), since.MinorString()),
				fmt.Sprintf("%s %s: image %s", c.Ref.Kind, c.Ref.Name, imageOf(c)),
				fmt.Sprintf("apply the CRDs of the running release: kubectl apply --server-side -k 'https://github.com/argoproj/argo-cd/manifests/crds?ref=%s'", v),
			}})
	}
	return findings
}

// schemaHas tells whether every served version's schema of the CRD has the
// properties path.
func schemaHas(crd *unstructured.Unstructured, path []string) bool {
	versions, _, _ := unstructured.NestedSlice(crd.Object, "spec", "versions")
	found := false
	for _, ver := range versions {
		vm, ok := ver.(map[string]any)
		if !ok || vm["served"] != true {
			continue
		}
		fields := []string{"schema", "openAPIV3Schema"}
		for _, p := range path {
			fields = append(fields, "properties", p)
		}
		if _, ok, _ := unstructured.NestedMap(vm, fields...); !ok {
			return false
		}
		found = true
	}
	return found
}
