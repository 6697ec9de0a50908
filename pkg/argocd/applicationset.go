package argocd

import (
	"fmt"
	"strings"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
)

// ApplicationSet is the part of argoproj.io/v1alpha1 ApplicationSet argofix
// reads: its deletion, strategy and status conditions.
type ApplicationSet struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata"`
	Spec              ApplicationSetSpec   `json:"spec"`
	Status            ApplicationSetStatus `json:"status"`
}

// ApplicationSetSpec is the part of an ApplicationSet's spec the checks
// explain: the deletion order (v3.2+) and the sync policy.
type ApplicationSetSpec struct {
	Strategy   *ApplicationSetStrategy   `json:"strategy,omitempty"`
	SyncPolicy *ApplicationSetSyncPolicy `json:"syncPolicy,omitempty"`
}

// ApplicationSetStrategy holds spec.strategy.deletionOrder (v3.2+:
// Reverse makes the controller put resources-finalizer on the set).
type ApplicationSetStrategy struct {
	Type          string `json:"type,omitempty"`
	DeletionOrder string `json:"deletionOrder,omitempty"`
}

// ApplicationSetSyncPolicy holds spec.syncPolicy.applicationsSync
// (create-only, create-update, create-delete, sync).
type ApplicationSetSyncPolicy struct {
	ApplicationsSync string `json:"applicationsSync,omitempty"`
}

// ApplicationSetStatus is what the applicationset-controller writes.
type ApplicationSetStatus struct {
	Conditions []ApplicationSetCondition `json:"conditions,omitempty"`
}

// ApplicationSetCondition is one entry of an ApplicationSet's
// status.conditions: ErrorOccurred, ParametersGenerated,
// ResourcesUpToDate or RolloutProgressing, with Status True/False/Unknown.
type ApplicationSetCondition struct {
	Type               string       `json:"type"`
	Status             string       `json:"status"`
	Reason             string       `json:"reason,omitempty"`
	Message            string       `json:"message"`
	LastTransitionTime *metav1.Time `json:"lastTransitionTime,omitempty"`
}

// ApplicationSet condition types and the reasons that name a cause.
const (
	AppSetConditionErrorOccurred     = "ErrorOccurred"
	AppSetConditionResourcesUpToDate = "ResourcesUpToDate"
	AppSetReasonValidationError      = "ApplicationValidationError"
	AppSetReasonRenderTemplateError  = "RenderTemplateParamsError"
	AppSetReasonGenerationError      = "ApplicationGenerationFromParamsError"
)

// AppSetNamespacesParam is the argocd-cmd-params-cm key listing the
// namespaces, besides its own, whose ApplicationSets the
// applicationset-controller reconciles.
const AppSetNamespacesParam = "applicationsetcontroller.namespaces"

// Failing lists the conditions that say the set could not be reconciled:
// ErrorOccurred True, ResourcesUpToDate False.
func (a *ApplicationSet) Failing() []ApplicationSetCondition {
	var out []ApplicationSetCondition
	for _, c := range a.Status.Conditions {
		if c.Type == AppSetConditionErrorOccurred && c.Status == string(metav1.ConditionTrue) ||
			c.Type == AppSetConditionResourcesUpToDate && c.Status == string(metav1.ConditionFalse) {
			out = append(out, c)
		}
	}
	return out
}

// Owns tells whether app is one of the set's Applications: an
// ownerReference of kind ApplicationSet naming it (the controller sets it
// as the controller reference). The UID is not compared: a reference to a
// former set of the same name is garbage collected anyway.
func (a *ApplicationSet) Owns(app *Application) bool {
	if app.Namespace != a.Namespace {
		return false
	}
	for _, ref := range app.OwnerReferences {
		if ref.Kind == "ApplicationSet" && strings.HasPrefix(ref.APIVersion, Group+"/") && ref.Name == a.Name {
			return true
		}
	}
	return false
}

// DecodeApplicationSet converts an ApplicationSet read through the dynamic
// client.
func DecodeApplicationSet(u *unstructured.Unstructured) (ApplicationSet, error) {
	var a ApplicationSet
	if err := runtime.DefaultUnstructuredConverter.FromUnstructured(u.Object, &a); err != nil {
		return a, fmt.Errorf("decode ApplicationSet %s/%s: %w", u.GetNamespace(), u.GetName(), err)
	}
	return a, nil
}

// readAppSetParams reads applicationsetcontroller.namespaces.
func (s *Settings) readAppSetParams(cm *corev1.ConfigMap) {
	for _, p := range strings.Split(cm.Data[AppSetNamespacesParam], ",") {
		if p = strings.TrimSpace(p); p != "" {
			s.ApplicationSetNamespaces = append(s.ApplicationSetNamespaces, p)
		}
	}
}

// WatchesAppSetNamespace tells whether the applicationset-controller of
// controlNamespace reconciles ApplicationSets in ns: its own namespace
// always, others only when applicationsetcontroller.namespaces matches
// (globs or /regular expressions/, as for application.namespaces).
func (s Settings) WatchesAppSetNamespace(controlNamespace, ns string) bool {
	return Settings{ApplicationNamespaces: s.ApplicationSetNamespaces}.ReconcilesNamespace(controlNamespace, ns)
}
