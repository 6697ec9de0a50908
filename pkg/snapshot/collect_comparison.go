package snapshot

import (
	"context"
	"fmt"
	"strings"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"

	"github.com/argofix/kubectl-argofix/pkg/argocd"
)

// RepoServer is what governs manifest generation: the repo-server's
// replicas and environment, and the timeouts of its callers.
type RepoServer struct {
	// Workloads are the repo-server Deployments found (usually one).
	Workloads []RepoServerWorkload
	// Params are the argocd-cmd-params-cm keys about the repo-server that
	// are set (absent keys take Argo CD's defaults).
	Params map[string]string
}

// RepoServerWorkload is one repo-server Deployment.
type RepoServerWorkload struct {
	Name     string
	Replicas int32
	// Env holds the ARGOCD_* variables set literally on its containers.
	Env map[string]string
}

// RepoCredential is a repository or repo-creds Secret, without its values.
type RepoCredential struct {
	Name string
	// Type is repository (one repo) or repo-creds (a URL prefix).
	Type string
	URL  string
	// Keys are the credential fields it sets (username, password,
	// sshPrivateKey, ...), never their values.
	Keys []string
}

// RepoServerParams are the argocd-cmd-params-cm keys that govern manifest
// generation and its timeouts.
var RepoServerParams = []string{
	"controller.repo.server.timeout.seconds", "server.repo.server.timeout.seconds",
	"applicationsetcontroller.repo.server.timeout.seconds", "reposerver.parallelism.limit",
	"controller.repo.error.grace.period.seconds",
}

// collectComparison reads, only when a selected app has a ComparisonError
// that needs it, the repo-server's settings (timeouts, cached failures)
// or the repository credential Secrets (authentication).
func collectComparison(ctx context.Context, c Clients, s *Snapshot, rec *recorder) error {
	var timeouts, auth bool
	for _, app := range s.Applications {
		for _, cond := range app.Status.Conditions {
			if cond.Type != "ComparisonError" {
				continue
			}
			switch argocd.ComparisonCause(cond.Message) {
			case argocd.CauseTimeout, argocd.CauseCached:
				timeouts = true
			case argocd.CauseAuth:
				auth = true
			}
		}
	}
	if timeouts {
		if err := collectRepoServer(ctx, c, s, rec); err != nil {
			return err
		}
	}
	if auth {
		return collectRepoCredentials(ctx, c, s, rec)
	}
	return nil
}

func collectRepoServer(ctx context.Context, c Clients, s *Snapshot, rec *recorder) error {
	ns := s.ArgoCDNamespace
	deployments, err := listPaged[appsv1.Deployment](ctx, func(ctx context.Context, opts metav1.ListOptions) (runtime.Object, error) {
		return c.Kube.AppsV1().Deployments(ns).List(ctx, opts)
	}, metav1.ListOptions{LabelSelector: "app.kubernetes.io/name=argocd-repo-server"})
	if apierrors.IsForbidden(err) {
		rec.failed(ReadProblem{Verb: "list", Resource: "deployments.apps", Namespace: ns, Error: err.Error(), Source: RepoServerSettings})
		return nil
	}
	if err != nil {
		return fmt.Errorf("list repo-server Deployments%s: %w", inNamespace(ns), err)
	}
	rs := &RepoServer{Params: map[string]string{}}
	for _, d := range deployments {
		w := RepoServerWorkload{Name: d.Name, Replicas: 1, Env: map[string]string{}}
		if d.Spec.Replicas != nil {
			w.Replicas = *d.Spec.Replicas
		}
		for _, ctr := range d.Spec.Template.Spec.Containers {
			for _, e := range ctr.Env {
				if strings.HasPrefix(e.Name, "ARGOCD_") && e.ValueFrom == nil {
					w.Env[e.Name] = e.Value
				}
			}
		}
		rs.Workloads = append(rs.Workloads, w)
	}
	cm, err := c.Kube.CoreV1().ConfigMaps(ns).Get(ctx, argocd.CmdParamsConfigMap, metav1.GetOptions{})
	switch {
	case apierrors.IsForbidden(err):
		rec.failed(ReadProblem{Verb: "get", Resource: "configmaps", Namespace: ns, Error: err.Error(), Source: RepoServerSettings})
	case apierrors.IsNotFound(err):
	case err != nil:
		return fmt.Errorf("get ConfigMap %s/%s: %w", ns, argocd.CmdParamsConfigMap, err)
	default:
		for _, k := range RepoServerParams {
			if v, ok := cm.Data[k]; ok {
				rs.Params[k] = v
			}
		}
	}
	s.RepoServer = rs
	rec.done(RepoServerSettings)
	return nil
}

func collectRepoCredentials(ctx context.Context, c Clients, s *Snapshot, rec *recorder) error {
	ns := s.ArgoCDNamespace
	secrets, err := listPaged[corev1.Secret](ctx, func(ctx context.Context, opts metav1.ListOptions) (runtime.Object, error) {
		return c.Kube.CoreV1().Secrets(ns).List(ctx, opts)
	}, metav1.ListOptions{LabelSelector: "argocd.argoproj.io/secret-type in (repository,repo-creds)"})
	if apierrors.IsForbidden(err) {
		rec.failed(ReadProblem{Verb: "list", Resource: "secrets", Namespace: ns, Error: err.Error(), Source: RepoCredentials})
		return nil
	}
	if err != nil {
		return fmt.Errorf("list repository Secrets%s: %w", inNamespace(ns), err)
	}
	for _, sec := range secrets {
		cred := RepoCredential{Name: sec.Name, Type: sec.Labels["argocd.argoproj.io/secret-type"], URL: string(sec.Data["url"])}
		for _, k := range []string{"username", "password", "sshPrivateKey", "githubAppPrivateKey", "tlsClientCertData", "bearerToken"} {
			if len(sec.Data[k]) > 0 {
				cred.Keys = append(cred.Keys, k)
			}
		}
		s.RepoCredentials = append(s.RepoCredentials, cred)
	}
	rec.done(RepoCredentials)
	return nil
}
