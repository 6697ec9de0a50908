package argocd

// Annotations users and argofix set on Applications to ask the controller
// for something.
const (
	// RefreshAnnotation asks the controller to refresh an app ("normal" or
	// "hard"); the controller removes it once it has.
	RefreshAnnotation = "argocd.argoproj.io/refresh"
	// DeletionApprovedAnnotation confirms the deletion of resources that
	// carry Delete=confirm: an RFC 3339 time at or after the app's
	// deletionTimestamp.
	DeletionApprovedAnnotation = "argocd.argoproj.io/deletion-approved"
)

// ControllerSelector finds the application-controller's pods.
const ControllerSelector = "app.kubernetes.io/name=argocd-application-controller"

// CRDLabelSelector selects the CustomResourceDefinitions Argo CD's
// manifests label as its own.
const CRDLabelSelector = "app.kubernetes.io/part-of=argocd"

// CRDNames are the names Argo CD gives its CustomResourceDefinitions.
var CRDNames = []string{"applications.argoproj.io", "appprojects.argoproj.io", "applicationsets.argoproj.io"}
