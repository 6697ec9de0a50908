package diagnose

import (
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	k8stypes "k8s.io/apimachinery/pkg/types"

	"github.com/argofix/kubectl-argofix/pkg/argocd"
	"github.com/argofix/kubectl-argofix/pkg/snapshot"
)

// healthApp is an app whose health is status since d ago (v3 style).
func healthApp(status string, d time.Duration, resources ...argocd.ResourceStatus) argocd.Application {
	return testApp("shop", func(a *argocd.Application) {
		a.Status.Health = argocd.HealthStatus{Status: status, LastTransitionTime: timeAgo(d)}
		a.Status.Resources = resources
	})
}

func withSet(path []string, v any) func(*unstructured.Unstructured) {
	return func(u *unstructured.Unstructured) {
		if err := unstructured.SetNestedField(u.Object, v, path...); err != nil {
			panic(err)
		}
	}
}

func liveDeployment(name string, replicas, available int64, mutate ...func(*unstructured.Unstructured)) *unstructured.Unstructured {
	base := []func(*unstructured.Unstructured){
		func(u *unstructured.Unstructured) { u.SetGeneration(2); u.SetUID(k8stypes.UID("uid-" + name)) },
		withSet([]string{"spec", "replicas"}, replicas),
		withSet([]string{"spec", "selector"}, map[string]any{"matchLabels": map[string]any{"app": name}}),
		withSet([]string{"status"}, map[string]any{"observedGeneration": int64(2), "replicas": replicas, "updatedReplicas": replicas,
			"readyReplicas": available, "availableReplicas": available}),
	}
	return testObject("apps/v1", "Deployment", "shop", name, append(base, mutate...)...)
}

func shopPod(name, app string, mutate func(*corev1.Pod)) corev1.Pod {
	p := corev1.Pod{ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: "shop", Labels: map[string]string{"app": app},
		CreationTimestamp: *timeAgo(20 * time.Minute),
		OwnerReferences:   []metav1.OwnerReference{{Kind: "ReplicaSet", Name: app + "-5d8f7c"}}}}
	mutate(&p)
	return p
}

func warning(kind, name, reason, msg string, ago time.Duration, count int32) corev1.Event {
	return corev1.Event{ObjectMeta: metav1.ObjectMeta{Name: name + "." + reason, Namespace: "shop"},
		InvolvedObject: corev1.ObjectReference{Kind: kind, Namespace: "shop", Name: name},
		Type:           corev1.EventTypeWarning, Reason: reason, Message: msg, Count: count, LastTimestamp: *timeAgo(ago)}
}

func healthSnapshot(app argocd.Application, pods []corev1.Pod, events []corev1.Event, objs ...*unstructured.Unstructured) *snapshot.Snapshot {
	s := withLiveObjects(testSnapshot(app), objs...)
	s.Pods, s.Events = pods, events
	s.Read[snapshot.Pods], s.Read[snapshot.Events] = true, true
	return s
}

