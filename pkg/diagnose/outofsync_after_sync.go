package diagnose

import (
	"encoding/json"
	"fmt"
	"path"
	"slices"
	"sort"
	"strings"

	"github.com/argofix/kubectl-argofix/pkg/argocd"
	"github.com/argofix/kubectl-argofix/pkg/report"
	"github.com/argofix/kubectl-argofix/pkg/snapshot"
)

// respectIgnoreDifferences makes a sync keep the live values of ignored
// fields; without it a sync writes them back.
const respectIgnoreDifferences = "RespectIgnoreDifferences=true"

// checkOutOfSyncAfterSync reports apps that are OutOfSync although their
// last sync Succeeded for the revision they are compared with: the
// difference is not in Git but in the cluster. For each OutOfSync object
// it names the fields that moved after Argo CD applied them and the field
// manager that owns each now, and offers the exact ignoreDifferences.
func checkOutOfSyncAfterSync(s *snapshot.Snapshot) []report.Finding {
	var findings []report.Finding
	for i := range s.Applications {
		app := &s.Applications[i]
		op := app.Status.OperationState
		if app.Status.Sync.Status != "OutOfSync" || app.DeletionTimestamp != nil || app.Operation != nil ||
			op == nil || op.Phase != argocd.PhaseSucceeded || op.SyncResult == nil || op.FinishedAt == nil ||
			op.SyncResult.Revision == "" || op.SyncResult.Revision != app.Status.Sync.Revision {
			continue
		}
		var evidence []string
		var entries []argocd.ResourceIgnoreDifferences
		var names []string
		for _, r := range app.Status.Resources {
			if r.Status != "OutOfSync" || r.Hook {
				continue
			}
			obj, known := s.LiveObject(app, r)
			if !known || obj == nil {
				continue
			}
			drift, method, ok := appliedDrift(obj, op.FinishedAt.Time)
			if !ok {
				continue
			}
			drift = slices.DeleteFunc(drift, func(d fieldDrift) bool { return ignored(app, r, d) })
			if len(drift) == 0 {
				continue
			}
			ref := report.ObjectRef{Group: r.Group, Kind: r.Kind, Namespace: r.Namespace, Name: r.Name}
			names = append(names, r.Kind+" "+r.Name)
			evidence = append(evidence, fmt.Sprintf("%s is OutOfSync; compared with %s:", ref, method))
			for _, d := range drift {
				evidence = append(evidence, "  "+d.evidence())
			}
			if e, ok := ignoreEntry(r, drift); ok {
				entries = append(entries, e)
			}
		}
		if len(names) == 0 {
			continue
		}
		f := report.Finding{ID: "outofsync-after-sync", Object: appRef(app),
			Since: timePtr(op.FinishedAt.Time)}
		f.Summary = fmt.Sprintf("app is OutOfSync although its last sync of revision %s succeeded at %s: %s changed in the cluster after Argo CD applied them, not in Git",
			shortRevision(app.Status.Sync.Revision), report.FormatTime(op.FinishedAt.Time), strings.Join(names, ", "))
		f.Evidence = append([]string{fmt.Sprintf("status.sync.status OutOfSync at revision %s; status.operationState.phase Succeeded, finished %s, for the same revision",
			app.Status.Sync.Revision, report.FormatTime(op.FinishedAt.Time))}, evidence...)
		if len(entries) > 0 {
			f.Fixes = []report.Fix{ignoreDifferencesFix(app, entries)}
		}
		findings = append(findings, f)
	}
	return findings
}

func shortRevision(rev string) string {
	if len(rev) > 10 {
		return rev[:10]
	}
	return rev
}

func (d fieldDrift) evidence() string {
	line := fmt.Sprintf("%s: applied %s, live %s", d.Pointer, jsonValue(d.Applied), jsonValue(d.Live))
	switch {
	case d.Note != "":
		line += "; " + d.Note
	case d.Manager != "" && d.At != nil:
		line += fmt.Sprintf("; owned by field manager %s since %s", d.Manager, report.FormatTime(*d.At))
	case d.Manager != "":
		line += "; owned by field manager " + d.Manager
	default:
		line += "; no field manager owns it (defaulted or dropped by the API server)"
	}
	return line
}

// jsonValue renders a field's value as JSON; "(unset)" when absent.
func jsonValue(v any) string {
	if v == nil {
		return "(unset)"
	}
	out, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprint(v)
	}
	return string(out)
}

