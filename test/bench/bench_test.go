// Package bench is `make bench`: it seeds N Applications on the real
// control plane and measures `kubectl argofix diagnose` against the floors
// (the raw lists of what it reads), writing docs/performance.md. Skipped
// unless ARGOFIX_BENCH=1, so that `go test ./test/...` stays fast.
package bench

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/rest"

	"github.com/argofix/kubectl-argofix/test/controlplane"
)

var (
	appsFlag = flag.String("apps", "1000,5000", "comma-separated numbers of Applications to measure, ascending")
	runsFlag = flag.Int("runs", 5, "runs of each measurement")
	outFlag  = flag.String("out", "", "where to write the table (default <repo>/docs/performance.md)")
)

// sample is one measurement: wall time, peak RSS, API requests.
type sample struct {
	wall     time.Duration
	rssKB    int64
	requests int
	// unpaged counts requests other than continue pages: what must not
	// grow with N.
	unpaged int
}

type stats struct{ samples []sample }

func (s stats) wall() []float64 {
	var out []float64
	for _, x := range s.samples {
		out = append(out, x.wall.Seconds())
	}
	return out
}

func (s stats) rssMB() []float64 {
	var out []float64
	for _, x := range s.samples {
		out = append(out, float64(x.rssKB)/1024)
	}
	return out
}

func (s stats) reqs() []float64 {
	var out []float64
	for _, x := range s.samples {
		out = append(out, float64(x.requests))
	}
	return out
}

func median(v []float64) float64 {
	if len(v) == 0 {
		return 0
	}
	s := slices.Clone(v)
	slices.Sort(s)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

// spread is min–max.
func spread(v []float64, format string) string {
	if len(v) == 0 {
		return ""
	}
	return fmt.Sprintf(format+"–"+format, slices.Min(v), slices.Max(v))
}

type env struct {
	t          *testing.T
	plugin     string
	kubectl    string
	kubeconfig string
	cfg        *rest.Config
	rest       rest.Interface
}

// run runs bin with args, returning stdout, stderr and the sample.
func (e *env) run(bin string, args ...string) ([]byte, []byte, sample) {
	e.t.Helper()
	cmd := exec.Command(bin, args...)
	cmd.Env = append(os.Environ(), "KUBECONFIG="+e.kubeconfig, "ARGOFIX_COUNT_REQUESTS=1", "NO_COLOR=1")
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	began := time.Now()
	err := cmd.Run()
	wall := time.Since(began)
	var exit *exec.ExitError
	findings := errors.As(err, &exit) && bin == e.plugin // diagnose exits non-zero when it finds problems
	if err != nil && !findings {
		e.t.Fatalf("%s %s: %v\n%s", filepath.Base(bin), strings.Join(args, " "), err, stderr.String())
	}
	s := sample{wall: wall}
	if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
		s.rssKB = ru.Maxrss
	}
	for _, l := range requestLines(stderr.Bytes()) {
		s.requests++
		if !strings.Contains(l, "continue=") {
			s.unpaged++
		}
	}
	return stdout.Bytes(), stderr.Bytes(), s
}

// requestLines are the `argofix-request N METHOD URI` lines.
func requestLines(stderr []byte) []string {
	var out []string
	sc := bufio.NewScanner(bytes.NewReader(stderr))
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		if strings.HasPrefix(sc.Text(), "argofix-request ") {
			out = append(out, sc.Text())
		}
	}
	return out
}

// listPaths are the distinct collection paths the command read with GET.
func listPaths(lines []string) []string {
	var out []string
	for _, l := range lines {
		f := strings.Fields(l)
		if len(f) != 4 || f[2] != "GET" {
			continue
		}
		u, err := url.Parse(f[3])
		if err != nil || u.Query().Get("continue") != "" {
			continue
		}
		q := u.Query()
		q.Del("limit")
		p := u.Path
		if len(q) > 0 {
			p += "?" + q.Encode()
		}
		if !slices.Contains(out, p) {
			out = append(out, p)
		}
	}
	return out
}