func TestCheckHealthProgressingStuck(t *testing.T) {
	ingress := testObject("networking.k8s.io/v1", "Ingress", "shop", "web", withSet([]string{"spec", "ingressClassName"}, "nginx"))
	ingressRes := resource("networking.k8s.io", "Ingress", "shop", "web")
	deployRes := resource("apps", "Deployment", "shop", "api")
	pending := shopPod("api-5d8f7c-aaaaa", "api", func(p *corev1.Pod) {
		p.Status.Phase = corev1.PodPending
		p.Status.Conditions = []corev1.PodCondition{{Type: corev1.PodScheduled, Status: corev1.ConditionFalse, Reason: "Unschedulable", Message: "0/1 nodes are available: 1 Insufficient cpu."}}
	})
	ready := shopPod("api-5d8f7c-bbbbb", "api", func(p *corev1.Pod) {
		p.Status.Phase = corev1.PodRunning
		p.Status.Conditions = []corev1.PodCondition{{Type: corev1.PodReady, Status: corev1.ConditionTrue}}
	})
	events := []corev1.Event{
		warning("Pod", "api-5d8f7c-aaaaa", "FailedScheduling", "0/1 nodes are available", time.Minute, 12),
		warning("Pod", "api-5d8f7c-aaaaa", "FailedScheduling", "older 1", 2*time.Minute, 1),
		warning("Pod", "api-5d8f7c-aaaaa", "FailedScheduling", "older 2", 3*time.Minute, 1),
		warning("Pod", "api-5d8f7c-aaaaa", "FailedScheduling", "older 3: not shown", 4*time.Minute, 1),
	}
	overridden := func(s *snapshot.Snapshot) *snapshot.Snapshot {
		s.Settings.HealthOverrides = []argocd.HealthOverride{{Group: "networking.k8s.io", Kind: "Ingress", Key: "resource.customizations.health.networking.k8s.io_Ingress"}}
		return s
	}
	argocdCM := func(s *snapshot.Snapshot) *snapshot.Snapshot {
		s.Settings.Found = true
		s.Settings.ConfigMap = argocd.ConfigMapState{UID: "cm-uid", ResourceVersion: "77", HasData: true}
		return s
	}
	runCheckCases(t, "health-progressing-stuck", []checkCase{
		{
			name:     "Ingress without address and a Deployment with an unschedulable pod",
			snapshot: argocdCM(healthSnapshot(healthApp("Progressing", 20*time.Minute, ingressRes, deployRes), []corev1.Pod{pending, ready}, events, ingress, liveDeployment("api", 2, 1))),
			want:     []string{"health-progressing-stuck shop"},
			wantText: []string{
				"app has been Progressing for 20m; 2 objects still Progressing: Ingress web, Deployment api",
				"Ingress.networking.k8s.io shop/web is Progressing: status.loadBalancer.ingress is empty",
				"spec.ingressClassName nginx: the controller of that class has not written status.loadBalancer.ingress",
				"Deployment.apps shop/api is Progressing: status.availableReplicas 1 of status.updatedReplicas 2",
				"Pod api-5d8f7c-aaaaa: not scheduled (Unschedulable): 0/1 nodes are available: 1 Insufficient cpu.",
				"event Warning FailedScheduling (x12, last 2026-11-25T09:59:00Z): 0/1 nodes are available",
				"older 2",
				`"path":"/data/resource.customizations.health.networking.k8s.io_Ingress"`,
				`{"op":"test","path":"/metadata/resourceVersion","value":"77"}`,
			},
			notText:   []string{"older 3", "api-5d8f7c-bbbbb"},
			wantFixes: []string{"health-override"},
		},
		{
			name:     "Progressing for less than --stuck-after: silent",
			snapshot: healthSnapshot(healthApp("Progressing", 2*time.Minute, ingressRes), nil, nil, ingress),
			want:     []string{},
		},
		{
			name: "the rollout finished since: silent",
			snapshot: healthSnapshot(healthApp("Progressing", 20*time.Minute, deployRes), []corev1.Pod{ready}, nil,
				liveDeployment("api", 1, 1)),
			want: []string{},
		},
		{
			name: "ignore-healthcheck leaves the Ingress out",
			snapshot: healthSnapshot(healthApp("Progressing", 20*time.Minute, ingressRes), nil, nil,
				testObject("networking.k8s.io/v1", "Ingress", "shop", "web", func(u *unstructured.Unstructured) {
					u.SetAnnotations(map[string]string{"argocd.argoproj.io/ignore-healthcheck": "true"})
				})),
			want: []string{},
		},
		{
			name:      "a Lua override is named, not guessed, and no override is offered again",
			snapshot:  argocdCM(overridden(healthSnapshot(healthApp("Progressing", 20*time.Minute, ingressRes), nil, nil, ingress))),
			want:      []string{"health-progressing-stuck shop"},
			wantText:  []string{"Argo CD uses a Lua override here; argofix did not evaluate it (argocd-cm resource.customizations.health.networking.k8s.io_Ingress)"},
			wantFixes: []string{},
		},
		{
			name: "v2.14 without a transition time: dated from the end of the last sync",
			snapshot: healthSnapshot(testApp("shop", func(a *argocd.Application) {
				a.Status.Health = argocd.HealthStatus{Status: "Progressing"}
				a.Status.Resources = []argocd.ResourceStatus{ingressRes}
				a.Status.OperationState = &argocd.OperationState{Phase: "Succeeded", StartedAt: *timeAgo(31 * time.Minute), FinishedAt: timeAgo(30 * time.Minute)}
			}), nil, nil, ingress),
			want:     []string{"health-progressing-stuck shop"},
			wantText: []string{"at least since the last sync finished at 2026-11-25T09:30:00Z (30m)"},
		},
		{
			name: "PVC Pending names its class and provisioner",
			snapshot: healthSnapshot(healthApp("Progressing", 20*time.Minute, resource("", "PersistentVolumeClaim", "shop", "data")), nil, nil,
				testObject("v1", "PersistentVolumeClaim", "shop", "data", withSet([]string{"spec", "storageClassName"}, "fast"),
					withSet([]string{"status", "phase"}, "Pending"), func(u *unstructured.Unstructured) {
						u.SetAnnotations(map[string]string{"volume.kubernetes.io/storage-provisioner": "ebs.csi.aws.com"})
					})),
			want:     []string{"health-progressing-stuck shop"},
			wantText: []string{"spec.storageClassName fast, provisioner ebs.csi.aws.com"},
		},
		{
			name: "app of apps without an override: the children do not count",
			snapshot: healthSnapshot(healthApp("Progressing", 20*time.Minute, ingressRes, resource("argoproj.io", "Application", "argocd", "child")), nil, nil,
				ingress),
			want:     []string{"health-progressing-stuck shop"},
			wantText: []string{"manages 1 Application: a nested Application has no built-in health in Argo CD"},
		},
		{
			name:     "Healthy app: silent",
			snapshot: healthSnapshot(healthApp("Healthy", 20*time.Minute, ingressRes), nil, nil, ingress),
			want:     []string{},
		},
	})
}