// ignored tells whether the app's ignoreDifferences already cover a field.
func ignored(app *argocd.Application, r argocd.ResourceStatus, d fieldDrift) bool {
	for _, e := range app.Spec.IgnoreDifferences {
		if !ignoreMatches(e, r) {
			continue
		}
		if d.Manager != "" && slices.Contains(e.ManagedFieldsManagers, d.Manager) {
			return true
		}
		for _, p := range e.JSONPointers {
			if d.Pointer == p || strings.HasPrefix(d.Pointer, strings.TrimSuffix(p, "/")+"/") {
				return true
			}
		}
	}
	return false
}

func ignoreMatches(e argocd.ResourceIgnoreDifferences, r argocd.ResourceStatus) bool {
	match := func(pattern, v string) bool {
		if pattern == "" {
			return true
		}
		ok, err := path.Match(pattern, v)
		return err == nil && ok
	}
	return e.Group == r.Group && match(e.Kind, r.Kind) && match(e.Name, r.Name) && match(e.Namespace, r.Namespace)
}

// ignoreEntry is the ignoreDifferences entry for one object's drift: the
// fields' JSON pointers and, when exactly one specific foreign manager owns
// every changed field, that manager too. The pointers are always there:
// the real v2.14.21 controller, comparing a client-side apply, stayed
// OutOfSync with managedFieldsManagers alone (test/e2ereal/OBSERVED.md).
// Normalised quantities are not ignored: the manifest should spell them as
// the API server does.
func ignoreEntry(r argocd.ResourceStatus, drift []fieldDrift) (argocd.ResourceIgnoreDifferences, bool) {
	e := argocd.ResourceIgnoreDifferences{Group: r.Group, Kind: r.Kind, Name: r.Name, Namespace: r.Namespace}
	managers := map[string]bool{}
	for _, d := range drift {
		if d.Note != "" {
			continue
		}
		managers[d.Manager] = true
		e.JSONPointers = append(e.JSONPointers, d.Pointer)
	}
	if len(e.JSONPointers) == 0 {
		return e, false
	}
	if len(managers) == 1 {
		for m := range managers {
			if !genericManagers[m] && !argoCDManagers[m] {
				e.ManagedFieldsManagers = []string{m}
			}
		}
	}
	sort.Strings(e.JSONPointers)
	return e, true
}

// ignoreDifferencesFix patches the Application: the new ignoreDifferences
// entries and RespectIgnoreDifferences=true, each list replaced whole and
// bound by a test to its value as diagnosed (null when absent), so that
// undo restores it and a concurrent edit is a conflict.
func ignoreDifferencesFix(app *argocd.Application, entries []argocd.ResourceIgnoreDifferences) report.Fix {
	ops := []map[string]any{{"op": "test", "path": "/metadata/uid", "value": string(app.UID)}}
	var current any
	if len(app.Spec.IgnoreDifferences) > 0 {
		current = app.Spec.IgnoreDifferences
	}
	next := append(slices.Clone(app.Spec.IgnoreDifferences), entries...)
	ops = append(ops,
		map[string]any{"op": "test", "path": "/spec/ignoreDifferences", "value": current},
		map[string]any{"op": "add", "path": "/spec/ignoreDifferences", "value": next})
	sp := app.Spec.SyncPolicy
	switch {
	case sp == nil:
		ops = append(ops,
			map[string]any{"op": "test", "path": "/spec/syncPolicy", "value": nil},
			map[string]any{"op": "add", "path": "/spec/syncPolicy", "value": map[string]any{"syncOptions": []string{respectIgnoreDifferences}}})
	case !slices.Contains(sp.SyncOptions, respectIgnoreDifferences):
		var cur any
		if len(sp.SyncOptions) > 0 {
			cur = sp.SyncOptions
		}
		ops = append(ops,
			map[string]any{"op": "test", "path": "/spec/syncPolicy/syncOptions", "value": cur},
			map[string]any{"op": "add", "path": "/spec/syncPolicy/syncOptions", "value": append(slices.Clone(sp.SyncOptions), respectIgnoreDifferences)})
	}
	var what []string
	for _, e := range entries {
		how := "jsonPointers " + strings.Join(e.JSONPointers, ", ")
		if len(e.ManagedFieldsManagers) > 0 {
			how += " and the fields of manager " + strings.Join(e.ManagedFieldsManagers, ", ")
		}
		what = append(what, fmt.Sprintf("%s %s: %s", e.Kind, e.Name, how))
	}
	return report.NewFix("ignore-differences", "medium",
		fmt.Sprintf("make Argo CD ignore what others change after it applies (%s) and keep those live values on sync (%s); a later change of these fields in Git is then ignored too",
			strings.Join(what, "; "), respectIgnoreDifferences),
		report.JSONPatchAction(argocd.ApplicationsResource, appRef(app), ops))
}
