package argocd

import (
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

func TestSettingsFromConfigMap(t *testing.T) {
	cm := func(data map[string]string) *corev1.ConfigMap {
		return &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: ConfigMapName, Namespace: "argocd"}, Data: data}
	}
	tests := []struct {
		name    string
		cm      *corev1.ConfigMap
		want    func(Settings) bool
		wantErr string
	}{
		{"absent: defaults", nil, func(s Settings) bool {
			return !s.Found && s.InClusterEnabled && s.InstanceLabelKey == DefaultInstanceKey
		}, ""},
		{"in-cluster disabled", cm(map[string]string{"cluster.inClusterEnabled": "false"}), func(s Settings) bool { return s.Found && !s.InClusterEnabled }, ""},
		{"custom label; keys argofix does not read are not validated", cm(map[string]string{"application.instanceLabelKey": "argocd.argoproj.io/instance", "timeout.reconciliation": "3 minutes"}),
			func(s Settings) bool { return s.InstanceLabelKey == "argocd.argoproj.io/instance" }, ""},
		{"malformed bool", cm(map[string]string{"cluster.inClusterEnabled": "maybe"}), nil, `cluster.inClusterEnabled is "maybe"`},
		{"unknown tracking method", cm(map[string]string{"application.resourceTrackingMethod": "uid"}), nil, "resourceTrackingMethod"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := SettingsFromConfigMap(tt.cm)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) || !strings.Contains(err.Error(), "argocd/argocd-cm") {
					t.Fatalf("err = %v, want one naming argocd/argocd-cm and %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !tt.want(got) {
				t.Errorf("unexpected settings %+v", got)
			}
		})
	}
}

func TestApplicationFinalizers(t *testing.T) {
	app := Application{ObjectMeta: metav1.ObjectMeta{Finalizers: []string{
		"example.com/hold", ResourcesFinalizerForeground, PostDeleteFinalizer + "/cleanup", "resources-finalizer.argocd.argoproj.io.fake",
	}}}
	if !app.HasCascadeFinalizer() {
		t.Error("foreground variant not seen as cascading")
	}
	got := strings.Join(app.ArgoFinalizers(), ",")
	want := ResourcesFinalizerForeground + "," + PostDeleteFinalizer + "/cleanup"
	if got != want {
		t.Errorf("ArgoFinalizers = %s, want %s", got, want)
	}
}

func TestReconcilesNamespace(t *testing.T) {
	var s Settings
	s.ReadCmdParams(&corev1.ConfigMap{Data: map[string]string{"application.namespaces": "team-*, /^prod-[0-9]+$/ ,apps"}})
	for ns, want := range map[string]bool{
		"argocd": true, "team-a": true, "prod-12": true, "apps": true,
		"prod-x": false, "other": false, "apps2": false,
	} {
		if got := s.ReconcilesNamespace("argocd", ns); got != want {
			t.Errorf("ReconcilesNamespace(%q) = %v, want %v", ns, got, want)
		}
	}
}
