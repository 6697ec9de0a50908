// Package scenario loads and applies the test scenarios in test/scenarios:
// a broken Argo CD state as YAML plus what the plugin must say about it.
// The same folders feed the end-to-end tests and `make demo`; the format is
// described in test/scenarios/README.md.
package scenario

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/util/validation"
	"k8s.io/client-go/discovery"
	"k8s.io/client-go/rest"
	"sigs.k8s.io/yaml"

	"github.com/argofix/kubectl-argofix/test/controlplane"
)

// File and folder names of the format.
const (
	SpecFile    = "scenario.yaml"
	ObjectsFile = "objects.yaml"
	// BaseDir holds the objects every scenario starts from (unless base: false).
	BaseDir = "_base"
)

// Pseudo-annotations read by the loader and stripped before create.
const (
	annotationPrefix = "argofix.test/"
	// AnnotationDelete deletes the object right after creation, without
	// waiting: with a finalizer it stays Terminating.
	AnnotationDelete = annotationPrefix + "delete"
	// AnnotationPatch sends the object as a strategic-merge patch to the
	// existing object of that kind and name, as `kubectl patch` does: how
	// install scenarios change what install.yaml made.
	AnnotationPatch = annotationPrefix + "patch"
	// PatchFieldManager is the field manager of those patches, the one
	// `kubectl patch` writes, so that managedFields dates them as a user's
	// change would be dated.
	PatchFieldManager = "kubectl-patch"
)

// Spec is scenario.yaml.
type Spec struct {
	Description string `json:"description"`
	// Diagnose are the plugin arguments after `diagnose`, e.g. [app, guestbook].
	Diagnose []string `json:"diagnose"`
	// Expect are finding ids that must be reported.
	Expect []string `json:"expect,omitempty"`
	// Forbid are finding ids that must not be reported.
	Forbid []string `json:"forbid,omitempty"`
	// ExitCode is the expected exit status, when given.
	ExitCode *int `json:"exitCode,omitempty"`
	// Base false skips test/scenarios/_base/objects.yaml.
	Base *bool `json:"base,omitempty"`
	// Install: Argo CD's install.yaml is installed into the scenario
	// namespace first (its components run under kwok), instead of _base;
	// objects.yaml then changes that installation (see AnnotationPatch).
	Install bool `json:"install,omitempty"`
}

// Scenario is one loaded scenario folder.
type Scenario struct {
	// Name is the folder name; it is also the namespace the scenario lives
	// in, which plays the Argo CD namespace (--argocd-namespace and -n).
	Name string
	// Dir is the scenario folder.
	Dir string
	Spec
}

// Namespace is where the scenario's objects go.
func (s Scenario) Namespace() string { return s.Name }

// UsesBase reports whether _base/objects.yaml is applied first.
func (s Scenario) UsesBase() bool { return !s.Install && (s.Base == nil || *s.Base) }

// Load reads and validates dir/scenario.yaml.
func Load(dir string) (Scenario, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return Scenario{}, fmt.Errorf("resolving scenario folder %s: %w", dir, err)
	}
	s := Scenario{Name: filepath.Base(abs), Dir: abs}
	data, err := os.ReadFile(filepath.Join(abs, SpecFile))
	if err != nil {
		return Scenario{}, fmt.Errorf("reading scenario %s: %w", s.Name, err)
	}
	if err := yaml.UnmarshalStrict(data, &s.Spec); err != nil {
		return Scenario{}, fmt.Errorf("parsing %s: %w", filepath.Join(abs, SpecFile), err)
	}
	if err := s.validate(); err != nil {
		return Scenario{}, fmt.Errorf("scenario %s: %w", s.Name, err)
	}
	return s, nil
}

func (s Scenario) validate() error {
	var errs []error
	if msgs := validation.IsDNS1123Label(s.Name); len(msgs) > 0 {
		errs = append(errs, fmt.Errorf("folder name is the namespace and must be a DNS label: %s", strings.Join(msgs, "; ")))
	}
	if strings.TrimSpace(s.Description) == "" {
		errs = append(errs, errors.New("description is empty"))
	}
	if len(s.Diagnose) == 0 {
		errs = append(errs, errors.New("diagnose is empty"))
	}
	if len(s.Expect) == 0 && len(s.Forbid) == 0 && s.ExitCode == nil {
		errs = append(errs, errors.New("nothing to check: give expect, forbid or exitCode"))
	}
	for _, id := range s.Expect {
		if slices.Contains(s.Forbid, id) {
			errs = append(errs, fmt.Errorf("finding %q both expected and forbidden", id))
		}
	}
	return errors.Join(errs...)
}

