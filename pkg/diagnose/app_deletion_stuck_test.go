package diagnose

import (
	"reflect"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/argofix/kubectl-argofix/pkg/argocd"
	"github.com/argofix/kubectl-argofix/pkg/report"
	"github.com/argofix/kubectl-argofix/pkg/snapshot"
)

func TestCheckAppDeletionStuck(t *testing.T) {
	deletingApp := func(ago time.Duration, finalizers ...string) func(*argocd.Application) {
		return func(a *argocd.Application) {
			a.DeletionTimestamp = timeAgo(ago)
			a.Finalizers = finalizers
		}
	}
	manages := func(rs ...argocd.ResourceStatus) func(*argocd.Application) {
		return func(a *argocd.Application) { a.Status.Resources = rs }
	}
	web := resource("apps", "Deployment", "guestbook", "web")
	cfg := resource("", "ConfigMap", "guestbook", "cfg")
	deploymentHeld := testObject("apps/v1", "Deployment", "guestbook", "web", objDeleting(8*time.Minute, "example.com/hold"))
	configMap := testObject("v1", "ConfigMap", "guestbook", "cfg")
	controller := func(ready bool) corev1.Pod {
		status := corev1.ConditionFalse
		if ready {
			status = corev1.ConditionTrue
		}
		return corev1.Pod{
			ObjectMeta: metav1.ObjectMeta{Name: "argocd-application-controller-0", Namespace: "argocd"},
			Status:     corev1.PodStatus{Phase: corev1.PodRunning, Conditions: []corev1.PodCondition{{Type: corev1.PodReady, Status: status}}},
		}
	}

	tests := []struct {
		name      string
		snapshot  *snapshot.Snapshot
		want      []string
		wantText  []string
		notText   []string
		wantFixes []string
	}{
		{
			name: "managed Deployment held by a foreign finalizer, no condition at all",
			snapshot: withLiveObjects(testSnapshot(testApp("guestbook",
				deletingApp(10*time.Minute, argocd.ResourcesFinalizer), manages(web, cfg))), deploymentHeld, configMap),
			want: []string{"app-deletion-stuck guestbook"},
			wantText: []string{
				"managed resource Deployment.apps guestbook/web has been pending deletion since 2026-11-25T09:52:00Z, held by finalizer example.com/hold",
				"metadata.deletionTimestamp 2026-11-25T09:50:00Z (10m ago), metadata.finalizers [resources-finalizer.argocd.argoproj.io]",
				"the controller of example.com removes it",
				`kubectl -n guestbook patch deployments.apps web --type json -p '[{"op":"test","path":"/metadata/finalizers","value":["example.com/hold"]},{"op":"remove","path":"/metadata/finalizers"}]'`,
				"orphaned: Deployment.apps guestbook/web, ConfigMap guestbook/cfg; delete them yourself afterwards",
				`kubectl -n argocd patch applications.argoproj.io guestbook --type json -p '[{"op":"test","path":"/metadata/finalizers","value":["resources-finalizer.argocd.argoproj.io"]},{"op":"remove","path":"/metadata/finalizers"}]'`,
			},
			notText:   []string{"allowEmpty", "no cause found"},
			wantFixes: []string{"remove-finalizers", "remove-finalizers"},
		},
		{
			name: "PVC held by pvc-protection names its owner",
			snapshot: withLiveObjects(testSnapshot(testApp("db", deletingApp(time.Hour, argocd.ResourcesFinalizer),
				manages(resource("", "PersistentVolumeClaim", "db", "data")))),
				testObject("v1", "PersistentVolumeClaim", "db", "data", objDeleting(50*time.Minute, "kubernetes.io/pvc-protection"))),
			want:      []string{"app-deletion-stuck db"},
			wantText:  []string{"PersistentVolumeClaim db/data", "kubernetes.io/pvc-protection", "once no Pod uses the claim", "patch persistentvolumeclaims data"},
			wantFixes: []string{"remove-finalizers", "remove-finalizers"},
		},
		{
			name:     "deleted less than stuck-after ago: silent",
			snapshot: testSnapshot(testApp("guestbook", deletingApp(2*time.Minute, argocd.ResourcesFinalizer))),
			want:     []string{},
		},
		{
			name:     "no Argo CD finalizer: silent",
			snapshot: testSnapshot(testApp("guestbook", deletingApp(time.Hour, "example.com/hold"))),
			want:     []string{},
		},
		{
			name:     "not being deleted: silent",
			snapshot: testSnapshot(testApp("guestbook", func(a *argocd.Application) { a.Finalizers = []string{argocd.ResourcesFinalizer} })),
			want:     []string{},
		},
		{
			name: "project missing comes first and only create-project is offered",
			snapshot: func() *snapshot.Snapshot {
				s := withLiveObjects(testSnapshot(testApp("guestbook", deletingApp(10*time.Minute, argocd.ResourcesFinalizer),
					manages(cfg), func(a *argocd.Application) {
						a.Spec.Project = "gone"
						a.Spec.Destination.Server = "https://old.example.com"
					})), configMap)
				return s
			}(),
			want: []string{"app-deletion-stuck guestbook"},
			wantText: []string{
				": its AppProject gone does not exist and the controller resolves the project before deleting anything (see project-missing); its destination cluster is gone",
				"would strip the finalizers and leave the resources orphaned",
			},
			wantFixes: []string{"create-project"},
		},
		{
			name: "resources needing confirmation, annotation absent",
			snapshot: testSnapshot(testApp("guestbook", deletingApp(10*time.Minute, argocd.ResourcesFinalizer),
				manages(argocd.ResourceStatus{Kind: "Secret", Namespace: "guestbook", Name: "creds", RequiresDeletionConfirmation: true}))),
			want: []string{"app-deletion-stuck guestbook"},
			wantText: []string{
				"deletion confirmation is required for 1 resource (Secret guestbook/creds) and annotation argocd.argoproj.io/deletion-approved is absent",
				`patch applications.argoproj.io guestbook --type merge -p '{"metadata":{"annotations":{"argocd.argoproj.io/deletion-approved":"2026-11-25T10:00:00Z"}}}'`,
			},
			wantFixes: []string{"approve-deletion", "remove-finalizers"},
		},
		{
			name: "approval older than the deletionTimestamp does not count",
			snapshot: testSnapshot(testApp("guestbook", deletingApp(10*time.Minute, argocd.ResourcesFinalizer),
				manages(argocd.ResourceStatus{Kind: "Secret", Namespace: "guestbook", Name: "creds", RequiresDeletionConfirmation: true}),
				func(a *argocd.Application) {
					a.Annotations = map[string]string{argocd.DeletionApprovedAnnotation: "2026-11-25T09:00:00Z"}
				})),
			want:      []string{"app-deletion-stuck guestbook"},
			wantText:  []string{"is 2026-11-25T09:00:00Z, before the deletionTimestamp 2026-11-25T09:50:00Z"},
			wantFixes: []string{"approve-deletion", "remove-finalizers"},
		},
		{
			name: "approval after the deletionTimestamp: no confirmation cause",
			snapshot: testSnapshot(testApp("guestbook", deletingApp(10*time.Minute, argocd.ResourcesFinalizer),
				manages(argocd.ResourceStatus{Kind: "Secret", Namespace: "guestbook", Name: "creds", RequiresDeletionConfirmation: true}),
				func(a *argocd.Application) {
					a.Annotations = map[string]string{argocd.DeletionApprovedAnnotation: "2026-11-25T09:55:00Z"}
				})),
			want:      []string{"app-deletion-stuck guestbook"},
			wantText:  []string{"no cause found"},
			notText:   []string{"require deletion confirmation"},
			wantFixes: []string{"remove-finalizers"},
		},
		{
			name: "PreDelete hook Job still running",
			snapshot: withLiveObjects(testSnapshot(testApp("guestbook",
				deletingApp(10*time.Minute, argocd.PreDeleteFinalizer, argocd.ResourcesFinalizer),
				manages(argocd.ResourceStatus{Group: "batch", Kind: "Job", Namespace: "guestbook", Name: "backup", Hook: true}))),
				testObject("batch/v1", "Job", "guestbook", "backup")),
			want:     []string{"app-deletion-stuck guestbook"},
			wantText: []string{"PreDelete hook pending (finalizer pre-delete-finalizer.argocd.argoproj.io); hook resources: Job.batch guestbook/backup (running: no Complete or Failed condition)"},
			// the app-level patch tests both finalizers
			wantFixes: []string{"remove-finalizers"},
		},
		{
			name: "PostDelete cleanup with no hook listed",
			snapshot: testSnapshot(testApp("guestbook",
				deletingApp(10*time.Minute, argocd.PostDeleteFinalizer+"/cleanup"))),
			want:      []string{"app-deletion-stuck guestbook"},
			wantText:  []string{"PostDelete hook cleanup pending (finalizer post-delete-finalizer.argocd.argoproj.io/cleanup); no hook resource is listed"},
			wantFixes: []string{"remove-finalizers"},
		},
		{
			name: "controller without a ready pod",
			snapshot: func() *snapshot.Snapshot {
				s := testSnapshot(testApp("guestbook", deletingApp(10*time.Minute, argocd.ResourcesFinalizer)))
				s.Read[snapshot.Controller] = true
				s.ControllerPods = []corev1.Pod{controller(false)}
				return s
			}(),
			want:      []string{"app-deletion-stuck guestbook"},
			wantText:  []string{"the application-controller has no ready pod", "argocd-application-controller-0 not Ready"},
			wantFixes: []string{"remove-finalizers"},
		},
		{
			name: "app in a namespace the controller does not watch",
			snapshot: testSnapshot(testApp("guestbook", deletingApp(10*time.Minute, argocd.ResourcesFinalizer), func(a *argocd.Application) {
				a.Namespace = "team-a"
			})),
			want:      []string{"app-deletion-stuck guestbook"},
			wantText:  []string{"no application-controller reconciles Applications in namespace team-a", `application.namespaces in argocd/argocd-cmd-params-cm: ""`},
			wantFixes: []string{"remove-finalizers"},
		},
		{
			name: "argocd-cmd-params-cm not readable: no claim about watched namespaces",
			snapshot: func() *snapshot.Snapshot {
				s := testSnapshot(testApp("guestbook", deletingApp(10*time.Minute, argocd.ResourcesFinalizer), func(a *argocd.Application) {
					a.Namespace = "team-a"
				}))
				s.Read[snapshot.CmdParams] = false
				return s
			}(),
			want:      []string{"app-deletion-stuck guestbook"},
			notText:   []string{"no application-controller reconciles"},
			wantFixes: []string{"remove-finalizers"},
		},
		{
			name: "app in a namespace listed in application.namespaces",
			snapshot: func() *snapshot.Snapshot {
				s := testSnapshot(testApp("guestbook", deletingApp(10*time.Minute, argocd.ResourcesFinalizer), func(a *argocd.Application) {
					a.Namespace = "team-a"
				}))
				s.Settings.ApplicationNamespaces = []string{"team-*"}
				return s
			}(),
			want:      []string{"app-deletion-stuck guestbook"},
			notText:   []string{"no application-controller reconciles"},
			wantFixes: []string{"remove-finalizers"},
		},
		{
			name: "ready controller is evidence, not a cause; DeletionError quoted",
			snapshot: func() *snapshot.Snapshot {
				s := testSnapshot(testApp("guestbook", deletingApp(10*time.Minute, argocd.ResourcesFinalizer), func(a *argocd.Application) {
					a.Status.Conditions = []argocd.ApplicationCondition{{Type: "DeletionError", Message: "Unable to delete application resources: forbidden", LastTransitionTime: timeAgo(5 * time.Minute)}}
				}))
				s.Read[snapshot.Controller] = true
				s.ControllerPods = []corev1.Pod{controller(true)}
				return s
			}(),
			want:      []string{"app-deletion-stuck guestbook"},
			wantText:  []string{"the controller reports DeletionError: Unable to delete application resources: forbidden", "condition DeletionError since 2026-11-25T09:55:00Z", "argocd-application-controller-0 Ready"},
			notText:   []string{"no ready pod", "no cause found"},
			wantFixes: []string{"remove-finalizers"},
		},
		{
			name: "no cause found lists the finalizers; foreign app finalizer is kept",
			snapshot: withKindsRead(testSnapshot(testApp("guestbook",
				deletingApp(10*time.Minute, "example.com/audit", argocd.ResourcesFinalizerForeground), manages(web))),
				schema.GroupKind{Group: "apps", Kind: "Deployment"}),
			want: []string{"app-deletion-stuck guestbook"},
			wantText: []string{
				"no cause found", "finalizers [example.com/audit, resources-finalizer.argocd.argoproj.io/foreground]",
				"none of its resources is still live",
				`[{"op":"test","path":"/metadata/finalizers","value":["example.com/audit","resources-finalizer.argocd.argoproj.io/foreground"]},{"op":"replace","path":"/metadata/finalizers","value":["example.com/audit"]}]`,
			},
			wantFixes: []string{"remove-finalizers"},
		},
		{
			name: "kinds not read are counted, not called orphaned",
			snapshot: testSnapshot(testApp("guestbook",
				deletingApp(10*time.Minute, argocd.ResourcesFinalizer), manages(web))),
			want:      []string{"app-deletion-stuck guestbook"},
			wantText:  []string{"1 managed resources are of kinds that were not read", "1 more resources are of kinds that were not read and may remain"},
			notText:   []string{"--force"},
			wantFixes: []string{"remove-finalizers"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := runRegistered(t, "app-deletion-stuck", tt.snapshot)
			if !reflect.DeepEqual(ids(got), tt.want) {
				t.Fatalf("findings = %v, want %v", ids(got), tt.want)
			}
			if len(got) == 0 {
				return
			}
			f := got[0]
			if f.Severity != report.SeverityError || f.Docs != report.DocsURL("app-deletion-stuck") || f.Since == nil {
				t.Errorf("severity/docs/since = %s %s %v", f.Severity, f.Docs, f.Since)
			}
			text := findingText(f)
			for _, w := range tt.wantText {
				if !strings.Contains(text, w) {
					t.Errorf("finding lacks %q:\n%s", w, text)
				}
			}
			for _, w := range tt.notText {
				if strings.Contains(text, w) {
					t.Errorf("finding should not contain %q:\n%s", w, text)
				}
			}
			if got := fixIDs(f); !reflect.DeepEqual(got, tt.wantFixes) {
				t.Errorf("fixes = %v, want %v", got, tt.wantFixes)
			}
			for _, x := range f.Fixes {
				if x.ID == "remove-finalizers" && strings.Contains(x.Command, "applications.argoproj.io") && x.Risk != "high" {
					t.Errorf("removing the app's finalizers must be high risk, got %s", x.Risk)
				}
			}
		})
	}
}

// A deletion younger than --stuck-after is explained when the user named
// the app, at info severity and without fixes; silent otherwise.
func TestAppDeletionNotYetStuck(t *testing.T) {
	young := testApp("guestbook", func(a *argocd.Application) {
		a.DeletionTimestamp = timeAgo(2 * time.Minute)
		a.Finalizers = []string{argocd.ResourcesFinalizer}
		a.Spec.Project = "gone"
	})
	s := testSnapshot(young)
	if got := runRegistered(t, "app-deletion-stuck", s); len(got) != 0 {
		t.Fatalf("a young deletion in a whole view is reported: %v", ids(got))
	}
	s.Named = true
	got := runRegistered(t, "app-deletion-stuck", s)
	if len(got) != 1 || got[0].Severity != report.SeverityInfo || len(got[0].Fixes) != 0 ||
		!strings.HasPrefix(got[0].Summary, "deleting for 2m, not yet past --stuck-after (5m0s): ") {
		t.Fatalf("named young deletion: %+v", got)
	}
}