// rawGets reads every path once, in one process, sequentially, discarding
// the bytes: the floor of what a diagnosis reads.
func (e *env) rawGets(paths []string) (sample, int64) {
	e.t.Helper()
	began := time.Now()
	var bytesRead int64
	for _, p := range paths {
		u, err := url.Parse(p)
		if err != nil {
			e.t.Fatal(err)
		}
		req := e.rest.Get().AbsPath(u.Path)
		for k, vs := range u.Query() {
			for _, v := range vs {
				req = req.Param(k, v)
			}
		}
		rc, err := req.Stream(context.Background())
		if apierrors.IsNotFound(err) { // diagnose reads what may be absent, too
			continue
		}
		if err != nil {
			e.t.Fatalf("GET %s: %v", p, err)
		}
		n, err := io.Copy(io.Discard, rc)
		_ = rc.Close()
		if err != nil {
			e.t.Fatalf("GET %s: %v", p, err)
		}
		bytesRead += n
	}
	return sample{wall: time.Since(began), requests: len(paths)}, bytesRead
}

func (e *env) repeat(runs int, f func() sample) stats {
	var s stats
	for range runs {
		s.samples = append(s.samples, f())
	}
	return s
}

// report is the part of `-o json` the check reads.
type report struct {
	Findings []struct {
		ID     string `json:"id"`
		Object struct {
			Kind      string `json:"kind"`
			Namespace string `json:"namespace"`
			Name      string `json:"name"`
		} `json:"object"`
	} `json:"findings"`
}

// checkFindings compares the findings on Applications with what was seeded.
func checkFindings(t *testing.T, out []byte, n int) (missed, flagged []string, seeded int) {
	t.Helper()
	var r report
	if err := json.Unmarshal(out, &r); err != nil {
		t.Fatalf("decode report: %v\n%.500s", err, out)
	}
	got := map[string][]string{}
	for _, f := range r.Findings {
		if f.Object.Kind == "Application" {
			got[f.Object.Name] = append(got[f.Object.Name], f.ID)
		}
	}
	for i := range n {
		want, ids := expectedFinding(i), got[appName(i)]
		switch {
		case want == "" && len(ids) > 0:
			flagged = append(flagged, appName(i)+": "+strings.Join(ids, ","))
		case want != "":
			seeded++
			if !slices.Contains(ids, want) {
				missed = append(missed, fmt.Sprintf("%s: want %s, got %v", appName(i), want, ids))
			}
		}
	}
	return missed, flagged, seeded
}

type result struct {
	n                                 int
	diag, appsRaw, allRaw, kubectlGet stats
	allBytes                          int64
	allPaths                          int
	appOne, nsOne, getOne             stats
	seeded                            int
	missed, flagged                   []string
	typedNote                         string
}

func TestBench(t *testing.T) {
	if os.Getenv("ARGOFIX_BENCH") != "1" {
		t.Skip("set ARGOFIX_BENCH=1 (or run `make bench`)")
	}
	var sizes []int
	for _, f := range strings.Split(*appsFlag, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil || n < 50 {
			t.Fatalf("-apps: %q is not a number of at least 50", f)
		}
		sizes = append(sizes, n)
	}
	slices.Sort(sizes)
	root, err := controlplane.RepoRoot()
	if err != nil {
		t.Fatal(err)
	}
	binDir := os.Getenv(controlplane.EnvBinDir)
	if binDir == "" {
		binDir = filepath.Join(root, "bin")
	}
	e := &env{t: t, plugin: os.Getenv("ARGOFIX_BENCH_PLUGIN")} // a prebuilt binary, to measure a "before"
	if e.plugin == "" {
		e.plugin = filepath.Join(t.TempDir(), "kubectl-argofix")
		// Built as `make build` and the release archives are: without cgo,
		// trimmed and stripped. A plain `go build` (cgo, symbols) is a third
		// larger, and the kernel maps the executable's pages in 2 MB folios,
		// so its RSS at start-up alone was 56 MB instead of 28.
		build := exec.Command("go", "build", "-trimpath", "-ldflags", "-s -w", "-o", e.plugin, "./cmd/kubectl-argofix")
		build.Dir = root
		build.Env = append(os.Environ(), "CGO_ENABLED=0")
		if out, err := build.CombinedOutput(); err != nil {
			t.Fatalf("build plugin: %v\n%s", err, out)
		}
	}
	if k := filepath.Join(binDir, "kubectl"); fileExists(k) {
		e.kubectl = k
	}

	ctx := context.Background()
	var failed bool
	plane, err := controlplane.Start(ctx, controlplane.Options{Bare: true, KeepOnFailure: func() bool { return failed }, Logf: t.Logf})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		failed = t.Failed()
		if err := plane.Stop(); err != nil {
			t.Error(err)
		}
	})
	if err := plane.InstallCRDsOnly(ctx); err != nil {
		t.Fatal(err)
	}
	e.kubeconfig = plane.AdminKubeconfig
	e.cfg = plane.RESTConfig()
	e.cfg.QPS, e.cfg.Burst = 1000, 2000
	rc, err := rest.UnversionedRESTClientFor(withCodec(e.cfg))
	if err != nil {
		t.Fatal(err)
	}
	e.rest = rc
	dyn := dynamic.NewForConfigOrDie(e.cfg)
	if err := seedBase(ctx, dyn); err != nil {
		t.Fatal(err)
	}

	var results []result
	seeded := 0
	for _, n := range sizes {
		seedApps(ctx, t, dyn, seeded, n)
		seeded = n
		results = append(results, e.measure(n, *runsFlag))
	}
	out := *outFlag
	if out == "" {
		out = filepath.Join(root, "docs", "performance.md")
	}
	doc := renderDoc(results, *runsFlag)
	if old, err := os.ReadFile(out); err == nil {
		if _, history, ok := strings.Cut(string(old), historyHeading); ok { // hand-written: kept
			doc += "\n" + historyHeading + history
		}
	}
	if err := os.WriteFile(out, []byte(doc), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("wrote %s", out)
	for _, r := range results {
		if len(r.missed) > 0 || len(r.flagged) > 0 {
			t.Errorf("N=%d: %d seeded broken apps missed %v; %d healthy apps flagged %v", r.n, len(r.missed), head(r.missed), len(r.flagged), head(r.flagged))
		}
	}
}

