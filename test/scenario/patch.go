package scenario

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/apimachinery/pkg/util/wait"
	"k8s.io/client-go/dynamic"
)

var podsGVR = schema.GroupVersionResource{Version: "v1", Resource: "pods"}

// patch sends obj as a strategic-merge patch (core and apps kinds) or a
// merge patch (custom resources) to the existing object, as `kubectl patch`
// does, after the pods of an installed Argo CD have started.
func (c *creator) patch(ctx context.Context, nsRes dynamic.ResourceInterface, namespaced bool, res dynamic.NamespaceableResourceInterface,
	obj *unstructured.Unstructured, id string) error {
	if err := c.waitPastPodStarts(ctx); err != nil {
		return err
	}
	body, err := json.Marshal(obj.Object)
	if err != nil {
		return fmt.Errorf("patching %s: %w", id, err)
	}
	pt := types.StrategicMergePatchType
	if gv, _ := schema.ParseGroupVersion(obj.GetAPIVersion()); gv.Group != "" && gv.Group != "apps" {
		pt = types.MergePatchType
	}
	ri := dynamic.ResourceInterface(res)
	if namespaced {
		ri = nsRes
	}
	if _, err := ri.Patch(ctx, obj.GetName(), pt, body, metav1.PatchOptions{FieldManager: PatchFieldManager}); err != nil {
		return fmt.Errorf("patching %s: %w", id, err)
	}
	return nil
}

// waitPastPodStarts waits, once, until the clock's second is after the
// newest pod start of the installed namespace.
func (c *creator) waitPastPodStarts(ctx context.Context) error {
	ns := c.afterPodsStarted
	if ns == "" {
		return nil
	}
	c.afterPodsStarted = ""
	list, err := c.applier.Dynamic().Resource(podsGVR).Namespace(ns).List(ctx, metav1.ListOptions{})
	if err != nil {
		return fmt.Errorf("listing the pods of %s: %w", ns, err)
	}
	var newest time.Time
	for _, p := range list.Items {
		started, _, _ := unstructured.NestedString(p.Object, "status", "startTime")
		if t, err := time.Parse(time.RFC3339, started); err == nil && t.After(newest) {
			newest = t
		}
		if t := p.GetCreationTimestamp().Time; t.After(newest) {
			newest = t
		}
	}
	return wait.PollUntilContextTimeout(ctx, 50*time.Millisecond, 5*time.Second, true, func(context.Context) (bool, error) {
		return time.Now().Truncate(time.Second).After(newest.Truncate(time.Second)), nil
	})
}
