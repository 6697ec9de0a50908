package e2ereal

import (
	"context"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/types"

	"github.com/argofix/kubectl-argofix/test/realargocd"
)

// appSetCase is one ApplicationSet given to the real
// applicationset-controller, and what it must write.
type appSetCase struct {
	name       string
	generators []any
	// template is spec.template; nil means the list template of listTemplate.
	template map[string]any
	// reason is the ErrorOccurred reason the controller must write; ""
	// for a set it accepts (ResourcesUpToDate True, no finding).
	reason string
	// message is a part of the controller's message the case is about.
	message string
	// apps are Applications the controller must create in spite of the
	// error (the parameter sets that are valid).
	apps []string
}

// appSetCond is one entry of an ApplicationSet's status.conditions.
type appSetCond struct {
	Type    string `json:"type"`
	Status  string `json:"status"`
	Reason  string `json:"reason"`
	Message string `json:"message"`
}

// The real v2.14.21 applicationset-controller (started for this test only)
// reconciles ApplicationSets that fail the ways users hit; the plugin must
// report each with the controller's own message, and stay silent on the
// set it accepts. What v2.14.21 wrote is in OBSERVED.md ("ApplicationSets
// through the real applicationset-controller").
func TestRealAppSetErrors(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	repo, err := realargocd.NewRepoFromDir(ctx, filepath.Join(env.repoRoot, "test", "scenarios", "real-healthy", "repo"), filepath.Join(env.gitDir, "real-appset-errors"))
	if err != nil {
		t.Fatal(err)
	}
	const destNS = "real-appset-errors"
	listTemplate := func(name, project string, dest map[string]any) map[string]any {
		if dest == nil {
			dest = map[string]any{"server": realargocd.InClusterServer, "namespace": destNS}
		}
		return map[string]any{
			"metadata": map[string]any{"name": name},
			"spec": map[string]any{
				"project":     project,
				"source":      map[string]any{"repoURL": repo.URL, "path": ".", "targetRevision": realargocd.Branch},
				"destination": dest,
			},
		}
	}
	list := func(elements ...map[string]any) []any {
		els := make([]any, 0, len(elements))
		for _, e := range elements {
			els = append(els, e)
		}
		return []any{map[string]any{"list": map[string]any{"elements": els}}}
	}
	el := func(kv ...string) map[string]any {
		m := map[string]any{}
		for i := 0; i+1 < len(kv); i += 2 {
			m[kv[i]] = kv[i+1]
		}
		return m
	}
	cases := []appSetCase{{
		// One parameter set names a project that does not exist; "old" is
		// dropped later to see whether the controller still deletes.
		name:       "appset-real-project",
		generators: list(el("env", "dev", "project", "default"), el("env", "prod", "project", "no-such-project"), el("env", "old", "project", "default")),
		template:   listTemplate("appset-real-project-{{env}}", "{{project}}", nil),
		reason:     "ApplicationValidationError",
		message:    "application references project no-such-project which does not exist",
		apps:       []string{"appset-real-project-dev", "appset-real-project-old"},
	}, {
		// Two parameter sets render the same name.
		name:       "appset-real-duplicate",
		generators: list(el("env", "dev"), el("env", "prod")),
		template:   listTemplate("appset-real-duplicate-app", "default", nil),
		reason:     "ApplicationValidationError",
		message:    "ApplicationSet appset-real-duplicate contains applications with duplicate name: appset-real-duplicate-app",
		apps:       []string{"appset-real-duplicate-app"},
	}, {
		// A destination cluster name nobody registered.
		name:       "appset-real-cluster",
		generators: list(el("env", "dev")),
		template:   listTemplate("appset-real-cluster-{{env}}", "default", map[string]any{"name": "no-such-cluster", "namespace": destNS}),
		reason:     "ApplicationValidationError",
		message:    "application destination spec is invalid",
	}, {
		// An uppercase name: the API server refuses the Application.
		name:       "appset-real-uppercase",
		generators: list(el("env", "dev"), el("env", "Prod")),
		template:   listTemplate("appset-real-uppercase-{{env}}", "default", nil),
		reason:     "UpdateApplicationError",
		message:    "appset-real-uppercase-Prod",
		apps:       []string{"appset-real-uppercase-dev"},
	}, {
		// A Git generator on a repository that does not exist: the
		// repo-server's error, nothing generated.
		name: "appset-real-git",
		generators: []any{map[string]any{"git": map[string]any{
			"repoURL":     "file://" + filepath.Join(env.gitDir, "no-such-repo", ".git"),
			"revision":    realargocd.Branch,
			"directories": []any{map[string]any{"path": "*"}},
		}}},
		template: listTemplate("appset-real-git-{{path.basename}}", "default", nil),
		reason:   "ApplicationGenerationFromParamsError",
		// The repo-server's error does not name the repository.
		message: "failed to list refs: repository not found",
	}, {
		// Accepted: must not be reported.
		name:       "appset-real-ok",
		generators: list(el("env", "dev")),
		template:   listTemplate("appset-real-ok-{{env}}", "default", nil),
		apps:       []string{"appset-real-ok-dev"},
	}}

	sets := env.apps.Dynamic().Resource(realargocd.ApplicationSetGVR).Namespace(argocdNS)
	// Registered first, so it runs last: after the controller is stopped.
	// The garbage collector then removes the generated Applications.
	t.Cleanup(func() {
		for _, c := range cases {
			err := sets.Delete(context.Background(), c.name, metav1.DeleteOptions{})
			if err != nil && !apierrors.IsNotFound(err) {
				t.Errorf("deleting ApplicationSet %s: %v", c.name, err)
			}
		}
	})
	began := time.Now()
	ctrl, err := env.argo.StartAppSetController(ctx)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := ctrl.Stop(); err != nil {
			t.Errorf("stopping applicationset-controller: %v", err)
		}
		if t.Failed() {
			t.Logf("applicationset-controller log: %s (kept with the tier's work dir on failure)", env.argo.AppSetControllerLog())
		}
	})
	for _, c := range cases {
		obj := &unstructured.Unstructured{Object: map[string]any{
			"apiVersion": "argoproj.io/v1alpha1",
			"kind":       "ApplicationSet",
			"metadata":   map[string]any{"name": c.name, "namespace": argocdNS},
			"spec":       map[string]any{"generators": c.generators, "template": c.template},
		}}
		if _, err := sets.Create(ctx, obj, metav1.CreateOptions{FieldManager: realargocd.FieldManager}); err != nil {
			t.Fatalf("creating ApplicationSet %s: %v", c.name, err)
		}
	}

	// What the controller wrote, per set, once it has judged it.
	written := map[string][]appSetCond{}
	for _, c := range cases {
		var last *unstructured.Unstructured
		poll(t, "the applicationset-controller's status on "+c.name, waitStatus, func(ctx context.Context) (bool, error) {
			u, err := sets.Get(ctx, c.name, metav1.GetOptions{})
			if err != nil {
				return false, err
			}
			last = u
			conds := appSetConditions(t, u)
			if c.reason == "" {
				return hasAppSetCond(conds, "ResourcesUpToDate", "True", ""), nil
			}
			return hasAppSetCond(conds, "ErrorOccurred", "True", c.reason), nil
		})
		written[c.name] = appSetConditions(t, last)
		t.Logf("OBSERVED after %s, ApplicationSet %s:\n%s", time.Since(began).Round(time.Millisecond), c.name, describeAppSet(last))
		for _, app := range c.apps {
			waitApp(t, env.apps, app, "Application "+app+" generated by "+c.name, func(u *unstructured.Unstructured) bool { return u != nil }, waitStatus)
		}
	}
	logEvents(t, argocdNS, "appset-real-uppercase")

	// With the validation error still there, drop the "old" parameter set:
	// does the controller still delete the Application no longer generated?
	patch := []byte(`{"spec":{"generators":[{"list":{"elements":[{"env":"dev","project":"default"},{"env":"prod","project":"no-such-project"}]}}]}}`)
	if _, err := sets.Patch(ctx, "appset-real-project", types.MergePatchType, patch, metav1.PatchOptions{FieldManager: realargocd.FieldManager}); err != nil {
		t.Fatalf("dropping the old parameter set of appset-real-project: %v", err)
	}
	waitApp(t, env.apps, "appset-real-project-old", "appset-real-project-old deleted by the controller in spite of the validation error", func(u *unstructured.Unstructured) bool { return u == nil }, waitStatus)
	c0 := cases[0]
	c0.apps = []string{"appset-real-project-dev"}
	cases[0] = c0
	if u, err := sets.Get(ctx, "appset-real-project", metav1.GetOptions{}); err != nil {
		t.Fatal(err)
	} else if conds := appSetConditions(t, u); !hasAppSetCond(conds, "ErrorOccurred", "True", "ApplicationValidationError") {
		t.Errorf("appset-real-project after dropping a parameter set: want ErrorOccurred True still, got %+v", conds)
	}

	all, code := diagnose(t, "diagnose", "-A")
	requireExit(t, code, 1, "applicationset-error")
	for _, c := range cases {
		if c.reason == "" {
			for _, f := range all.Findings {
				if f.ID == "applicationset-error" && f.Object.Name == c.name {
					t.Errorf("applicationset-error on the accepted ApplicationSet %s: %s %q", c.name, f.Summary, f.Evidence)
				}
			}
			rep, code := diagnose(t, "diagnose", "appset", c.name, "-n", argocdNS)
			forbidFinding(t, rep, "applicationset-error")
			requireExit(t, code, 0, "")
			continue
		}
		msg := conditionMessage(written[c.name], "ErrorOccurred")
		if !strings.Contains(msg, c.message) {
			t.Errorf("ApplicationSet %s: the controller wrote %q, the case expects it to contain %q", c.name, msg, c.message)
		}
		f := requireFinding(t, all, "applicationset-error", c.name)
		requireMentions(t, f, "applicationset-error", msg, c.reason)

		rep, code := diagnose(t, "diagnose", "appset", c.name, "-n", argocdNS)
		f = requireFinding(t, rep, "applicationset-error", c.name)
		requireMentions(t, f, "applicationset-error", msg, c.reason)
		requireExit(t, code, 1, "applicationset-error")
		if f == nil {
			continue
		}
		evidence := strings.Join(f.Evidence, "\n")
		switch c.reason {
		case "ApplicationValidationError":
			// v2.14.21 skips only the invalid Applications: the evidence
			// must not claim that nothing of the set is created.
			if strings.Contains(evidence, "no Application of this set is created") {
				t.Errorf("ApplicationSet %s: evidence says nothing is created, but the controller created %v: %q", c.name, c.apps, f.Evidence)
			}
			requireMentions(t, f, "applicationset-error", "only the Applications")
		case "UpdateApplicationError":
			requireMentions(t, f, "applicationset-error", "only the Application named in the message was not written", "RFC 1123")
		case "ApplicationGenerationFromParamsError":
			requireMentions(t, f, "applicationset-error", "no Application of this set is created", "the repo-server cannot read a Git generator's repository")
		}
		for _, app := range c.apps {
			requireMentions(t, f, "applicationset-error", app)
		}
	}
}