// LoadAll loads every scenario folder under root (folders holding a
// scenario.yaml; names starting with "_" are shared inputs), sorted by name.
func LoadAll(root string) ([]Scenario, error) {
	entries, err := os.ReadDir(root)
	if err != nil {
		return nil, fmt.Errorf("reading scenarios folder: %w", err)
	}
	var out []Scenario
	for _, e := range entries {
		if !e.IsDir() || strings.HasPrefix(e.Name(), "_") || strings.HasPrefix(e.Name(), ".") {
			continue
		}
		dir := filepath.Join(root, e.Name())
		if _, err := os.Stat(filepath.Join(dir, SpecFile)); err != nil {
			continue
		}
		s, err := Load(dir)
		if err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, nil
}

// Apply loads the scenario in dir and creates it: its namespace, the base
// objects unless base: false, then objects.yaml in order. A scenario is
// applied once per cluster: an existing namespace is an error.
func Apply(ctx context.Context, cfg *rest.Config, dir string) (Scenario, error) {
	return ApplyWith(ctx, cfg, dir, nil)
}

// Installer installs Argo CD into a namespace (controlplane's InstallArgoCD).
type Installer func(ctx context.Context, ns string) error

// ApplyWith is Apply, with the installer that install: true scenarios need.
func ApplyWith(ctx context.Context, cfg *rest.Config, dir string, install Installer) (Scenario, error) {
	s, err := Load(dir)
	if err != nil {
		return Scenario{}, err
	}
	if s.Install && install == nil {
		return Scenario{}, fmt.Errorf("scenario %s installs Argo CD (install: true), but no installer was given", s.Name)
	}
	c, err := newCreator(cfg)
	if err != nil {
		return Scenario{}, err
	}
	ns := &unstructured.Unstructured{}
	ns.SetAPIVersion("v1")
	ns.SetKind("Namespace")
	ns.SetName(s.Namespace())
	if err := c.create(ctx, ns, ""); err != nil {
		if apierrors.IsAlreadyExists(err) {
			return Scenario{}, fmt.Errorf("scenario %s: namespace %s already exists (a scenario is applied once per cluster): %w", s.Name, s.Namespace(), err)
		}
		return Scenario{}, fmt.Errorf("scenario %s: %w", s.Name, err)
	}
	if s.Install {
		if err := install(ctx, s.Namespace()); err != nil {
			return Scenario{}, fmt.Errorf("scenario %s: installing Argo CD: %w", s.Name, err)
		}
		c.afterPodsStarted = s.Namespace()
	}
	var files []string
	if s.UsesBase() {
		files = append(files, filepath.Join(filepath.Dir(s.Dir), BaseDir, ObjectsFile))
	}
	files = append(files, filepath.Join(s.Dir, ObjectsFile))
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			return Scenario{}, fmt.Errorf("scenario %s: reading objects: %w", s.Name, err)
		}
		objs, err := controlplane.DecodeYAML(data)
		if err != nil {
			return Scenario{}, fmt.Errorf("scenario %s: %s: %w", s.Name, f, err)
		}
		for _, o := range objs {
			if err := c.create(ctx, o, s.Namespace()); err != nil {
				return Scenario{}, fmt.Errorf("scenario %s: %s: %w", s.Name, filepath.Base(f), err)
			}
		}
	}
	return s, nil
}

// creator creates objects with the loader's semantics (status, delete).
type creator struct {
	applier *controlplane.Applier
	disco   discovery.DiscoveryInterface
	// statusSub caches, per group/version, which resources have /status.
	statusSub map[schema.GroupVersion]map[string]bool
	// afterPodsStarted: before the first patch, wait until the clock is
	// past the second the newest pod of this namespace started, so that a
	// patched setting is dated strictly after the pods (both times have
	// one-second precision).
	afterPodsStarted string
}

func newCreator(cfg *rest.Config) (*creator, error) {
	a, err := controlplane.NewApplier(cfg)
	if err != nil {
		return nil, err
	}
	d, err := discovery.NewDiscoveryClientForConfig(cfg)
	if err != nil {
		return nil, fmt.Errorf("building discovery client: %w", err)
	}
	return &creator{applier: a, disco: d, statusSub: map[schema.GroupVersion]map[string]bool{}}, nil
}

func (c *creator) hasStatusSubresource(gvr schema.GroupVersionResource) (bool, error) {
	gv := gvr.GroupVersion()
	subs, ok := c.statusSub[gv]
	if !ok {
		list, err := c.disco.ServerResourcesForGroupVersion(gv.String())
		if err != nil {
			return false, fmt.Errorf("discovering %s: %w", gv, err)
		}
		subs = map[string]bool{}
		for _, r := range list.APIResources {
			if base, ok := strings.CutSuffix(r.Name, "/status"); ok {
				subs[base] = true
			}
		}
		c.statusSub[gv] = subs
	}
	return subs[gvr.Resource], nil
}

