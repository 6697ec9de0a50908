package snapshot

import (
	"fmt"
	"strings"
)

// AppNotFoundError says an Application the user named does not exist.
type AppNotFoundError struct {
	Namespace string
	Name      string
	Closest   []string
}

func (e *AppNotFoundError) Error() string {
	msg := fmt.Sprintf("Application %q not found in namespace %q", e.Name, e.Namespace)
	if len(e.Closest) > 0 {
		msg += fmt.Sprintf("; did you mean %s?", strings.Join(e.Closest, ", "))
	} else {
		msg += "; list them with: kubectl get applications.argoproj.io -A"
	}
	return msg
}

// NotInstalledError says the cluster serves no Argo CD Applications.
type NotInstalledError struct{}

func (e *NotInstalledError) Error() string {
	return "Argo CD does not seem to be installed in this cluster (no applications.argoproj.io); check the context, or install Argo CD's CRDs"
}
