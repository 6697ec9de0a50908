package e2e

import (
	"context"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/apimachinery/pkg/util/wait"
	"k8s.io/client-go/kubernetes"
)

// config-stale end to end, with pods that really run (kwok): the busy,
// healthy scenario is silent; change a ConfigMap its Deployment reads
// after the rollout and the finding appears; restart through argofix
// (rollout-restart, the restartedAt pod-template annotation) and, once the
// new pods run, it disappears.
func TestConfigStaleRolloutRestart(t *testing.T) {
	needPlugin(t)
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	sc := freshScenario(ctx, t, "healthy-busy", "config-stale-restart")
	ns, workNS := sc.Namespace(), sc.Namespace()+"-web"
	kube, err := kubernetes.NewForConfig(suite.cp.RESTConfig())
	if err != nil {
		t.Fatal(err)
	}
	diagnoseApp := func() result {
		return runPlugin(t, fixArgs(ns, "diagnose", "app", "web", "-n", ns, "--stuck-after=0s", "-o", "json")...)
	}
	var newest time.Time
	pollUntil(ctx, t, "the Deployment's 2 pods Running", 90*time.Second, func(ctx context.Context) (bool, error) {
		pods, err := kube.CoreV1().Pods(workNS).List(ctx, metav1.ListOptions{LabelSelector: "app=web"})
		if err != nil {
			return false, err
		}
		running := 0
		for _, p := range pods.Items {
			if p.Status.Phase == corev1.PodRunning && p.DeletionTimestamp == nil {
				running++
				if start := podStarted(&p); start.After(newest) {
					newest = start
				}
			}
		}
		return running == 2 && len(pods.Items) == 2, nil
	})
	if res := diagnoseApp(); strings.Contains(res.stdout, `"config-stale"`) {
		t.Fatalf("config-stale before any change:\n%s", res)
	}
	// Change times and pod starts are compared to the second: change it in
	// a later second than the newest pod's start.
	pollUntil(ctx, t, "a second later than the newest pod's start", 5*time.Second, func(context.Context) (bool, error) {
		return time.Now().Truncate(time.Second).After(newest.Truncate(time.Second)), nil
	})
	if _, err := kube.CoreV1().ConfigMaps(workNS).Patch(ctx, "web-settings", types.MergePatchType,
		[]byte(`{"data":{"level":"debug"}}`), metav1.PatchOptions{FieldManager: "kubectl-edit"}); err != nil {
		t.Fatal(err)
	}
	res := diagnoseApp()
	if !strings.Contains(res.stdout, `"config-stale"`) || !strings.Contains(res.stdout, "ConfigMap "+workNS+"/web-settings last changed") {
		t.Fatalf("config-stale not reported after the ConfigMap changed:\n%s", res)
	}
	if strings.Contains(res.stdout, "web-config-7m2fkt4h5b last changed") {
		t.Errorf("the hashed ConfigMap is reported:\n%s", res)
	}

	fix := runPlugin(t, fixArgs(ns, "fix", "app", "web", "-n", ns, "--stuck-after=0s", "--only", "rollout-restart", "--wait", "90s", "--yes", "--journal-dir", t.TempDir())...)
	wantExit(t, fix, 0)
	wantStdout(t, fix, "kubectl.kubernetes.io~1restartedAt", "Waiting for the rollout of Deployment.apps", "Rolled out: Deployment.apps")
	d, err := kube.AppsV1().Deployments(workNS).Get(ctx, "web", metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if v := d.Spec.Template.Annotations["kubectl.kubernetes.io/restartedAt"]; v == "2026-11-25T09:30:00Z" || v == "" {
		t.Fatalf("restartedAt not updated: %q", v)
	}
	pollUntil(ctx, t, "config-stale gone once the restarted pods run", 90*time.Second, func(context.Context) (bool, error) {
		res := diagnoseApp()
		return res.code == 0 && !strings.Contains(res.stdout, `"config-stale"`), nil
	})
}

func podStarted(p *corev1.Pod) time.Time {
	if p.Status.StartTime != nil {
		return p.Status.StartTime.Time
	}
	return p.CreationTimestamp.Time
}

func pollUntil(ctx context.Context, t *testing.T, what string, timeout time.Duration, cond wait.ConditionWithContextFunc) {
	t.Helper()
	if err := wait.PollUntilContextTimeout(ctx, 250*time.Millisecond, timeout, true, cond); err != nil {
		t.Fatalf("waiting for %s: %v", what, err)
	}
}
