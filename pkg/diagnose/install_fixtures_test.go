package diagnose

import (
	"fmt"
	"slices"
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/types"

	"github.com/argofix/kubectl-argofix/pkg/argocd"
	"github.com/argofix/kubectl-argofix/pkg/report"
	"github.com/argofix/kubectl-argofix/pkg/snapshot"
)

const testArgoImage = "quay.io/argoproj/argocd:v2.14.21"

// installSnapshot is a default install.yaml installation as collected: the
// workloads with one ready pod each, started an hour ago; the ConfigMaps
// written two hours ago; Kubernetes v1.30; the v2.14 Application CRD.
func installSnapshot(mutate ...func(*snapshot.Snapshot)) *snapshot.Snapshot {
	s := testSnapshot()
	for _, src := range []snapshot.Source{snapshot.InstallWorkloads, snapshot.InstallPods, snapshot.InstallConfig, snapshot.ServerVersion} {
		s.Read[src] = true
	}
	s.Applications = nil
	cmTime := metav1.NewTime(testNow.Add(-2 * time.Hour))
	cm := func(name string, data map[string]string) *corev1.ConfigMap {
		c := &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: "argocd", CreationTimestamp: cmTime, ResourceVersion: "100"}, Data: data}
		if len(data) > 0 {
			c.ManagedFields = []metav1.ManagedFieldsEntry{managedData("argocd-test", cmTime.Time, keysOf(data)...)}
		}
		return c
	}
	s.Install = snapshot.Installation{
		ConfigMaps: map[string]*corev1.ConfigMap{
			argocd.ConfigMapName:      cm(argocd.ConfigMapName, map[string]string{"timeout.reconciliation": "180s"}),
			argocd.CmdParamsConfigMap: cm(argocd.CmdParamsConfigMap, nil),
			argocd.RBACConfigMapName:  cm(argocd.RBACConfigMapName, nil),
		},
		ServerVersion: "v1.30.4",
	}
	addDeployment(s, argocd.ComponentRepoServer, testArgoImage, 1, keyRef("ARGOCD_REPO_SERVER_PARALLELISM_LIMIT", argocd.CmdParamsConfigMap, argocd.ParamRepoParallelismLimit))
	addDeployment(s, argocd.ComponentServer, testArgoImage, 1, keyRef("ARGOCD_SERVER_INSECURE", argocd.CmdParamsConfigMap, argocd.ParamServerInsecure))
	addDeployment(s, argocd.ComponentRedis, "redis:7.2.11-alpine", 1)
	addDeployment(s, argocd.ComponentApplicationSet, testArgoImage, 1)
	addDeployment(s, "argocd-dex-server", "ghcr.io/dexidp/dex:v2.41.1", 1)
	addStatefulSet(s, argocd.ComponentController, testArgoImage, 1,
		corev1.EnvVar{Name: argocd.EnvControllerReplicas, Value: "1"},
		keyRef("ARGOCD_RECONCILIATION_TIMEOUT", argocd.ConfigMapName, "timeout.reconciliation"),
		keyRef("ARGOCD_APPLICATION_CONTROLLER_STATUS_PROCESSORS", argocd.CmdParamsConfigMap, argocd.ParamStatusProcessors),
		keyRef("ARGOCD_APPLICATION_CONTROLLER_OPERATION_PROCESSORS", argocd.CmdParamsConfigMap, argocd.ParamOperationProcessors))
	s.ArgoCRDs = []unstructured.Unstructured{applicationCRD("sources", "sourceHydrator")}
	for _, m := range mutate {
		m(s)
	}
	return s
}

func keysOf(m map[string]string) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

// managedData is a managedFields entry owning data keys.
func managedData(manager string, at time.Time, keys ...string) metav1.ManagedFieldsEntry {
	fields := `{"f:data":{`
	for i, k := range keys {
		if i > 0 {
			fields += ","
		}
		fields += fmt.Sprintf(`"f:%s":{}`, k)
	}
	fields += `}}`
	t := metav1.NewTime(at)
	return metav1.ManagedFieldsEntry{Manager: manager, Operation: metav1.ManagedFieldsOperationUpdate, Time: &t,
		FieldsType: "FieldsV1", FieldsV1: metav1.NewFieldsV1(fields)}
}

func keyRef(env, cm, key string) corev1.EnvVar {
	return corev1.EnvVar{Name: env, ValueFrom: &corev1.EnvVarSource{ConfigMapKeyRef: &corev1.ConfigMapKeySelector{
		LocalObjectReference: corev1.LocalObjectReference{Name: cm}, Key: key}}}
}

func podTemplate(name, image string, env []corev1.EnvVar) corev1.PodTemplateSpec {
	return corev1.PodTemplateSpec{
		ObjectMeta: metav1.ObjectMeta{Labels: map[string]string{nameLabel: name}},
		Spec:       corev1.PodSpec{Containers: []corev1.Container{{Name: name, Image: image, Env: env}}},
	}
}

func addPod(s *snapshot.Snapshot, component string, i int) {
	started := metav1.NewTime(testNow.Add(-time.Hour))
	s.Install.Pods = append(s.Install.Pods, corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{Name: fmt.Sprintf("%s-%d", component, i), Namespace: "argocd", Labels: map[string]string{nameLabel: component},
			CreationTimestamp: started},
		Spec:   corev1.PodSpec{NodeName: "node-1"},
		Status: corev1.PodStatus{Phase: corev1.PodRunning, StartTime: &started},
	})
}