// historyHeading starts the hand-written part of docs/performance.md
// (before/after numbers of past changes), which a new run keeps.
const historyHeading = "## History"

func head(s []string) []string { return s[:min(len(s), 5)] }

func fileExists(p string) bool { _, err := os.Stat(p); return err == nil }

func (e *env) measure(n, runs int) result {
	t := e.t
	r := result{n: n}
	diagArgs := []string{"diagnose", "-A", "-o", "json", "--stuck-after", "0s"}
	var lastOut, lastErr []byte
	r.diag = e.repeat(runs, func() sample {
		var s sample
		lastOut, lastErr, s = e.run(e.plugin, diagArgs...)
		return s
	})
	lines := requestLines(lastErr)
	paths := listPaths(lines)
	t.Logf("N=%d: diagnose -A made %d requests:\n%s", n, len(lines), strings.Join(lines, "\n"))
	r.missed, r.flagged, r.seeded = checkFindings(t, lastOut, n)

	const appsPath = "/apis/argoproj.io/v1alpha1/applications"
	if e.kubectl != "" {
		r.appsRaw = e.repeat(runs, func() sample { _, _, s := e.run(e.kubectl, "get", "--raw", appsPath); return s })
		r.kubectlGet = e.repeat(runs, func() sample {
			_, _, s := e.run(e.kubectl, "get", "applications.argoproj.io", "-A", "-o", "json")
			return s
		})
	} else {
		r.typedNote = "no bin/kubectl: the raw Applications list was read in-process"
		r.appsRaw = e.repeat(runs, func() sample { s, _ := e.rawGets([]string{appsPath}); return s })
	}
	r.allPaths = len(paths)
	r.allRaw = e.repeat(runs, func() sample { s, b := e.rawGets(paths); r.allBytes = b; return s })

	one := appName(0)
	r.appOne = e.repeat(runs, func() sample {
		_, _, s := e.run(e.plugin, "diagnose", "app", one, "-n", argoNS, "-o", "json", "--stuck-after", "0s")
		return s
	})
	r.nsOne = e.repeat(runs, func() sample {
		_, _, s := e.run(e.plugin, "diagnose", "namespace", teamNS(0), "-o", "json", "--stuck-after", "0s")
		return s
	})
	if e.kubectl != "" {
		r.getOne = e.repeat(runs, func() sample {
			_, _, s := e.run(e.kubectl, "get", "application.argoproj.io", one, "-n", argoNS, "-o", "json")
			return s
		})
	} else {
		r.getOne = e.repeat(runs, func() sample {
			s, _ := e.rawGets([]string{"/apis/argoproj.io/v1alpha1/namespaces/" + argoNS + "/applications/" + one})
			return s
		})
	}
	return r
}

func withCodec(cfg *rest.Config) *rest.Config {
	c := rest.CopyConfig(cfg)
	c.GroupVersion = nil
	c.APIPath = "/"
	c.NegotiatedSerializer = serializerForRaw()
	return c
}

