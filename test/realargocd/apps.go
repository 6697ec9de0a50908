package realargocd

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/apimachinery/pkg/util/wait"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/rest"
)

// Argo CD resources and the names tests need.
var (
	ApplicationGVR = schema.GroupVersionResource{Group: "argoproj.io", Version: "v1alpha1", Resource: "applications"}
	AppProjectGVR  = schema.GroupVersionResource{Group: "argoproj.io", Version: "v1alpha1", Resource: "appprojects"}
)

const (
	// ResourcesFinalizer makes deleting an Application delete what it manages.
	ResourcesFinalizer = "resources-finalizer.argocd.argoproj.io"
	// RefreshAnnotation asks the controller for a refresh; it removes it when done.
	RefreshAnnotation = "argocd.argoproj.io/refresh"
	// InClusterServer is the in-cluster destination; with
	// ARGOCD_FAKE_IN_CLUSTER it is the test cluster.
	InClusterServer = "https://kubernetes.default.svc"
	// FieldManager names the tests' writes in managedFields.
	FieldManager = "argofix-test"
)

// Apps creates and drives Applications in one namespace through the
// dynamic client, the way argocd-server would (which the tests do not run).
type Apps struct {
	dyn dynamic.Interface
	// Namespace is where the Applications live (Argo CD's control namespace
	// unless apps-in-any-namespace is used).
	Namespace string
}

// NewApps builds an Apps for Applications in namespace.
func NewApps(cfg *rest.Config, namespace string) (*Apps, error) {
	dyn, err := dynamic.NewForConfig(cfg)
	if err != nil {
		return nil, fmt.Errorf("building dynamic client: %w", err)
	}
	return &Apps{dyn: dyn, Namespace: namespace}, nil
}

// In returns an Apps for Applications in another namespace.
func (a *Apps) In(namespace string) *Apps { return &Apps{dyn: a.dyn, Namespace: namespace} }

// Dynamic is the underlying client, for the objects Applications manage.
func (a *Apps) Dynamic() dynamic.Interface { return a.dyn }

func (a *Apps) client() dynamic.ResourceInterface {
	return a.dyn.Resource(ApplicationGVR).Namespace(a.Namespace)
}

// AppSpec is the part of an Application the tests vary.
type AppSpec struct {
	Name string
	// Project defaults to "default".
	Project string
	RepoURL string
	// Path inside the repo; default ".".
	Path string
	// Revision defaults to Branch.
	Revision string
	// DestServer defaults to InClusterServer.
	DestServer    string
	DestNamespace string
	// Finalizer adds ResourcesFinalizer (cascade delete), as `argocd app
	// create` users usually do.
	Finalizer bool
	// AutoSync turns on automated sync (no prune, no self-heal).
	AutoSync bool
	// SyncOptions go to spec.syncPolicy.syncOptions, e.g. CreateNamespace=true.
	SyncOptions []string
	Labels      map[string]string
}

// Object renders spec as an Application in namespace ns.
func (s AppSpec) Object(ns string) *unstructured.Unstructured {
	project, path, rev, server := s.Project, s.Path, s.Revision, s.DestServer
	if project == "" {
		project = "default"
	}
	if path == "" {
		path = "."
	}
	if rev == "" {
		rev = Branch
	}
	if server == "" {
		server = InClusterServer
	}
	syncPolicy := map[string]any{}
	if len(s.SyncOptions) > 0 {
		opts := make([]any, 0, len(s.SyncOptions))
		for _, o := range s.SyncOptions {
			opts = append(opts, o)
		}
		syncPolicy["syncOptions"] = opts
	}
	if s.AutoSync {
		syncPolicy["automated"] = map[string]any{}
	}
	meta := map[string]any{"name": s.Name, "namespace": ns}
	if s.Finalizer {
		meta["finalizers"] = []any{ResourcesFinalizer}
	}
	if len(s.Labels) > 0 {
		labels := map[string]any{}
		for k, v := range s.Labels {
			labels[k] = v
		}
		meta["labels"] = labels
	}
	spec := map[string]any{
		"project":     project,
		"source":      map[string]any{"repoURL": s.RepoURL, "path": path, "targetRevision": rev},
		"destination": map[string]any{"server": server, "namespace": s.DestNamespace},
	}
	if len(syncPolicy) > 0 {
		spec["syncPolicy"] = syncPolicy
	}
	return &unstructured.Unstructured{Object: map[string]any{
		"apiVersion": "argoproj.io/v1alpha1",
		"kind":       "Application",
		"metadata":   meta,
		"spec":       spec,
	}}
}

