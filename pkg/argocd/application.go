// Package argocd holds the small part of Argo CD's API that argofix reads:
// our own types for Applications, AppProjects and cluster Secrets, decoded
// from unstructured objects, and the settings kept in Argo CD's ConfigMaps.
// It deliberately does not import github.com/argoproj/argo-cd.
package argocd

import (
	"strings"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
)

// Group is the API group of every Argo CD resource.
const Group = "argoproj.io"

// Resources served by Argo CD's CRDs.
var (
	ApplicationsResource = schema.GroupVersionResource{Group: Group, Version: "v1alpha1", Resource: "applications"}
	AppProjectsResource  = schema.GroupVersionResource{Group: Group, Version: "v1alpha1", Resource: "appprojects"}
)

// Finalizers that Argo CD puts on Applications. Any resources-finalizer
// variant means a cascading delete.
const (
	ResourcesFinalizer           = "resources-finalizer.argocd.argoproj.io"
	ResourcesFinalizerForeground = "resources-finalizer.argocd.argoproj.io/foreground"
	ResourcesFinalizerBackground = "resources-finalizer.argocd.argoproj.io/background"
	PreDeleteFinalizer           = "pre-delete-finalizer.argocd.argoproj.io"
	PostDeleteFinalizer          = "post-delete-finalizer.argocd.argoproj.io"
	// HookFinalizer is on hook resources, not on Applications.
	HookFinalizer = "argocd.argoproj.io/hook-finalizer"
)

// Application is the part of argoproj.io/v1alpha1 Application argofix reads.
type Application struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata"`
	Spec              ApplicationSpec   `json:"spec"`
	Status            ApplicationStatus `json:"status"`
	Operation         *Operation        `json:"operation,omitempty"`
}

// ApplicationSpec is the desired state of an Application.
type ApplicationSpec struct {
	Project           string                      `json:"project"`
	Destination       Destination                 `json:"destination"`
	Source            *ApplicationSource          `json:"source,omitempty"`
	Sources           []ApplicationSource         `json:"sources,omitempty"`
	SyncPolicy        *SyncPolicy                 `json:"syncPolicy,omitempty"`
	IgnoreDifferences []ResourceIgnoreDifferences `json:"ignoreDifferences,omitempty"`
}

// Destination is where an Application deploys: a cluster by URL or by name.
type Destination struct {
	Server    string `json:"server,omitempty"`
	Name      string `json:"name,omitempty"`
	Namespace string `json:"namespace,omitempty"`
}

// ApplicationSource is one Git, Helm or OCI source of an Application.
type ApplicationSource struct {
	RepoURL        string `json:"repoURL"`
	Path           string `json:"path,omitempty"`
	TargetRevision string `json:"targetRevision,omitempty"`
	Chart          string `json:"chart,omitempty"`
}

// SyncPolicy controls automated sync.
type SyncPolicy struct {
	Automated   *SyncPolicyAutomated `json:"automated,omitempty"`
	SyncOptions []string             `json:"syncOptions,omitempty"`
}

// SyncPolicyAutomated is the automated-sync part of a SyncPolicy.
type SyncPolicyAutomated struct {
	Prune      bool `json:"prune,omitempty"`
	SelfHeal   bool `json:"selfHeal,omitempty"`
	AllowEmpty bool `json:"allowEmpty,omitempty"`
}

// ResourceIgnoreDifferences is one spec.ignoreDifferences entry.
type ResourceIgnoreDifferences struct {
	Group                 string   `json:"group,omitempty"`
	Kind                  string   `json:"kind"`
	Name                  string   `json:"name,omitempty"`
	Namespace             string   `json:"namespace,omitempty"`
	JSONPointers          []string `json:"jsonPointers,omitempty"`
	JQPathExpressions     []string `json:"jqPathExpressions,omitempty"`
	ManagedFieldsManagers []string `json:"managedFieldsManagers,omitempty"`
}

// Operation is a requested (not yet finished) operation on an Application.
type Operation struct {
	Sync *SyncOperation `json:"sync,omitempty"`
}

// SyncOperation is the sync part of an Operation.
type SyncOperation struct {
	Revision string `json:"revision,omitempty"`
}

// ApplicationStatus is what the application-controller observed.
type ApplicationStatus struct {
	Sync                 SyncStatus             `json:"sync"`
	Health               HealthStatus           `json:"health"`
	Conditions           []ApplicationCondition `json:"conditions,omitempty"`
	OperationState       *OperationState        `json:"operationState,omitempty"`
	Resources            []ResourceStatus       `json:"resources,omitempty"`
	ReconciledAt         *metav1.Time           `json:"reconciledAt,omitempty"`
	ControllerNamespace  string                 `json:"controllerNamespace,omitempty"`
	ResourceHealthSource string                 `json:"resourceHealthSource,omitempty"`
}

