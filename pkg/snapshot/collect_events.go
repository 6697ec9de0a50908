package snapshot

import (
	"context"
	"fmt"
	"sort"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
)

// collectEvents lists the Warning events of the apps' namespaces (or of
// the cluster), one paginated LIST per namespace, never per object: the
// health findings quote the newest few of each object they name.
func collectEvents(ctx context.Context, c Clients, s *Snapshot, namespaces []string, all bool, rec *recorder) error {
	scopes := namespaces
	if all || len(namespaces) > perNamespaceListLimit {
		scopes = []string{metav1.NamespaceAll}
	}
	var events []corev1.Event
	for _, ns := range scopes {
		list, err := listPaged[corev1.Event](ctx, func(ctx context.Context, opts metav1.ListOptions) (runtime.Object, error) {
			return c.Kube.CoreV1().Events(ns).List(ctx, opts)
		}, metav1.ListOptions{FieldSelector: "type=" + corev1.EventTypeWarning})
		if apierrors.IsForbidden(err) {
			rec.failed(ReadProblem{Verb: "list", Resource: "events", Namespace: ns, Error: err.Error(), Source: Events})
			continue
		}
		if err != nil {
			return fmt.Errorf("list events%s: %w", inNamespace(ns), err)
		}
		events = append(events, list...)
		rec.done(Events)
	}
	if len(scopes) == 0 {
		rec.done(Events)
	}
	sort.SliceStable(events, func(i, j int) bool { return EventTime(&events[i]).After(EventTime(&events[j]).Time) })
	s.Events = events
	return nil
}

// EventTime is when an event last happened: its series' last observation,
// lastTimestamp, eventTime, or its creation, whichever it carries.
func EventTime(e *corev1.Event) metav1.Time {
	switch {
	case e.Series != nil && !e.Series.LastObservedTime.IsZero():
		return metav1.NewTime(e.Series.LastObservedTime.Time)
	case !e.LastTimestamp.IsZero():
		return e.LastTimestamp
	case !e.EventTime.IsZero():
		return metav1.NewTime(e.EventTime.Time)
	}
	return e.CreationTimestamp
}