// Create creates the Application described by spec.
func (a *Apps) Create(ctx context.Context, spec AppSpec) (*unstructured.Unstructured, error) {
	out, err := a.client().Create(ctx, spec.Object(a.Namespace), metav1.CreateOptions{FieldManager: FieldManager})
	if err != nil {
		return nil, fmt.Errorf("creating Application %s/%s: %w", a.Namespace, spec.Name, err)
	}
	return out, nil
}

// Get reads an Application.
func (a *Apps) Get(ctx context.Context, name string) (*unstructured.Unstructured, error) {
	out, err := a.client().Get(ctx, name, metav1.GetOptions{})
	if err != nil {
		return nil, fmt.Errorf("reading Application %s/%s: %w", a.Namespace, name, err)
	}
	return out, nil
}

// Sync starts a sync to revision (Branch when empty) by writing the
// Application's operation field, which is all argocd-server does for
// `argocd app sync`. The app's spec.syncPolicy.syncOptions are copied into
// the operation like the CLI does: the controller reads only the latter.
func (a *Apps) Sync(ctx context.Context, name, revision string) error {
	if revision == "" {
		revision = Branch
	}
	app, err := a.Get(ctx, name)
	if err != nil {
		return err
	}
	sync := map[string]any{"revision": revision}
	opts, found, err := unstructured.NestedStringSlice(app.Object, "spec", "syncPolicy", "syncOptions")
	if err != nil {
		return fmt.Errorf("reading syncOptions of Application %s/%s: %w", a.Namespace, name, err)
	}
	if found && len(opts) > 0 {
		sync["syncOptions"] = opts
	}
	return a.mergePatch(ctx, name, map[string]any{
		"operation": map[string]any{
			"initiatedBy": map[string]any{"username": FieldManager},
			"sync":        sync,
		},
	})
}

// HardRefresh asks the controller to regenerate manifests (skip the
// repo-server cache) and compare again.
func (a *Apps) HardRefresh(ctx context.Context, name string) error {
	return a.mergePatch(ctx, name, map[string]any{
		"metadata": map[string]any{"annotations": map[string]any{RefreshAnnotation: "hard"}},
	})
}

// DeleteNoWait deletes the Application in the background and returns at
// once: with finalizers it stays, with a deletionTimestamp, until Argo CD
// (or nobody) finishes.
func (a *Apps) DeleteNoWait(ctx context.Context, name string) error {
	policy := metav1.DeletePropagationBackground
	if err := a.client().Delete(ctx, name, metav1.DeleteOptions{PropagationPolicy: &policy}); err != nil {
		return fmt.Errorf("deleting Application %s/%s: %w", a.Namespace, name, err)
	}
	return nil
}

// RemoveFinalizers clears an Application's finalizers (test cleanup of
// apps meant to hang).
func (a *Apps) RemoveFinalizers(ctx context.Context, name string) error {
	err := a.mergePatch(ctx, name, map[string]any{"metadata": map[string]any{"finalizers": nil}})
	if apierrors.IsNotFound(err) {
		return nil
	}
	return err
}

func (a *Apps) mergePatch(ctx context.Context, name string, patch map[string]any) error {
	data, err := json.Marshal(patch)
	if err != nil {
		return fmt.Errorf("encoding patch for Application %s/%s: %w", a.Namespace, name, err)
	}
	if _, err := a.client().Patch(ctx, name, types.MergePatchType, data, metav1.PatchOptions{FieldManager: FieldManager}); err != nil {
		return fmt.Errorf("patching Application %s/%s: %w", a.Namespace, name, err)
	}
	return nil
}