func TestCheckHealthDegraded(t *testing.T) {
	deployRes := resource("apps", "Deployment", "shop", "api")
	deadline := func(u *unstructured.Unstructured) {
		conds := []any{map[string]any{"type": "Progressing", "status": "False", "reason": "ProgressDeadlineExceeded", "message": `ReplicaSet "api-5d8f7c" has timed out progressing.`}}
		if err := unstructured.SetNestedSlice(u.Object, conds, "status", "conditions"); err != nil {
			panic(err)
		}
	}
	crashing := shopPod("api-5d8f7c-aaaaa", "api", func(p *corev1.Pod) {
		p.Spec.Containers = []corev1.Container{{Name: "api", Image: "api:v2"}}
		p.Status.Phase = corev1.PodRunning
		p.Status.ContainerStatuses = []corev1.ContainerStatus{{Name: "api", RestartCount: 9,
			State:                corev1.ContainerState{Waiting: &corev1.ContainerStateWaiting{Reason: "CrashLoopBackOff"}},
			LastTerminationState: corev1.ContainerState{Terminated: &corev1.ContainerStateTerminated{Reason: "Error", ExitCode: 3}}}}
	})
	job := testObject("batch/v1", "Job", "shop", "migrate", withSet([]string{"spec", "selector"}, map[string]any{"matchLabels": map[string]any{"job-name": "migrate"}}),
		func(u *unstructured.Unstructured) {
			_ = unstructured.SetNestedSlice(u.Object, []any{map[string]any{"type": "Failed", "status": "True", "message": "Job has reached the specified backoff limit"}}, "status", "conditions")
			_ = unstructured.SetNestedField(u.Object, int64(2), "status", "failed")
		})
	failedPod := corev1.Pod{ObjectMeta: metav1.ObjectMeta{Name: "migrate-x1", Namespace: "shop", Labels: map[string]string{"job-name": "migrate"},
		OwnerReferences: []metav1.OwnerReference{{Kind: "Job", Name: "migrate"}}},
		Spec:   corev1.PodSpec{RestartPolicy: corev1.RestartPolicyNever, Containers: []corev1.Container{{Name: "m", Image: "m"}}},
		Status: corev1.PodStatus{Phase: corev1.PodFailed, ContainerStatuses: []corev1.ContainerStatus{{Name: "m", State: corev1.ContainerState{Terminated: &corev1.ContainerStateTerminated{Reason: "OOMKilled", ExitCode: 137}}}}}}
	runCheckCases(t, "health-degraded", []checkCase{
		{
			name: "deadline exceeded with a crash-looping pod",
			snapshot: healthSnapshot(healthApp("Degraded", time.Hour, deployRes), []corev1.Pod{crashing},
				[]corev1.Event{warning("Pod", "api-5d8f7c-aaaaa", "BackOff", "Back-off restarting failed container api", time.Minute, 40)},
				liveDeployment("api", 1, 0, deadline)),
			want: []string{"health-degraded shop"},
			wantText: []string{
				"app is Degraded; 1 object Degraded: Deployment api",
				`condition Progressing ProgressDeadlineExceeded: ReplicaSet "api-5d8f7c" has timed out progressing.`,
				"Pod api-5d8f7c-aaaaa: container api waiting: CrashLoopBackOff; container api last terminated: Error, exit code 3, 9 restarts",
				"event Warning BackOff (x40, last 2026-11-25T09:59:00Z): Back-off restarting failed container api",
			},
		},
		{
			name:     "failed Job and its OOMKilled pod",
			snapshot: healthSnapshot(healthApp("Degraded", time.Hour, resource("batch", "Job", "shop", "migrate")), []corev1.Pod{failedPod}, nil, job),
			want:     []string{"health-degraded shop"},
			wantText: []string{"Job.batch shop/migrate is Degraded: condition Failed Job has reached the specified backoff limit", "Pod migrate-x1: container m terminated: OOMKilled, exit code 137; status.phase Failed: container m OOMKilled"},
		},
		{
			name:     "Degraded in status but every object recovered: silent",
			snapshot: healthSnapshot(healthApp("Degraded", time.Hour, deployRes), nil, nil, liveDeployment("api", 1, 1)),
			want:     []string{},
		},
		{
			name: "live object not readable: v2.14's status.resources health is used",
			snapshot: healthSnapshot(healthApp("Degraded", time.Hour, argocd.ResourceStatus{Group: "example.com", Kind: "Widget", Namespace: "shop", Name: "w",
				Health: &argocd.HealthStatus{Status: "Degraded", Message: "widget broke"}}), nil, nil),
			want:     []string{"health-degraded shop"},
			wantText: []string{"Widget.example.com shop/w is Degraded: widget broke (as status.resources says: the live object could not be read)"},
		},
		{
			name:     "Progressing app: silent",
			snapshot: healthSnapshot(healthApp("Progressing", time.Hour, deployRes), []corev1.Pod{crashing}, nil, liveDeployment("api", 1, 0, deadline)),
			want:     []string{},
		},
	})
}
