package cli

import (
	"encoding/json"
	"fmt"

	"github.com/argofix/kubectl-argofix/pkg/argocd"
	"github.com/argofix/kubectl-argofix/pkg/report"
)

// withFixCommands points each fix's command at the argofix command that
// applies it under the guards; the kubectl form stays in Kubectl (shown by
// -o wide and in JSON) for people who want to do it by hand.
//
// Checks write advice as kubectl users type it ("kubectl argofix diagnose
// app ..."); run as `argocd argofix`, every such command in a summary,
// evidence line, fix description or command is spelled the argocd way.
func withFixCommands(r report.Report, displayName string) report.Report {
	for i := range r.Findings {
		f := &r.Findings[i]
		f.Summary = respell(f.Summary, displayName)
		for k := range f.Evidence {
			f.Evidence[k] = respell(f.Evidence[k], displayName)
		}
		for j := range f.Fixes {
			f.Fixes[j].Description = respell(f.Fixes[j].Description, displayName)
			if cmd := fixCommand(displayName, *f, f.Fixes[j]); cmd != "" {
				f.Fixes[j].Command = cmd
			} else {
				f.Fixes[j].Command = respell(f.Fixes[j].Command, displayName)
			}
		}
	}
	return r
}

// fixCommand is the argofix command that applies one fix of a finding;
// "" when no command applies it (advice for a person).
func fixCommand(dn string, f report.Finding, fix report.Fix) string {
	if len(fix.Actions) == 0 {
		return ""
	}
	var cmd string
	switch {
	case f.Object.Group == argocd.Group && f.Object.Kind == "Application":
		cmd = fmt.Sprintf("%s fix app %s -n %s --only %s", dn, f.Object.Name, f.Object.Namespace, fix.ID)
		if project := patchedProject(fix); fix.ID == "set-project" && project != "" {
			cmd += " --project " + project
		}
	case f.Object.Group == "" && f.Object.Kind == "Namespace":
		cmd = fmt.Sprintf("%s fix namespace %s --only %s", dn, f.Object.Name, fix.ID)
	case fix.ID == "remove-finalizers":
		cmd = dn + " finalizers -A"
	case installFixCommand(dn, f, fix) != "":
		cmd = installFixCommand(dn, f, fix)
	default:
		return ""
	}
	if fix.Force != "" {
		cmd += " --force"
	}
	return cmd
}

// patchedProject reads the project a set-project patch writes.
func patchedProject(fix report.Fix) string {
	var ops []struct {
		Op    string `json:"op"`
		Path  string `json:"path"`
		Value any    `json:"value"`
	}
	if json.Unmarshal(fix.Actions[0].Body, &ops) != nil {
		return ""
	}
	for _, op := range ops {
		if op.Path == "/spec/project" && op.Op != "test" {
			if s, ok := op.Value.(string); ok {
				return s
			}
		}
	}
	return ""
}
