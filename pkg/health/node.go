package health

import (
	corev1 "k8s.io/api/core/v1"

	"github.com/argofix/kubectl-argofix/pkg/report"
)

// NodeReady reads a node's Ready condition, which the kubelet posts and the
// node-lifecycle controller turns Unknown when the kubelet goes silent:
// True is Healthy, False Degraded, Unknown Unknown. Message renders the
// condition ("Ready=Unknown since <time> (NodeStatusUnknown)"). ok is
// false when the node has no Ready condition at all (its kubelet never
// reported). Argo CD itself does not assess nodes; pods on a node that is
// not Ready cannot finish terminating.
func NodeReady(n *corev1.Node) (r Result, ok bool) {
	for _, c := range n.Status.Conditions {
		if c.Type != corev1.NodeReady {
			continue
		}
		r.Message = "Ready=" + string(c.Status) + " since " + report.FormatTime(c.LastTransitionTime.Time)
		if c.Reason != "" {
			r.Message += " (" + c.Reason + ")"
		}
		switch c.Status {
		case corev1.ConditionTrue:
			r.Status = Healthy
		case corev1.ConditionFalse:
			r.Status = Degraded
		default:
			r.Status = Unknown
		}
		return r, true
	}
	return Result{Status: Unknown, Message: "no Ready condition"}, false
}
