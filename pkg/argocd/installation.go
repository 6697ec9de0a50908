package argocd

// Installation is one Argo CD installation of a cluster: its control
// namespace (where its controller, projects, cluster Secrets and argocd-cm
// live) and its settings.
type Installation struct {
	Namespace string
	Settings  Settings
}

// WatchingInstallation picks, among a cluster's installations, the one
// whose application-controller reconciles Applications in namespace ns:
// the installation in ns itself, else the first whose
// application.namespaces matches ns. Each controller only watches its own
// namespace and those patterns, so an app is judged against the projects,
// clusters and settings of that installation and of no other.
func WatchingInstallation(ns string, installations []Installation) (int, bool) {
	for i, in := range installations {
		if in.Namespace == ns {
			return i, true
		}
	}
	for i, in := range installations {
		if in.Settings.ReconcilesNamespace(in.Namespace, ns) {
			return i, true
		}
	}
	return -1, false
}
