package controlplane

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/wait"
	"k8s.io/client-go/util/retry"
)

// FakeNodeName is the single Node kwok manages; pods scheduled to it run.
const FakeNodeName = "kwok-node-0"

// kwokAnnotation selects the nodes kwok manages (--manage-nodes-with-annotation-selector).
const kwokAnnotation = "kwok.x-k8s.io/node"

// kwokStageFiles are the stages that make nodes Ready and pods Running,
// Succeeded and deleted quickly (relative to the kwok module folder).
func kwokStageFiles() []string {
	return []string{
		"kustomize/stage/node/fast/node-initialize.yaml",
		"kustomize/stage/node/heartbeat/node-heartbeat.yaml",
		"kustomize/stage/pod/fast/pod-ready.yaml",
		"kustomize/stage/pod/fast/pod-complete.yaml",
		"kustomize/stage/pod/fast/pod-delete.yaml",
	}
}

func (cp *ControlPlane) startKwok(ctx context.Context) error {
	// The kwok version is the one test/tools pins, so the stages match the binary.
	kwokDir, err := ModuleDir(ctx, filepath.Join(cp.repoRoot, "test", "tools"), "sigs.k8s.io/kwok", "")
	if err != nil {
		return fmt.Errorf("locating kwok stage files: %w", err)
	}
	var stages []string
	for _, f := range kwokStageFiles() {
		b, err := os.ReadFile(filepath.Join(kwokDir, f))
		if err != nil {
			return fmt.Errorf("reading kwok stage: %w", err)
		}
		stages = append(stages, strings.TrimSpace(string(b)))
	}
	stagePath := filepath.Join(cp.dir, "kwok-stages.yaml")
	if err := os.WriteFile(stagePath, []byte(strings.Join(stages, "\n---\n")+"\n"), 0o600); err != nil {
		return fmt.Errorf("writing kwok stages: %w", err)
	}
	kwokHome := filepath.Join(cp.dir, "kwok-home")
	if err := os.MkdirAll(kwokHome, 0o700); err != nil {
		return fmt.Errorf("creating kwok work dir: %w", err)
	}
	_, err = cp.run("kwok", []string{
		"--kubeconfig=" + cp.AdminKubeconfig,
		"--config=" + stagePath,
		"--manage-all-nodes=false",
		"--manage-nodes-with-annotation-selector=" + kwokAnnotation + "=fake",
		"--cidr=10.244.0.0/16",
		"--node-ip=10.0.1.1",
	}, []string{
		// kwok also loads ~/.kwok/kwok.yaml when it exists; a private work
		// dir keeps a developer's own kwok config out of the tests.
		"KWOK_WORKDIR=" + kwokHome,
	})
	// kwok has no health endpoint without --server-address (a port we do
	// not need); readiness is the fake node turning Ready below.
	return err
}

// createFakeNode creates the kwok-managed Node, waits until kwok marks it
// Ready and removes the not-ready taint that the TaintNodesByCondition
// admission adds (no node-lifecycle controller runs to remove it).
func (cp *ControlPlane) createFakeNode(ctx context.Context) error {
	cs, err := cp.Clientset()
	if err != nil {
		return err
	}
	node := &corev1.Node{
		ObjectMeta: metav1.ObjectMeta{
			Name:        FakeNodeName,
			Annotations: map[string]string{kwokAnnotation: "fake"},
			Labels: map[string]string{
				"kubernetes.io/hostname": FakeNodeName,
				"kubernetes.io/os":       "linux",
				"kubernetes.io/arch":     "amd64",
				"type":                   "kwok",
			},
		},
	}
	if _, err := cs.CoreV1().Nodes().Create(ctx, node, metav1.CreateOptions{}); err != nil {
		return fmt.Errorf("creating node %s: %w", FakeNodeName, err)
	}
	kwok := cp.procs[len(cp.procs)-1]
	return kwok.WaitReady(ctx, cp.opts.StartTimeout, func(ctx context.Context) error {
		n, err := cs.CoreV1().Nodes().Get(ctx, FakeNodeName, metav1.GetOptions{})
		if err != nil {
			return fmt.Errorf("getting node: %w", err)
		}
		if !nodeReady(n) {
			return fmt.Errorf("node %s not Ready yet", FakeNodeName)
		}
		if !hasNotReadyTaint(n) {
			return nil
		}
		return removeNotReadyTaint(ctx, cp, FakeNodeName)
	})
}

func nodeReady(n *corev1.Node) bool {
	for _, c := range n.Status.Conditions {
		if c.Type == corev1.NodeReady {
			return c.Status == corev1.ConditionTrue
		}
	}
	return false
}

func hasNotReadyTaint(n *corev1.Node) bool {
	for _, t := range n.Spec.Taints {
		if t.Key == corev1.TaintNodeNotReady {
			return true
		}
	}
	return false
}

func removeNotReadyTaint(ctx context.Context, cp *ControlPlane, name string) error {
	cs, err := cp.Clientset()
	if err != nil {
		return err
	}
	err = retry.RetryOnConflict(retry.DefaultRetry, func() error {
		n, err := cs.CoreV1().Nodes().Get(ctx, name, metav1.GetOptions{})
		if err != nil {
			return err
		}
		kept := n.Spec.Taints[:0]
		for _, t := range n.Spec.Taints {
			if t.Key != corev1.TaintNodeNotReady {
				kept = append(kept, t)
			}
		}
		n.Spec.Taints = kept
		_, err = cs.CoreV1().Nodes().Update(ctx, n, metav1.UpdateOptions{})
		return err
	})
	if err != nil {
		return fmt.Errorf("removing not-ready taint from node %s: %w", name, err)
	}
	return nil
}

// WaitForPodsRunning waits until every label selector in selectors matches
// at least one Running pod in namespace ns.
func (cp *ControlPlane) WaitForPodsRunning(ctx context.Context, ns string, selectors []string, timeout time.Duration) error {
	cs, err := cp.Clientset()
	if err != nil {
		return err
	}
	var missing []string
	err = wait.PollUntilContextTimeout(ctx, 250*time.Millisecond, timeout, true, func(ctx context.Context) (bool, error) {
		missing = missing[:0]
		for _, sel := range selectors {
			pods, err := cs.CoreV1().Pods(ns).List(ctx, metav1.ListOptions{LabelSelector: sel})
			if err != nil {
				return false, fmt.Errorf("listing pods %s in %s: %w", sel, ns, err)
			}
			running := false
			for _, p := range pods.Items {
				if p.Status.Phase == corev1.PodRunning && p.DeletionTimestamp == nil {
					running = true
					break
				}
			}
			if !running {
				missing = append(missing, sel)
			}
		}
		return len(missing) == 0, nil
	})
	if err != nil {
		return fmt.Errorf("pods not Running in namespace %s after %s: %s (logs in %s): %w", ns, timeout, strings.Join(missing, ", "), cp.dir, err)
	}
	return nil
}
