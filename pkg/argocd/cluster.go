package argocd

import (
	corev1 "k8s.io/api/core/v1"
)

// Labels and values that mark Argo CD's Secrets.
const (
	SecretTypeLabel   = "argocd.argoproj.io/secret-type"
	SecretTypeCluster = "cluster"
)

// InClusterServer is the URL Argo CD uses for the cluster it runs in.
const InClusterServer = "https://kubernetes.default.svc"

// InClusterName is the name Argo CD gives the in-cluster destination.
const InClusterName = "in-cluster"

// Cluster is a destination cluster registered through a cluster Secret.
type Cluster struct {
	SecretNamespace string
	SecretName      string
	Server          string
	Name            string
	Project         string
	Shard           string
	// Credential is how the Secret's config authenticates (never the secret itself).
	Credential ClusterCredential
}

// ClusterFromSecret reads a cluster Secret. It reports false when the
// Secret is not a cluster Secret or has no server URL.
func ClusterFromSecret(s *corev1.Secret) (Cluster, bool) {
	if s.Labels[SecretTypeLabel] != SecretTypeCluster {
		return Cluster{}, false
	}
	server := string(s.Data["server"])
	if server == "" {
		return Cluster{}, false
	}
	return Cluster{
		SecretNamespace: s.Namespace,
		SecretName:      s.Name,
		Server:          server,
		Name:            string(s.Data["name"]),
		Project:         string(s.Data["project"]),
		Shard:           string(s.Data["shard"]),
		Credential:      CredentialFromConfig(s.Data["config"]),
	}, true
}