// WaitFor polls the Application until cond holds and returns it. A
// missing Application is passed to cond as nil (so a test can wait for it
// to be gone). On timeout the error carries the last status seen.
func (a *Apps) WaitFor(ctx context.Context, name string, cond func(app *unstructured.Unstructured) bool, timeout time.Duration) (*unstructured.Unstructured, error) {
	var last *unstructured.Unstructured
	err := wait.PollUntilContextTimeout(ctx, 200*time.Millisecond, timeout, true, func(ctx context.Context) (bool, error) {
		app, err := a.client().Get(ctx, name, metav1.GetOptions{})
		switch {
		case apierrors.IsNotFound(err):
			last = nil
		case err != nil:
			return false, fmt.Errorf("reading Application %s/%s: %w", a.Namespace, name, err)
		default:
			last = app
		}
		return cond(last), nil
	})
	if err != nil {
		return last, fmt.Errorf("waiting for Application %s/%s (last seen: %s): %w", a.Namespace, name, Describe(last), err)
	}
	return last, nil
}

// Status is the part of an Application's status the tests look at.
type Status struct {
	Sync struct {
		Status   string `json:"status"`
		Revision string `json:"revision"`
	} `json:"sync"`
	Health struct {
		Status  string `json:"status"`
		Message string `json:"message"`
	} `json:"health"`
	Conditions []struct {
		Type    string `json:"type"`
		Message string `json:"message"`
	} `json:"conditions"`
	OperationState *struct {
		Phase      string `json:"phase"`
		Message    string `json:"message"`
		RetryCount int    `json:"retryCount"`
		StartedAt  string `json:"startedAt"`
		FinishedAt string `json:"finishedAt"`
	} `json:"operationState"`
	Resources []struct {
		Group     string `json:"group"`
		Kind      string `json:"kind"`
		Namespace string `json:"namespace"`
		Name      string `json:"name"`
		Status    string `json:"status"`
		Health    *struct {
			Status  string `json:"status"`
			Message string `json:"message"`
		} `json:"health"`
	} `json:"resources"`
}

// StatusOf decodes app.status; a nil app or missing status gives a zero Status.
func StatusOf(app *unstructured.Unstructured) (Status, error) {
	var st Status
	if app == nil {
		return st, nil
	}
	raw, found, err := unstructured.NestedMap(app.Object, "status")
	if err != nil || !found {
		return st, err
	}
	if err := runtime.DefaultUnstructuredConverter.FromUnstructured(raw, &st); err != nil {
		return st, fmt.Errorf("decoding status of Application %s: %w", app.GetName(), err)
	}
	return st, nil
}

// HasCondition reports whether app has a condition of type typ.
func HasCondition(app *unstructured.Unstructured, typ string) bool {
	st, err := StatusOf(app)
	if err != nil {
		return false
	}
	for _, c := range st.Conditions {
		if c.Type == typ {
			return true
		}
	}
	return false
}

// OperationPhase is status.operationState.phase, "" when there is none.
func OperationPhase(app *unstructured.Unstructured) string {
	st, err := StatusOf(app)
	if err != nil || st.OperationState == nil {
		return ""
	}
	return st.OperationState.Phase
}

// SyncedHealthy reports whether the app is Synced and Healthy and its last
// operation (if any) Succeeded.
func SyncedHealthy(app *unstructured.Unstructured) bool {
	st, err := StatusOf(app)
	if err != nil {
		return false
	}
	return st.Sync.Status == "Synced" && st.Health.Status == "Healthy" &&
		(st.OperationState == nil || st.OperationState.Phase == "Succeeded")
}

// Describe renders what Argo CD wrote to an Application (status, finalizers,
// deletionTimestamp) as JSON, for logs, error messages and OBSERVED.md.
func Describe(app *unstructured.Unstructured) string {
	if app == nil {
		return "<absent>"
	}
	view := map[string]any{
		"name":       app.GetNamespace() + "/" + app.GetName(),
		"finalizers": app.GetFinalizers(),
	}
	if ts := app.GetDeletionTimestamp(); ts != nil {
		view["deletionTimestamp"] = ts.UTC().Format(time.RFC3339)
	}
	if st, found, err := unstructured.NestedMap(app.Object, "status"); err == nil && found {
		// history and the summary's images add bulk and nothing a check uses.
		delete(st, "history")
		delete(st, "summary")
		view["status"] = st
	}
	if op, found, err := unstructured.NestedMap(app.Object, "operation"); err == nil && found {
		view["operation"] = op
	}
	b, err := json.MarshalIndent(view, "", "  ")
	if err != nil {
		return fmt.Sprintf("(cannot render Application %s: %v)", app.GetName(), err)
	}
	return string(b)
}
