package controlplane

import (
	"fmt"
	"path/filepath"

	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/clientcmd"
	clientcmdapi "k8s.io/client-go/tools/clientcmd/api"
)

// writeKubeconfigs writes one kubeconfig per user and builds the admin
// rest.Config. Each file holds a single context so the plugin's messages
// name a context the test knows.
func (cp *ControlPlane) writeKubeconfigs() error {
	tokens := map[string]string{
		UserAdmin:   cp.pki.tokens[UserAdmin],
		UserReader:  cp.pki.tokens[UserReader],
		UserInvalid: cp.pki.invalidToken,
	}
	for user, token := range tokens {
		ctxName := ContextName
		if user != UserAdmin {
			ctxName = ContextName + "-" + user
		}
		path := filepath.Join(cp.dir, "kubeconfig-"+user)
		if err := WriteKubeconfig(path, ctxName, cp.host, cp.pki.caCertPEM, token); err != nil {
			return err
		}
		cp.kubeconfigs[user] = path
	}
	cp.AdminKubeconfig = cp.kubeconfigs[UserAdmin]
	cfg, err := clientcmd.BuildConfigFromFlags("", cp.AdminKubeconfig)
	if err != nil {
		return fmt.Errorf("loading admin kubeconfig: %w", err)
	}
	// Installing Argo CD sends a few hundred requests; client-go's default
	// 5 QPS would make that take a minute.
	cfg.QPS = 200
	cfg.Burst = 400
	// Argo CD's finalizer name draws a "prefer a domain-qualified
	// finalizer" warning on every create; it is expected and only noise.
	cfg.WarningHandler = rest.NoWarnings{}
	cp.restConfig = cfg
	return nil
}

// WriteKubeconfig writes a kubeconfig with one cluster, user and context,
// all named contextName, authenticating with a bearer token. Tests use it
// for kubeconfigs pointing at a port nothing listens on.
func WriteKubeconfig(path, contextName, server string, caPEM []byte, token string) error {
	cfg := clientcmdapi.NewConfig()
	cfg.Clusters[contextName] = &clientcmdapi.Cluster{Server: server, CertificateAuthorityData: caPEM}
	cfg.AuthInfos[contextName] = &clientcmdapi.AuthInfo{Token: token}
	cfg.Contexts[contextName] = &clientcmdapi.Context{Cluster: contextName, AuthInfo: contextName, Namespace: "default"}
	cfg.CurrentContext = contextName
	if err := clientcmd.WriteToFile(*cfg, path); err != nil {
		return fmt.Errorf("writing kubeconfig %s: %w", path, err)
	}
	return nil
}

// CACertPEM is the CA that signed the apiserver's serving certificate.
func (cp *ControlPlane) CACertPEM() []byte { return append([]byte(nil), cp.pki.caCertPEM...) }