func appSetConditions(t *testing.T, u *unstructured.Unstructured) []appSetCond {
	t.Helper()
	raw, found, err := unstructured.NestedSlice(u.Object, "status", "conditions")
	if err != nil || !found {
		return nil
	}
	b, err := json.Marshal(raw)
	if err != nil {
		t.Fatalf("encoding conditions of %s: %v", u.GetName(), err)
	}
	var out []appSetCond
	if err := json.Unmarshal(b, &out); err != nil {
		t.Fatalf("decoding conditions of %s: %v", u.GetName(), err)
	}
	return out
}

// hasAppSetCond: a condition of type typ with status, and reason unless "".
func hasAppSetCond(conds []appSetCond, typ, status, reason string) bool {
	for _, c := range conds {
		if c.Type == typ && c.Status == status && (reason == "" || c.Reason == reason) {
			return true
		}
	}
	return false
}

func conditionMessage(conds []appSetCond, typ string) string {
	for _, c := range conds {
		if c.Type == typ {
			return c.Message
		}
	}
	return ""
}

// describeAppSet renders what the controller wrote to an ApplicationSet.
func describeAppSet(u *unstructured.Unstructured) string {
	if u == nil {
		return "<absent>"
	}
	st, _, err := unstructured.NestedMap(u.Object, "status")
	if err != nil {
		return "(status unreadable: " + err.Error() + ")"
	}
	b, err := json.MarshalIndent(map[string]any{"name": u.GetNamespace() + "/" + u.GetName(), "finalizers": u.GetFinalizers(), "status": st}, "", "  ")
	if err != nil {
		return "(cannot render: " + err.Error() + ")"
	}
	return string(b)
}
