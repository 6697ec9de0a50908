package e2ereal

import (
	"context"
	"errors"
	"os/exec"
	"strings"
	"testing"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
)

// Guard 6, least damage, against the real controller: an app whose
// project is gone cannot be deleted; create-project recreates the project
// (scoped to the app's repo and destination) and v2.14.21 then finishes the
// deletion itself, deleting the app's resources as asked, with no
// finalizer stripped by anyone.
func TestRealFixCreateProjectFinishesDeletion(t *testing.T) {
	t.Parallel()
	const name = "real-fix-create-project"
	deletionWithProjectGone(t, name, func() {})

	out, code := runFix(t, "fix", "app", name, "-n", argocdNS, "--stuck-after", "0s", "--only", "create-project", "--yes", "--journal-dir", t.TempDir())
	if code != 0 || !strings.Contains(out, "Applied: the create of AppProject.argoproj.io "+argocdNS+"/"+name) {
		t.Fatalf("fix app --only create-project: exit %d\n%s", code, out)
	}
	poll(t, "the controller to finish the deletion (Application gone)", 90*time.Second, func(ctx context.Context) (bool, error) {
		_, err := env.apps.Get(ctx, name)
		return apierrors.IsNotFound(err), nil
	})
	kube := env.apps.Dynamic()
	cms, err := kube.Resource(configMapsResource).Namespace(name).List(t.Context(), metav1.ListOptions{})
	if err != nil {
		t.Fatal(err)
	}
	for _, cm := range cms.Items {
		if cm.GetName() != "kube-root-ca.crt" {
			t.Errorf("managed ConfigMap %s/%s survived the deletion: the controller should have deleted it", name, cm.GetName())
		}
	}
}

var configMapsResource = schema.GroupVersionResource{Version: "v1", Resource: "configmaps"}

// runFix runs the built plugin with a fix command; it returns stdout and
// stderr together, and the exit status.
func runFix(t *testing.T, args ...string) (string, int) {
	t.Helper()
	if env.pluginErr != nil || env.plugin == "" {
		t.Fatalf("%v: %v", errNoPlugin, env.pluginErr)
	}
	full := append([]string{"--kubeconfig", env.kubeconfig, "--argocd-namespace", argocdNS}, args...)
	out, err := exec.CommandContext(t.Context(), env.plugin, full...).CombinedOutput()
	code := 0
	var exit *exec.ExitError
	if errors.As(err, &exit) {
		code = exit.ExitCode()
	} else if err != nil {
		t.Fatalf("running kubectl-argofix: %v", err)
	}
	t.Logf("kubectl-argofix %s: exit %d\n%s", redacted(args), code, out)
	return string(out), code
}
