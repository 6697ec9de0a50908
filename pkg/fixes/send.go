package fixes

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/dynamic"

	"github.com/argofix/kubectl-argofix/pkg/report"
)

// resourceOf is the dynamic client for the action's object.
func resourceOf(dyn dynamic.Interface, a report.Action) dynamic.ResourceInterface {
	r := dyn.Resource(schema.GroupVersionResource{Group: a.Group, Version: a.Version, Resource: a.Resource})
	if a.Namespace != "" {
		return r.Namespace(a.Namespace)
	}
	return r
}

// get reads the action's object as it is now; nil when it does not exist.
func get(ctx context.Context, dyn dynamic.Interface, a report.Action) (*unstructured.Unstructured, error) {
	obj, err := resourceOf(dyn, a).Get(ctx, a.Name, metav1.GetOptions{})
	if apierrors.IsNotFound(err) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", a.Ref(), err)
	}
	return obj, nil
}

// send makes the action's request, as a server-side dry run when dryRun.
// It returns the object the server answered with (nil for a delete).
func send(ctx context.Context, dyn dynamic.Interface, a report.Action, dryRun bool) (*unstructured.Unstructured, error) {
	var dry []string
	if dryRun {
		dry = []string{metav1.DryRunAll}
	}
	ri := resourceOf(dyn, a)
	sub := subresources(a)
	switch a.Verb {
	case report.VerbPatch:
		pt := types.JSONPatchType
		if a.PatchType == report.PatchMerge {
			pt = types.MergePatchType
		}
		return ri.Patch(ctx, a.Name, pt, a.Body, metav1.PatchOptions{DryRun: dry}, sub...)
	case report.VerbCreate:
		obj, err := bodyObject(a)
		if err != nil {
			return nil, err
		}
		return ri.Create(ctx, obj, metav1.CreateOptions{DryRun: dry}, sub...)
	case report.VerbUpdate:
		obj, err := bodyObject(a)
		if err != nil {
			return nil, err
		}
		return ri.Update(ctx, obj, metav1.UpdateOptions{DryRun: dry}, sub...)
	case report.VerbDelete:
		opts := metav1.DeleteOptions{DryRun: dry, GracePeriodSeconds: a.GracePeriodSeconds}
		if a.UID != "" {
			uid := types.UID(a.UID)
			opts.Preconditions = &metav1.Preconditions{UID: &uid}
		}
		return nil, ri.Delete(ctx, a.Name, opts, sub...)
	}
	return nil, fmt.Errorf("unknown verb %q in action on %s", a.Verb, a.Ref())
}

func subresources(a report.Action) []string {
	if a.Subresource == "" {
		return nil
	}
	return []string{a.Subresource}
}

func bodyObject(a report.Action) (*unstructured.Unstructured, error) {
	obj := &unstructured.Unstructured{}
	if err := json.Unmarshal(a.Body, &obj.Object); err != nil {
		return nil, fmt.Errorf("body of the %s of %s is not an object: %w", a.Verb, a.Ref(), err)
	}
	return obj, nil
}

// classify tells what a failed request means for the plan: the object
// changed since it was diagnosed (a precondition failed), it is gone, or
// the server refused the change itself.
func classify(a report.Action, err error) (Outcome, string) {
	var status apierrors.APIStatus
	code := int32(0)
	if errors.As(err, &status) {
		code = status.Status().Code
	}
	switch {
	case apierrors.IsConflict(err):
		return Conflict, fmt.Sprintf("%s changed since it was diagnosed (%v); the other writer's change is kept: diagnose again", a.Ref(), err)
	case apierrors.IsAlreadyExists(err):
		return Conflict, fmt.Sprintf("%s was created meanwhile by someone else; it is kept as it is: diagnose again", a.Ref())
	case code == http.StatusUnprocessableEntity && a.PatchType == report.PatchJSON && !hasCauses(status):
		// Our JSON patches are well-formed: the server cannot apply one
		// only when a test op failed or a path is gone, that is when the
		// value diagnosed is not there any more.
		return Conflict, fmt.Sprintf("%s changed since it was diagnosed (the patch's test of the value as diagnosed failed: %v); the other writer's change is kept: diagnose again", a.Ref(), err)
	case errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded):
		return Refused, fmt.Sprintf("the %s of %s was interrupted and may not have reached the API server (%v)", a.Verb, a.Ref(), err)
	case apierrors.IsNotFound(err) && (a.Verb == report.VerbDelete || strings.Contains(string(a.Body), "/metadata/finalizers")):
		// Deleting it, or letting its deletion finish, was the point.
		return Resolved, fmt.Sprintf("%s is already gone", a.Ref())
	case apierrors.IsNotFound(err):
		return Conflict, fmt.Sprintf("%s no longer exists", a.Ref())
	}
	return Failed, fmt.Sprintf("the API server refused the %s of %s: %v", a.Verb, a.Ref(), err)
}

// hasCauses tells a validation rejection (422 with field causes) from a
// JSON patch that could not be applied (422 without them).
func hasCauses(status apierrors.APIStatus) bool {
	d := status.Status().Details
	return d != nil && len(d.Causes) > 0
}
