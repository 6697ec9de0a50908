package snapshot

import (
	"context"
	"encoding/json"
	"fmt"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/rest"

	"github.com/tidwall/gjson"

	"github.com/argofix/kubectl-argofix/pkg/argocd"
)

// listApplications reads the Applications of ns (all with "") page by
// page and decodes each item straight from its JSON into argocd.Application,
// never holding a page, let alone the whole list, as unstructured maps:
// at 5,000 Applications that was most of the time and memory of
// `diagnose -A`. One malformed Application is reported and skipped.
// Clients without a REST transport (the fakes of pure tests) take the
// dynamic client's path, which decodes the same fields.
func listApplications(ctx context.Context, c Clients, ns string, rec *recorder) ([]argocd.Application, error) {
	rc := restClientOf(c)
	if rc == nil {
		list, err := listAll(ctx, c.Dynamic.Resource(argocd.ApplicationsResource).Namespace(ns), metav1.ListOptions{})
		if err != nil {
			return nil, err
		}
		return decodeApplications(list, rec), nil
	}
	path := "/apis/" + argocd.Group + "/" + argocd.ApplicationsResource.Version
	if ns != metav1.NamespaceAll {
		path += "/namespaces/" + ns
	}
	path += "/" + argocd.ApplicationsResource.Resource
	var apps []argocd.Application
	var problems []ReadProblem
	err := getPages(ctx, rc, path, nil, func(data []byte) (string, error) {
		return decodeApplicationsPage(data, &apps, &problems)
	}, func() { apps, problems = nil, nil })
	if err != nil {
		return nil, err
	}
	for _, p := range problems {
		rec.failed(p)
	}
	return apps, nil
}

// decodeApplicationsPage appends the page's Applications to apps and
// returns its continue token. Their managedFields are dropped: no check
// reads an Application's, and they held 8 MB at 5,000 apps. The whole page is decoded in one pass; only
// when that fails is it decoded again item by item, so that one malformed
// Application is reported and skipped.
func decodeApplicationsPage(data []byte, apps *[]argocd.Application, problems *[]ReadProblem) (string, error) {
	var page struct {
		Metadata metav1.ListMeta      `json:"metadata"`
		Items    []argocd.Application `json:"items"`
	}
	if err := json.Unmarshal(data, &page); err == nil {
		if *apps == nil && page.Metadata.RemainingItemCount != nil {
			// The whole list at once, not by doubling.
			*apps = make([]argocd.Application, 0, len(page.Items)+int(min(*page.Metadata.RemainingItemCount, 1<<20)))
		}
		for i := range page.Items {
			page.Items[i].ManagedFields = nil
		}
		*apps = append(*apps, page.Items...)
		return page.Metadata.Continue, nil
	}
	var raw struct {
		Metadata metav1.ListMeta   `json:"metadata"`
		Items    []json.RawMessage `json:"items"`
	}
	if err := json.Unmarshal(data, &raw); err != nil {
		return "", fmt.Errorf("decode list of Applications: %w", err)
	}
	for _, item := range raw.Items {
		app, err := argocd.DecodeApplicationJSON(item)
		if err != nil {
			*problems = append(*problems, ReadProblem{Verb: "decode", Resource: "applications.argoproj.io",
				Namespace: gjson.GetBytes(item, "metadata.namespace").Str, Error: err.Error()})
			continue
		}
		app.ManagedFields = nil
		*apps = append(*apps, app)
	}
	return raw.Metadata.Continue, nil
}

// restClientOf is the REST client behind a real clientset, nil for fakes.
func restClientOf(c Clients) *rest.RESTClient {
	if c.Kube == nil {
		return nil
	}
	rc, ok := c.Kube.CoreV1().RESTClient().(*rest.RESTClient)
	if !ok || rc == nil || rc.Client == nil {
		return nil
	}
	return rc
}