// SyncStatus compares the live state with Git.
type SyncStatus struct {
	Status    string   `json:"status"`
	Revision  string   `json:"revision,omitempty"`
	Revisions []string `json:"revisions,omitempty"`
}

// HealthStatus is an aggregated or per-resource health.
type HealthStatus struct {
	Status             string       `json:"status,omitempty"`
	Message            string       `json:"message,omitempty"`
	LastTransitionTime *metav1.Time `json:"lastTransitionTime,omitempty"`
}

// ApplicationCondition is one entry of status.conditions.
type ApplicationCondition struct {
	Type               string       `json:"type"`
	Message            string       `json:"message"`
	LastTransitionTime *metav1.Time `json:"lastTransitionTime,omitempty"`
}

// IsError tells whether a condition type is an error (its name ends in "Error").
func (c ApplicationCondition) IsError() bool {
	return strings.HasSuffix(c.Type, "Error")
}

// OperationState is the state of the current or last operation.
type OperationState struct {
	Phase      string       `json:"phase"`
	Message    string       `json:"message,omitempty"`
	StartedAt  metav1.Time  `json:"startedAt"`
	FinishedAt *metav1.Time `json:"finishedAt,omitempty"`
	RetryCount int64        `json:"retryCount,omitempty"`
	SyncResult *SyncResult  `json:"syncResult,omitempty"`
}

// SyncResult lists what the last sync did to each resource.
type SyncResult struct {
	Revision  string           `json:"revision,omitempty"`
	Resources []ResourceResult `json:"resources,omitempty"`
}

// ResourceResult is the outcome of syncing one resource.
type ResourceResult struct {
	Group     string `json:"group,omitempty"`
	Version   string `json:"version,omitempty"`
	Kind      string `json:"kind"`
	Namespace string `json:"namespace,omitempty"`
	Name      string `json:"name"`
	Status    string `json:"status,omitempty"`
	Message   string `json:"message,omitempty"`
	HookPhase string `json:"hookPhase,omitempty"`
	// HookType is PreSync, Sync, PostSync, SyncFail, ... for a hook.
	HookType  string `json:"hookType,omitempty"`
	SyncPhase string `json:"syncPhase,omitempty"`
}

// ResourceStatus is one entry of status.resources: an object the app manages.
type ResourceStatus struct {
	Group                        string        `json:"group,omitempty"`
	Version                      string        `json:"version,omitempty"`
	Kind                         string        `json:"kind"`
	Namespace                    string        `json:"namespace,omitempty"`
	Name                         string        `json:"name"`
	Status                       string        `json:"status,omitempty"`
	Health                       *HealthStatus `json:"health,omitempty"`
	Hook                         bool          `json:"hook,omitempty"`
	RequiresPruning              bool          `json:"requiresPruning,omitempty"`
	SyncWave                     int64         `json:"syncWave,omitempty"`
	RequiresDeletionConfirmation bool          `json:"requiresDeletionConfirmation,omitempty"`
}

// Operation phases.
const (
	PhaseRunning     = "Running"
	PhaseTerminating = "Terminating"
	PhaseFailed      = "Failed"
	PhaseError       = "Error"
	PhaseSucceeded   = "Succeeded"
)

// SourceList returns the app's sources whether it uses spec.source or spec.sources.
func (a *Application) SourceList() []ApplicationSource {
	if len(a.Spec.Sources) > 0 {
		return a.Spec.Sources
	}
	if a.Spec.Source != nil {
		return []ApplicationSource{*a.Spec.Source}
	}
	return nil
}

// HasCascadeFinalizer tells whether deleting the app also deletes its resources.
func (a *Application) HasCascadeFinalizer() bool {
	for _, f := range a.Finalizers {
		switch f {
		case ResourcesFinalizer, ResourcesFinalizerForeground, ResourcesFinalizerBackground:
			return true
		}
	}
	return false
}

// ArgoFinalizers returns the app's finalizers that Argo CD itself owns.
func (a *Application) ArgoFinalizers() []string {
	var out []string
	for _, f := range a.Finalizers {
		if IsArgoFinalizer(f) {
			out = append(out, f)
		}
	}
	return out
}

// IsArgoFinalizer tells whether the application-controller owns a
// finalizer: the resources, pre-delete or post-delete finalizer, or one of
// their /variants.
func IsArgoFinalizer(f string) bool {
	return IsFinalizerOf(f, ResourcesFinalizer) || IsFinalizerOf(f, PreDeleteFinalizer) || IsFinalizerOf(f, PostDeleteFinalizer)
}

// IsFinalizerOf tells whether f is base or one of its /variants
// (resources-finalizer.argocd.argoproj.io/foreground, .../cleanup).
func IsFinalizerOf(f, base string) bool {
	return f == base || strings.HasPrefix(f, base+"/")
}
