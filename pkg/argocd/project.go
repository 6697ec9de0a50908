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
	// ClusterResourceWhitelist and NamespaceResourceBlacklist say which
	// kinds the project's apps may deploy; SyncWindows when they may sync.
	ClusterResourceWhitelist   []GroupKind  `json:"clusterResourceWhitelist,omitempty"`
	NamespaceResourceBlacklist []GroupKind  `json:"namespaceResourceBlacklist,omitempty"`
	SyncWindows                []SyncWindow `json:"syncWindows,omitempty"`
}

// GroupKind is an entry of a project's resource allow or deny list; both
// fields may be globs.
type GroupKind struct {
	Group string `json:"group"`
	Kind  string `json:"kind"`
}

// SyncWindow is one entry of a project's spec.syncWindows.
type SyncWindow struct {
	Kind         string   `json:"kind"`
	Schedule     string   `json:"schedule"`
	Duration     string   `json:"duration"`
	Applications []string `json:"applications,omitempty"`
	Namespaces   []string `json:"namespaces,omitempty"`
	Clusters     []string `json:"clusters,omitempty"`
	ManualSync   bool     `json:"manualSync,omitempty"`
	TimeZone     string   `json:"timeZone,omitempty"`
	AndOperator  bool     `json:"andOperator,omitempty"`
}
