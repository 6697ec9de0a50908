package argocd

import (
	"fmt"
	"strconv"
	"strings"
)

// The app.kubernetes.io/name labels of Argo CD's components.
const (
	ComponentController     = "argocd-application-controller"
	ComponentRepoServer     = "argocd-repo-server"
	ComponentServer         = "argocd-server"
	ComponentRedis          = "argocd-redis"
	ComponentApplicationSet = "argocd-applicationset-controller"
)

// CoreComponents are the components without which Argo CD does not work:
// no ready replica of one of them is an outage.
var CoreComponents = []string{ComponentController, ComponentRepoServer, ComponentServer, ComponentRedis, ComponentApplicationSet}

// Environment variables and argocd-cmd-params-cm keys the installation
// audit reads.
const (
	EnvControllerReplicas     = "ARGOCD_CONTROLLER_REPLICAS"
	EnvAPIServerReplicas      = "ARGOCD_API_SERVER_REPLICAS"
	EnvClusterCacheResync     = "ARGOCD_CLUSTER_CACHE_RESYNC_DURATION"
	ParamStatusProcessors     = "controller.status.processors"
	ParamOperationProcessors  = "controller.operation.processors"
	ParamShardingAlgorithm    = "controller.sharding.algorithm"
	ParamRepoParallelismLimit = "reposerver.parallelism.limit"
	ParamServerInsecure       = "server.insecure"
	ParamServerDisableAuth    = "server.disable.auth"
	// ManifestGeneratePathsAnnotation lists the paths whose changes
	// regenerate an app's manifests; without it every commit to a
	// monorepo regenerates every app on it.
	ManifestGeneratePathsAnnotation = "argocd.argoproj.io/manifest-generate-paths"
)

// Default processor counts (argocd-cmd-params-cm) and the practice guide's
// sizing: about 400 Applications per controller replica with the defaults,
// 1,000 with status 50 / operation 25.
const (
	DefaultStatusProcessors    = 20
	DefaultOperationProcessors = 10
	AppsPerReplicaDefault      = 400
	LargeStatusProcessors      = 50
	LargeOperationProcessors   = 25
	AppsPerReplicaLarge        = 1000
)

// Version is a parsed Argo CD or Kubernetes version.
type Version struct {
	Major, Minor, Patch int
}

func (v Version) String() string { return fmt.Sprintf("v%d.%d.%d", v.Major, v.Minor, v.Patch) }

// MinorString is "2.14".
func (v Version) MinorString() string { return fmt.Sprintf("%d.%d", v.Major, v.Minor) }

// Less orders versions.
func (v Version) Less(o Version) bool {
	if v.Major != o.Major {
		return v.Major < o.Major
	}
	if v.Minor != o.Minor {
		return v.Minor < o.Minor
	}
	return v.Patch < o.Patch
}

// ParseVersion reads "v2.14.21", "2.14", "v1.37.2+k3s1" or "v1.31.0-eks-1".
func ParseVersion(s string) (Version, bool) {
	s = strings.TrimPrefix(strings.TrimSpace(s), "v")
	if i := strings.IndexAny(s, "+-"); i >= 0 {
		s = s[:i]
	}
	parts := strings.Split(s, ".")
	if len(parts) < 2 || len(parts) > 3 {
		return Version{}, false
	}
	var n [3]int
	for i, p := range parts {
		v, err := strconv.Atoi(p)
		if err != nil || v < 0 {
			return Version{}, false
		}
		n[i] = v
	}
	return Version{Major: n[0], Minor: n[1], Patch: n[2]}, true
}

// ImageVersion is the Argo CD version of a component image
// (quay.io/argoproj/argocd:v2.14.21, or a mirror of it); false for other
// images (redis, dex) or tags that are no version (latest, a digest).
func ImageVersion(image string) (Version, bool) {
	if name, _, digest := strings.Cut(image, "@"); digest {
		image = name // the tag, if any, is before the digest
	}
	slash := strings.LastIndex(image, "/")
	colon := strings.LastIndex(image, ":")
	if colon <= slash {
		return Version{}, false
	}
	repo, tag := image[:colon], image[colon+1:]
	if repo[strings.LastIndex(repo, "/")+1:] != "argocd" {
		return Version{}, false
	}
	return ParseVersion(tag)
}

// testedKubernetes is Argo CD's table of the Kubernetes minor versions each
// release was tested with (docs/operator-manual/tested-kubernetes-versions.md
// of each release): Argo CD minor -> oldest and newest Kubernetes minor.
var testedKubernetes = map[string][2]int{
	"2.10": {25, 28},
	"2.11": {26, 29},
	"2.12": {26, 29},
	"2.13": {27, 30},
	"2.14": {28, 31},
	"3.0":  {29, 32},
	"3.1":  {30, 33},
	"3.2":  {31, 34},
}

// TestedKubernetes returns the Kubernetes 1.x minor range Argo CD version v
// was tested with; false when argofix does not know that release.
func TestedKubernetes(v Version) (oldest, newest int, ok bool) {
	r, ok := testedKubernetes[v.MinorString()]
	return r[0], r[1], ok
}

// CRDField is a field of an Argo CD CRD's schema that a release writes or
// reads: a CRD installed from an older release lacks it, and the API
// server prunes what the controller writes there.
type CRDField struct {
	CRD   string
	Path  []string // properties path in openAPIV3Schema, e.g. spec, sourceHydrator
	Since Version
}

// CRDFields are fields added to the Application CRD by the releases argofix
// knows, each with the first release that has it.
var CRDFields = []CRDField{
	{CRD: "applications.argoproj.io", Path: []string{"spec", "sources"}, Since: Version{Major: 2, Minor: 6}},
	{CRD: "applications.argoproj.io", Path: []string{"status", "controllerNamespace"}, Since: Version{Major: 2, Minor: 5}},
	{CRD: "applications.argoproj.io", Path: []string{"spec", "sourceHydrator"}, Since: Version{Major: 2, Minor: 14}},
	{CRD: "applications.argoproj.io", Path: []string{"status", "sourceHydrator"}, Since: Version{Major: 2, Minor: 14}},
}

// ParseBool reads a boolean setting as Argo CD does (strconv.ParseBool);
// anything else is false.
func ParseBool(s string) bool {
	b, err := strconv.ParseBool(strings.TrimSpace(s))
	return err == nil && b
}
