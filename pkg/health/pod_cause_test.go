package health

import (
	"slices"
	"testing"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/runtime"
)

func TestPodCauses(t *testing.T) {
	tests := []struct {
		name, manifest string
		want           []string
	}{
		{
			name: "ready pod has no cause",
			manifest: `
apiVersion: v1
kind: Pod
metadata: {name: web-1}
status: {phase: Running, conditions: [{type: Ready, status: "True"}]}`,
		},
		{
			name: "unschedulable",
			manifest: `
apiVersion: v1
kind: Pod
metadata: {name: web-1}
status:
  phase: Pending
  conditions: [{type: PodScheduled, status: "False", reason: Unschedulable, message: "0/3 nodes are available: 3 Insufficient memory."}]`,
			want: []string{"not scheduled (Unschedulable): 0/3 nodes are available: 3 Insufficient memory."},
		},
		{
			name: "image pull back-off names the image",
			manifest: `
apiVersion: v1
kind: Pod
metadata: {name: web-1}
spec: {containers: [{name: web, image: "registry.example.com/web:v9"}]}
status:
  phase: Pending
  containerStatuses:
  - {name: web, state: {waiting: {reason: ImagePullBackOff, message: 'Back-off pulling image "registry.example.com/web:v9"'}}}`,
			want: []string{`container web waiting: ImagePullBackOff (image registry.example.com/web:v9): Back-off pulling image "registry.example.com/web:v9"`},
		},
		{
			name: "crash loop with the last termination",
			manifest: `
apiVersion: v1
kind: Pod
metadata: {name: web-1}
spec: {containers: [{name: web, image: web}]}
status:
  phase: Running
  containerStatuses:
  - name: web
    restartCount: 7
    state: {waiting: {reason: CrashLoopBackOff, message: back-off 5m0s restarting failed container}}
    lastState: {terminated: {reason: OOMKilled, exitCode: 137}}`,
			want: []string{
				"container web waiting: CrashLoopBackOff: back-off 5m0s restarting failed container",
				"container web last terminated: OOMKilled, exit code 137, 7 restarts",
			},
		},
		{
			name: "creating is not a cause",
			manifest: `
apiVersion: v1
kind: Pod
metadata: {name: web-1}
status:
  phase: Pending
  containerStatuses: [{name: web, state: {waiting: {reason: ContainerCreating}}}]`,
			want: []string{"status.phase Pending"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var p corev1.Pod
			if err := runtime.DefaultUnstructuredConverter.FromUnstructured(object(t, tt.manifest).Object, &p); err != nil {
				t.Fatal(err)
			}
			if got := PodCauses(&p); !slices.Equal(got, tt.want) {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}

func TestIgnored(t *testing.T) {
	if !Ignored(object(t, `
apiVersion: v1
kind: Service
metadata: {name: s, annotations: {argocd.argoproj.io/ignore-healthcheck: "true"}}`)) {
		t.Error("annotated object not ignored")
	}
	if Ignored(object(t, "apiVersion: v1\nkind: Service\nmetadata: {name: s}")) || Ignored(nil) {
		t.Error("plain object ignored")
	}
}