func addDeployment(s *snapshot.Snapshot, name, image string, replicas int32, env ...corev1.EnvVar) {
	r := replicas
	s.Install.Deployments = append(s.Install.Deployments, appsv1.Deployment{
		ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: "argocd", UID: types.UID("uid-" + name), Generation: 3,
			Labels: map[string]string{nameLabel: name, "app.kubernetes.io/part-of": "argocd"}},
		Spec: appsv1.DeploymentSpec{Replicas: &r, Selector: &metav1.LabelSelector{MatchLabels: map[string]string{nameLabel: name}},
			Template: podTemplate(name, image, env)},
		Status: appsv1.DeploymentStatus{ReadyReplicas: replicas},
	})
	for i := range int(replicas) {
		addPod(s, name, i)
	}
}

func addStatefulSet(s *snapshot.Snapshot, name, image string, replicas int32, env ...corev1.EnvVar) {
	r := replicas
	s.Install.StatefulSets = append(s.Install.StatefulSets, appsv1.StatefulSet{
		ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: "argocd", UID: types.UID("uid-" + name), Generation: 2,
			Labels: map[string]string{nameLabel: name, "app.kubernetes.io/part-of": "argocd"}},
		Spec: appsv1.StatefulSetSpec{Replicas: &r, Selector: &metav1.LabelSelector{MatchLabels: map[string]string{nameLabel: name}},
			Template: podTemplate(name, image, env)},
		Status: appsv1.StatefulSetStatus{ReadyReplicas: replicas},
	})
	for i := range int(replicas) {
		addPod(s, name, i)
	}
}

// applicationCRD is an Application CRD whose schema has these top-level
// spec properties and status.controllerNamespace and status.sourceHydrator
// when spec has sourceHydrator.
func applicationCRD(specFields ...string) unstructured.Unstructured {
	props := func(names ...string) map[string]any {
		m := map[string]any{}
		for _, n := range names {
			m[n] = map[string]any{"type": "object"}
		}
		return m
	}
	status := []string{"controllerNamespace"}
	if slices.Contains(specFields, "sourceHydrator") {
		status = append(status, "sourceHydrator")
	}
	return unstructured.Unstructured{Object: map[string]any{
		"apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition",
		"metadata": map[string]any{"name": "applications.argoproj.io"},
		"spec": map[string]any{"versions": []any{map[string]any{"name": "v1alpha1", "served": true, "storage": true,
			"schema": map[string]any{"openAPIV3Schema": map[string]any{"properties": map[string]any{
				"spec":   map[string]any{"properties": props(append([]string{"project", "source", "destination"}, specFields...)...)},
				"status": map[string]any{"properties": props(status...)},
			}}}}}},
	}}
}

// deployment returns the named Deployment of the snapshot, to change it.
func deployment(s *snapshot.Snapshot, name string) *appsv1.Deployment {
	for i := range s.Install.Deployments {
		if s.Install.Deployments[i].Name == name {
			return &s.Install.Deployments[i]
		}
	}
	panic("no Deployment " + name)
}

func controllerSTS(s *snapshot.Snapshot) *appsv1.StatefulSet { return &s.Install.StatefulSets[0] }

// setData sets keys of one of the installation's ConfigMaps, written by
// manager at the given time.
func setData(s *snapshot.Snapshot, cm string, at time.Time, kv ...string) {
	c := s.Install.ConfigMaps[cm]
	if c.Data == nil {
		c.Data = map[string]string{}
	}
	var keys []string
	for i := 0; i+1 < len(kv); i += 2 {
		c.Data[kv[i]] = kv[i+1]
		keys = append(keys, kv[i])
	}
	c.ManagedFields = append(c.ManagedFields, managedData("kubectl-patch", at, keys...))
}

// manyApps adds n Applications on one repository.
func addApps(s *snapshot.Snapshot, n int, mutate ...func(*argocd.Application)) {
	for i := range n {
		s.AllApplications = append(s.AllApplications, testApp(fmt.Sprintf("app-%03d", i), mutate...))
	}
}

// runCheck runs one registered check by id, through Run (ignore included).
func runCheck(t *testing.T, id string, s *snapshot.Snapshot) []report.Finding {
	t.Helper()
	for _, c := range Checks() {
		if c.ID == id {
			found, _ := Run(s, []Check{c})
			return found
		}
	}
	t.Fatalf("no check %s", id)
	return nil
}

// objectsOf lists the findings' objects.
func objectsOf(findings []report.Finding) []string {
	out := []string{}
	for _, f := range findings {
		out = append(out, f.ID+" "+f.Object.Kind+"/"+f.Object.Name)
	}
	return out
}

func wantObjects(t *testing.T, got []report.Finding, want ...string) {
	t.Helper()
	if want == nil {
		want = []string{}
	}
	if g := objectsOf(got); !slices.Equal(g, want) {
		t.Errorf("findings %v, want %v", g, want)
		for _, f := range got {
			t.Logf("%s: %s\n  %v", f.ID, f.Summary, f.Evidence)
		}
	}
}
