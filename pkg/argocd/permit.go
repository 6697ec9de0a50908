package argocd

import (
	"regexp"
	"strings"
)

// Glob tells whether s matches pattern, where * matches any run of
// characters (slashes included) and ? one character, as Argo CD's
// glob.Match does for project rules.
func Glob(pattern, s string) bool {
	var re strings.Builder
	re.WriteString("^")
	for _, r := range pattern {
		switch r {
		case '*':
			re.WriteString(".*")
		case '?':
			re.WriteString(".")
		default:
			re.WriteString(regexp.QuoteMeta(string(r)))
		}
	}
	re.WriteString("$")
	ok, err := regexp.MatchString(re.String(), s)
	return err == nil && ok
}

// permitted evaluates allow and !deny patterns the way Argo CD's project
// rules do: a matching deny pattern refuses, else any matching allow
// pattern permits.
func permitted(patterns []string, match func(pattern string) bool) bool {
	allowed := false
	for _, p := range patterns {
		if deny, ok := strings.CutPrefix(p, "!"); ok {
			if match(deny) {
				return false
			}
			continue
		}
		if match(p) {
			allowed = true
		}
	}
	return allowed
}

// NormalizeRepoURL makes repo URLs comparable as Argo CD does: lower case,
// without a trailing slash or .git.
func NormalizeRepoURL(u string) string {
	u = strings.ToLower(strings.TrimSpace(u))
	u = strings.TrimSuffix(u, "/")
	return strings.TrimSuffix(u, ".git")
}

// PermitsRepo tells whether the project's spec.sourceRepos allow repo.
func (p *AppProject) PermitsRepo(repo string) bool {
	return permitted(p.Spec.SourceRepos, func(pattern string) bool {
		return Glob(NormalizeRepoURL(pattern), NormalizeRepoURL(repo))
	})
}

// PermitsDestination tells whether the project's spec.destinations allow
// d, whose server (when d names its cluster by name) is server.
func (p *AppProject) PermitsDestination(d Destination, server string) bool {
	allowed := false
	for _, rule := range p.Spec.Destinations {
		ns, denyNS := strings.CutPrefix(rule.Namespace, "!")
		srv, denySrv := strings.CutPrefix(rule.Server, "!")
		name, denyName := strings.CutPrefix(rule.Name, "!")
		clusterMatch := (rule.Server != "" && (Glob(srv, server) || Glob(srv, d.Server))) ||
			(rule.Name != "" && d.Name != "" && Glob(name, d.Name))
		nsMatch := Glob(ns, d.Namespace)
		if denyNS || denySrv || denyName {
			if clusterMatch && nsMatch {
				return false
			}
			continue
		}
		if clusterMatch && nsMatch {
			allowed = true
		}
	}
	return allowed
}

// PermitsSourceNamespace tells whether an Application in namespace ns may
// use the project (apps in the control namespace always may).
func (p *AppProject) PermitsSourceNamespace(controlNamespace, ns string) bool {
	if ns == controlNamespace || ns == "" {
		return true
	}
	return permitted(p.Spec.SourceNamespaces, func(pattern string) bool { return Glob(pattern, ns) })
}
