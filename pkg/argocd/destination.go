package argocd

import (
	"fmt"
	"strings"
)

// SameServer compares cluster URLs the way users write them, with or
// without a trailing slash.
func SameServer(a, b string) bool {
	return strings.TrimSuffix(a, "/") == strings.TrimSuffix(b, "/")
}

// IsInCluster tells whether a destination is the cluster Argo CD runs in
// (by the built-in name or URL): the only cluster whose live objects
// argofix can read.
func IsInCluster(d Destination) bool {
	return d.Name == InClusterName || d.Name == "" && SameServer(d.Server, InClusterServer)
}

// DestinationServer is the URL of the cluster a destination names, by URL
// or by name through the cluster Secrets, without a trailing slash; ok is
// false when a name matches no cluster.
func DestinationServer(d Destination, clusters []Cluster) (server string, ok bool) {
	if d.Server != "" {
		return strings.TrimSuffix(d.Server, "/"), true
	}
	for _, c := range clusters {
		if c.Name == d.Name {
			return strings.TrimSuffix(c.Server, "/"), true
		}
	}
	if d.Name == InClusterName {
		return InClusterServer, true
	}
	return "", false
}

// DestinationProblem says why a destination resolves to no cluster, or
// returns "" when it resolves. It follows Argo CD's own lookup: a cluster
// Secret wins over the built-in in-cluster entry, which argocd-cm may
// disable.
func DestinationProblem(d Destination, clusters []Cluster, inClusterEnabled bool) string {
	switch {
	case d.Server != "" && d.Name != "":
		return "destination sets both server and name; Argo CD accepts only one"
	case d.Server != "":
		for _, c := range clusters {
			if SameServer(c.Server, d.Server) {
				return ""
			}
		}
		if SameServer(d.Server, InClusterServer) {
			if inClusterEnabled {
				return ""
			}
			return fmt.Sprintf("destination server %s is the in-cluster destination, which argocd-cm disables (cluster.inClusterEnabled: \"false\")", d.Server)
		}
		return fmt.Sprintf("no cluster Secret has server %s", d.Server)
	case d.Name != "":
		for _, c := range clusters {
			if c.Name == d.Name {
				return ""
			}
		}
		if d.Name == InClusterName {
			if inClusterEnabled {
				return ""
			}
			return "destination name in-cluster refers to the in-cluster destination, which argocd-cm disables (cluster.inClusterEnabled: \"false\")"
		}
		return fmt.Sprintf("no cluster Secret has name %s", d.Name)
	default:
		return "destination sets neither server nor name"
	}
}
