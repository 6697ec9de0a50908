package diagnose

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	corev1 "k8s.io/api/core/v1"

	"github.com/argofix/kubectl-argofix/pkg/report"
	"github.com/argofix/kubectl-argofix/pkg/snapshot"
)

// checkArgoCDConfigStale reports Argo CD components running with settings
// older than their ConfigMaps: argocd-cmd-params-cm keys (and the few
// argocd-cm keys such as timeout.reconciliation) reach the pods as
// environment variables, read once at start; a change applies only after
// a restart. argocd-cm and argocd-rbac-cm mounted or watched live need none.
// A component is stale when one of its pods started before the last change
// of a key it reads (the change time is the managedFields entry that owns
// the key, or the ConfigMap's creation). Only the components that read a
// changed key are named: the fix restarts exactly those.
func checkArgoCDConfigStale(s *snapshot.Snapshot) []report.Finding {
	changes := map[string]map[string]keyChange{}
	for name, cm := range s.Install.ConfigMaps {
		if cm != nil {
			changes[name] = keyChanges(cm)
		}
	}
	var findings []report.Finding
	for _, c := range components(s) {
		stale := staleReads(c, changes)
		if len(stale) == 0 {
			continue
		}
		newest := stale[0].change.At
		for _, r := range stale {
			if r.change.At.After(newest) {
				newest = r.change.At
			}
		}
		f := report.Finding{ID: "argocd-config-stale", Object: c.Ref,
			Since: timePtr(newest)}
		var keys []string
		for _, r := range stale {
			keys = append(keys, r.configMap+" "+r.key)
			f.Evidence = append(f.Evidence, r.evidence())
		}
		oldest := c.Pods[0]
		for i := range c.Pods {
			if podStart(&c.Pods[i]).Before(podStart(&oldest)) {
				oldest = c.Pods[i]
			}
		}
		f.Evidence = append(f.Evidence, fmt.Sprintf("pod %s started %s, before that change", oldest.Name, report.FormatTime(podStart(&oldest))))
		f.Summary = fmt.Sprintf("%s runs with settings older than %s: it reads them at start, so only a restart applies the change",
			c.Name, strings.Join(slices.Compact(keys), ", "))
		f.Fixes = []report.Fix{c.restartFix(s.Now, "its pods read the changed settings")}
		findings = append(findings, f)
	}
	return findings
}

// keyChange is when a ConfigMap key was last written, and by whom.
type keyChange struct {
	At      time.Time
	Manager string
}

// keyChanges dates each data key of a ConfigMap from its managedFields:
// the entry that owns a key wrote it last. Without managedFields every
// key dates from the ConfigMap's creation. "" dates the newest change of
// any key (for envFrom, which reads them all).
func keyChanges(cm *corev1.ConfigMap) map[string]keyChange {
	out := map[string]keyChange{}
	note := func(key string, ch keyChange) {
		if cur, ok := out[key]; !ok || ch.At.After(cur.At) {
			out[key] = ch
		}
	}
	for _, e := range cm.ManagedFields {
		if e.Time == nil || e.FieldsV1 == nil {
			continue
		}
		var fields map[string]json.RawMessage
		if json.Unmarshal(e.FieldsV1.GetRawBytes(), &fields) != nil {
			continue
		}
		var data map[string]json.RawMessage
		if json.Unmarshal(fields["f:data"], &data) != nil {
			continue
		}
		ch := keyChange{At: e.Time.Time, Manager: e.Manager}
		for k := range data {
			if key, ok := strings.CutPrefix(k, "f:"); ok {
				note(key, ch)
				note("", ch)
			}
		}
	}
	if len(cm.ManagedFields) == 0 {
		ch := keyChange{At: cm.CreationTimestamp.Time}
		for k := range cm.Data {
			note(k, ch)
		}
		note("", ch)
	}
	return out
}

// staleRead is one setting a component reads at start that changed after
// one of its pods started.
type staleRead struct {
	configMap, key, container, env string
	change                         keyChange
}

func (r staleRead) evidence() string {
	what := "data." + r.key
	how := "env " + r.env
	if r.key == "" {
		what, how = "its data", "envFrom"
	}
	by := ""
	if r.change.Manager != "" {
		by = " by " + r.change.Manager
	}
	return fmt.Sprintf("ConfigMap %s: %s last changed %s%s; container %s reads it as %s (at start only)",
		r.configMap, what, report.FormatTime(r.change.At), by, r.container, how)
}

// staleReads are the settings of c's pod template that changed after one
// of its pods started. Times are compared to the second, the precision of
// both.
func staleReads(c component, changes map[string]map[string]keyChange) []staleRead {
	if len(c.Pods) == 0 {
		return nil
	}
	oldest := podStart(&c.Pods[0])
	for i := range c.Pods {
		if t := podStart(&c.Pods[i]); t.Before(oldest) {
			oldest = t
		}
	}
	after := func(ch keyChange) bool { return ch.At.Truncate(time.Second).After(oldest.Truncate(time.Second)) }
	var out []staleRead
	for _, ctr := range append(slices.Clone(c.Template.Spec.InitContainers), c.Template.Spec.Containers...) {
		for _, e := range ctr.Env {
			ref := e.ValueFrom
			if ref == nil || ref.ConfigMapKeyRef == nil {
				continue
			}
			if ch, ok := changes[ref.ConfigMapKeyRef.Name][ref.ConfigMapKeyRef.Key]; ok && after(ch) {
				out = append(out, staleRead{configMap: ref.ConfigMapKeyRef.Name, key: ref.ConfigMapKeyRef.Key, container: ctr.Name, env: e.Name, change: ch})
			}
		}
		for _, from := range ctr.EnvFrom {
			if from.ConfigMapRef == nil {
				continue
			}
			if ch, ok := changes[from.ConfigMapRef.Name][""]; ok && after(ch) {
				out = append(out, staleRead{configMap: from.ConfigMapRef.Name, container: ctr.Name, change: ch})
			}
		}
	}
	return out
}