func renderDoc(results []result, runs int) string {
	var b strings.Builder
	cpu := cpuModel()
	fmt.Fprintf(&b, "# Performance\n\n")
	fmt.Fprintf(&b, "Written by `make bench` (test/bench) on %s: %d CPUs, %s. Real kube-apiserver and etcd from test/ (no controllers), ", time.Now().UTC().Format("2006-01-02"), nprocs(), cpu)
	fmt.Fprintf(&b, "N Applications over %d namespaces and %d AppProjects, each managing a Deployment, a Service and a ConfigMap that exist, with synced status, an operation, conditions and history; 6%% broken (2%% each: project-missing, sync-failed, app-deletion-stuck). ", namespaces, projects)
	fmt.Fprintf(&b, "Median of %d runs, min–max in brackets. Wall times include process start-up except where marked in-process; the plugin is built as `make build` builds it (no cgo, stripped). RSS is the peak resident set of the child (rusage). Requests are counted with the hidden `ARGOFIX_COUNT_REQUESTS=1`.\n\n", runs)
	fmt.Fprintf(&b, "Floors: **raw apps** = `kubectl get --raw /apis/argoproj.io/v1alpha1/applications`; **raw reads** = every collection path `diagnose -A` GETs, read once each, sequentially, in-process (the bytes it needs); **kubectl get** = `kubectl get applications.argoproj.io -A -o json`.\n\n")
	b.WriteString("| N | `diagnose -A` wall | RSS MB | requests (without continue pages) | raw apps | raw reads (paths, MB) | kubectl get -A | ratio to raw reads | ratio to raw apps | `diagnose app ONE` (req) | `diagnose namespace ONE` (req) | `kubectl get application ONE` | app ONE ratio | findings check |\n")
	b.WriteString("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|\n")
	for _, r := range results {
		w, ra, rr, kg := median(r.diag.wall()), median(r.appsRaw.wall()), median(r.allRaw.wall()), median(r.kubectlGet.wall())
		kgs := "n/a"
		if len(r.kubectlGet.samples) > 0 {
			kgs = fmt.Sprintf("%.2fs (%s)", kg, spread(r.kubectlGet.wall(), "%.2f"))
		}
		check := fmt.Sprintf("%d/%d seeded found, %d healthy flagged", r.seeded-len(r.missed), r.seeded, len(r.flagged))
		fmt.Fprintf(&b, "| %d | %.2fs (%s) | %.0f (%s) | %.0f (%d) | %.2fs (%s) | %.2fs (%s) (%d, %.1f) | %s | %.2f× | %.2f× | %.2fs (%.0f) | %.2fs (%.0f) | %.3fs | %.2f× | %s |\n",
			r.n, w, spread(r.diag.wall(), "%.2f"), median(r.diag.rssMB()), spread(r.diag.rssMB(), "%.0f"), median(r.diag.reqs()), r.diag.samples[0].unpaged,
			ra, spread(r.appsRaw.wall(), "%.2f"), rr, spread(r.allRaw.wall(), "%.2f"), r.allPaths, float64(r.allBytes)/1e6, kgs,
			w/rr, w/ra, median(r.appOne.wall()), median(r.appOne.reqs()), median(r.nsOne.wall()), median(r.nsOne.reqs()),
			median(r.getOne.wall()), median(r.appOne.wall())/median(r.getOne.wall()), check)
		if r.typedNote != "" {
			fmt.Fprintf(&b, "\n(%s)\n", r.typedNote)
		}
	}
	b.WriteString("\nTargets (issue 14): `diagnose -A` at 5,000 apps within 1.5× the raw reads, requests independent of N apart from pagination, peak RSS under 100 MB; `diagnose app ONE` within 1.5× of `kubectl get application ONE` and fewer than 15 requests; every seeded app found, no healthy app flagged.\n")
	return b.String()
}

func nprocs() int {
	out, err := exec.Command("nproc").Output()
	if err != nil {
		return 0
	}
	n, _ := strconv.Atoi(strings.TrimSpace(string(out)))
	return n
}

func cpuModel() string {
	data, err := os.ReadFile("/proc/cpuinfo")
	if err != nil {
		return "unknown CPU"
	}
	for _, l := range strings.Split(string(data), "\n") {
		if k, v, ok := strings.Cut(l, ":"); ok && strings.TrimSpace(k) == "model name" {
			return strings.TrimSpace(v)
		}
	}
	return "unknown CPU"
}
