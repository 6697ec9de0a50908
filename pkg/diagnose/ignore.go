package diagnose

import (
	"slices"
	"strings"

	corev1 "k8s.io/api/core/v1"

	"github.com/argofix/kubectl-argofix/pkg/argocd"
	"github.com/argofix/kubectl-argofix/pkg/report"
	"github.com/argofix/kubectl-argofix/pkg/snapshot"
)

// IgnoreAnnotation, on any object a finding is about, silences the finding
// ids it lists ("id,id"), for that object only. --ignore silences ids
// everywhere.
const IgnoreAnnotation = "argofix.dev/ignore"

// withoutIgnored drops the findings silenced by --ignore (s.Ignore) or by
// the annotation on their object. Run applies it to every check, so each
// honours both the same way.
func withoutIgnored(s *snapshot.Snapshot, findings []report.Finding) []report.Finding {
	return slices.DeleteFunc(findings, func(f report.Finding) bool {
		if slices.Contains(s.Ignore, f.ID) {
			return true
		}
		ann, ok := annotationsOf(s, f.Object)
		return ok && ignoreListed(ann[IgnoreAnnotation], f.ID)
	})
}

// ignoreListed tells whether the annotation's value lists id.
func ignoreListed(value, id string) bool {
	for _, v := range strings.Split(value, ",") {
		if strings.TrimSpace(v) == id {
			return true
		}
	}
	return false
}

// annotationsOf finds the object a finding is about among what the
// Snapshot read, and returns its annotations.
func annotationsOf(s *snapshot.Snapshot, ref report.ObjectRef) (map[string]string, bool) {
	is := func(group, kind, ns, name string) bool {
		return ref.Group == group && ref.Kind == kind && ref.Namespace == ns && ref.Name == name
	}
	switch {
	case ref.Group == "argoproj.io" && ref.Kind == "Application":
		for _, list := range [][]argocd.Application{s.Applications, s.AllApplications} {
			for i := range list {
				if a := &list[i]; a.Namespace == ref.Namespace && a.Name == ref.Name {
					return a.Annotations, true
				}
			}
		}
	case ref.Group == "argoproj.io" && ref.Kind == "AppProject":
		for _, p := range s.Projects {
			if p.Namespace == ref.Namespace && p.Name == ref.Name {
				return p.Annotations, true
			}
		}
	}
	in := &s.Install
	for i := range in.Deployments {
		if d := &in.Deployments[i]; is("apps", "Deployment", d.Namespace, d.Name) {
			return d.Annotations, true
		}
	}
	for i := range in.StatefulSets {
		if d := &in.StatefulSets[i]; is("apps", "StatefulSet", d.Namespace, d.Name) {
			return d.Annotations, true
		}
	}
	for _, cm := range in.ConfigMaps {
		if cm != nil && is("", "ConfigMap", cm.Namespace, cm.Name) {
			return cm.Annotations, true
		}
	}
	for i := range s.Namespaces {
		if n := &s.Namespaces[i]; is("", "Namespace", "", n.Name) {
			return n.Annotations, true
		}
	}
	for _, pods := range [][]corev1.Pod{s.Pods, in.Pods} {
		for i := range pods {
			if p := &pods[i]; is("", "Pod", p.Namespace, p.Name) {
				return p.Annotations, true
			}
		}
	}
	for i := range s.ArgoCRDs {
		if c := &s.ArgoCRDs[i]; is("apiextensions.k8s.io", "CustomResourceDefinition", "", c.GetName()) {
			return c.GetAnnotations(), true
		}
	}
	if obj := s.LiveByKey(snapshot.LiveKey{Group: ref.Group, Kind: ref.Kind, Namespace: ref.Namespace, Name: ref.Name}); obj != nil {
		return obj.GetAnnotations(), true
	}
	return nil, false
}
