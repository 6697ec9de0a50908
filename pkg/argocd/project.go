package argocd

import metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

// AppProject is the part of argoproj.io/v1alpha1 AppProject argofix reads.
type AppProject struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata"`
	Spec              AppProjectSpec `json:"spec"`
}

// AppProjectSpec is what a project allows.
type AppProjectSpec struct {
	SourceRepos      []string      `json:"sourceRepos,omitempty"`
	Destinations     []Destination `json:"destinations,omitempty"`
	SourceNamespaces []string      `json:"sourceNamespaces,omitempty"`
}
