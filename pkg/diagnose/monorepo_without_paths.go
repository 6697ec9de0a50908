package diagnose

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/argofix/kubectl-argofix/pkg/argocd"
	"github.com/argofix/kubectl-argofix/pkg/report"
	"github.com/argofix/kubectl-argofix/pkg/snapshot"
)

// monorepoApps is how many apps on one repository make it a monorepo.
const monorepoApps = 10

// checkMonorepoWithoutPaths reports repositories that many apps share,
// most of them without argocd.argoproj.io/manifest-generate-paths: every
// commit to the repository then regenerates the manifests of every app on
// it, whatever path the commit touched.
func checkMonorepoWithoutPaths(s *snapshot.Snapshot) []report.Finding {
	byRepo := map[string][]*argocd.Application{}
	for _, a := range reconciledApps(s) {
		seen := map[string]bool{}
		for _, src := range appSources(a) {
			if key := repoKey(src); key != "" && !seen[key] {
				seen[key] = true
				byRepo[key] = append(byRepo[key], a)
			}
		}
	}
	obj := report.ObjectRef{Kind: "ConfigMap", Namespace: s.ArgoCDNamespace, Name: argocd.ConfigMapName}
	if c, ok := findComponent(s, argocd.ComponentRepoServer); ok {
		obj = c.Ref
	}
	var findings []report.Finding
	for _, repo := range slices.Sorted(maps.Keys(byRepo)) {
		apps := byRepo[repo]
		if len(apps) < monorepoApps {
			continue
		}
		var without []string
		for _, a := range apps {
			if strings.TrimSpace(a.Annotations[argocd.ManifestGeneratePathsAnnotation]) == "" {
				without = append(without, a.Namespace+"/"+a.Name)
			}
		}
		if 2*len(without) <= len(apps) {
			continue
		}
		slices.Sort(without)
		sample := without
		if len(sample) > 5 {
			sample = append(slices.Clone(sample[:5]), fmt.Sprintf("and %d more", len(without)-5))
		}
		findings = append(findings, report.Finding{ID: "monorepo-without-paths", Object: obj,
			Summary: fmt.Sprintf("%d Applications use repository %s and %d of them lack %s: every commit regenerates all their manifests",
				len(apps), repo, len(without), argocd.ManifestGeneratePathsAnnotation),
			Evidence: []string{
				fmt.Sprintf("repository %s: %d Applications", repo, len(apps)),
				fmt.Sprintf("without %s: %s", argocd.ManifestGeneratePathsAnnotation, strings.Join(sample, ", ")),
				fmt.Sprintf("annotate each app with the paths it is built from, e.g. kubectl annotate application NAME %s=.", argocd.ManifestGeneratePathsAnnotation),
				ignoreHint("monorepo-without-paths", obj),
			}})
	}
	return findings
}

// appSources are the repository URLs of an app (source or sources).
func appSources(a *argocd.Application) []string {
	var out []string
	if a.Spec.Source != nil {
		out = append(out, a.Spec.Source.RepoURL)
	}
	for _, src := range a.Spec.Sources {
		out = append(out, src.RepoURL)
	}
	return out
}

// repoKey normalises a repository URL the way people write it differently.
func repoKey(url string) string {
	url = strings.TrimSuffix(strings.TrimSuffix(strings.ToLower(strings.TrimSpace(url)), "/"), ".git")
	return url
}