// create creates obj (namespaced objects without namespace go into ns),
// writes its status through the status subresource when the kind has one,
// and deletes it when it carries AnnotationDelete.
func (c *creator) create(ctx context.Context, obj *unstructured.Unstructured, ns string) error {
	obj = obj.DeepCopy()
	patch := obj.GetAnnotations()[AnnotationPatch] == "true"
	if patch {
		anns := obj.GetAnnotations()
		delete(anns, AnnotationPatch)
		if len(anns) == 0 {
			anns = nil
		}
		obj.SetAnnotations(anns)
	}
	del, err := takePseudoAnnotations(obj)
	if err != nil {
		return err
	}
	gvk := obj.GroupVersionKind()
	m, err := c.applier.Mapper().RESTMapping(gvk.GroupKind(), gvk.Version)
	if err != nil {
		return fmt.Errorf("%s %s: kind not served: %w", gvk.Kind, obj.GetName(), err)
	}
	res := c.applier.Dynamic().Resource(m.Resource)
	var ri interface {
		Create(context.Context, *unstructured.Unstructured, metav1.CreateOptions, ...string) (*unstructured.Unstructured, error)
		UpdateStatus(context.Context, *unstructured.Unstructured, metav1.UpdateOptions) (*unstructured.Unstructured, error)
		Delete(context.Context, string, metav1.DeleteOptions, ...string) error
	} = res
	if m.Scope.Name() == meta.RESTScopeNameNamespace {
		if obj.GetNamespace() == "" {
			obj.SetNamespace(ns)
		}
		ri = res.Namespace(obj.GetNamespace())
	}
	if err := c.resolveOwners(ctx, obj); err != nil {
		return err
	}
	id := fmt.Sprintf("%s %s", gvk.Kind, nameOf(obj))
	if patch {
		return c.patch(ctx, res.Namespace(obj.GetNamespace()), m.Scope.Name() == meta.RESTScopeNameNamespace, res, obj, id)
	}

	status, hasStatus := obj.Object["status"]
	sub := false
	if hasStatus {
		if sub, err = c.hasStatusSubresource(m.Resource); err != nil {
			return err
		}
	}
	if sub {
		// The create would drop status anyway; it is written below.
		delete(obj.Object, "status")
	}
	created, err := ri.Create(ctx, obj, metav1.CreateOptions{FieldManager: controlplane.FieldManager})
	if err != nil {
		return fmt.Errorf("creating %s: %w", id, err)
	}
	if sub {
		created.Object["status"] = status
		if _, err := ri.UpdateStatus(ctx, created, metav1.UpdateOptions{FieldManager: controlplane.FieldManager}); err != nil {
			return fmt.Errorf("writing status of %s: %w", id, err)
		}
	}
	if del {
		// No wait: an object held by a finalizer stays Terminating, which
		// is the state under test.
		if err := ri.Delete(ctx, obj.GetName(), metav1.DeleteOptions{}); err != nil {
			return fmt.Errorf("deleting %s: %w", id, err)
		}
	}
	return nil
}

// takePseudoAnnotations strips argofix.test/* annotations and reports
// whether the object is to be deleted after creation.
func takePseudoAnnotations(obj *unstructured.Unstructured) (bool, error) {
	ann := obj.GetAnnotations()
	del := false
	for k, v := range ann {
		if !strings.HasPrefix(k, annotationPrefix) {
			continue
		}
		switch k {
		case AnnotationDelete:
			del = v == "true"
		default:
			return false, fmt.Errorf("%s %s: unknown pseudo-annotation %s", obj.GetKind(), nameOf(obj), k)
		}
		delete(ann, k)
	}
	if len(ann) == 0 {
		ann = nil
	}
	obj.SetAnnotations(ann)
	return del, nil
}

func nameOf(obj *unstructured.Unstructured) string {
	if obj.GetNamespace() != "" {
		return obj.GetNamespace() + "/" + obj.GetName()
	}
	return obj.GetName()
}

// resolveOwners gives each ownerReference that names an object created
// earlier in the scenario (same namespace) that object's real UID: a
// fixture cannot know UIDs, and the garbage collector deletes a dependent
// whose owner UID does not exist. An owner that does not exist keeps the
// UID written, so a scenario can still model an owner that is gone.
func (c *creator) resolveOwners(ctx context.Context, obj *unstructured.Unstructured) error {
	refs := obj.GetOwnerReferences()
	for i, ref := range refs {
		gv, err := schema.ParseGroupVersion(ref.APIVersion)
		if err != nil {
			return fmt.Errorf("%s: ownerReference apiVersion %q: %w", nameOf(obj), ref.APIVersion, err)
		}
		m, err := c.applier.Mapper().RESTMapping(schema.GroupKind{Group: gv.Group, Kind: ref.Kind}, gv.Version)
		if err != nil {
			continue
		}
		ri := c.applier.Dynamic().Resource(m.Resource)
		var owner *unstructured.Unstructured
		if m.Scope.Name() == meta.RESTScopeNameNamespace {
			owner, err = ri.Namespace(obj.GetNamespace()).Get(ctx, ref.Name, metav1.GetOptions{})
		} else {
			owner, err = ri.Get(ctx, ref.Name, metav1.GetOptions{})
		}
		if err == nil {
			refs[i].UID = owner.GetUID()
		}
	}
	if len(refs) > 0 {
		obj.SetOwnerReferences(refs)
	}
	return nil
}
