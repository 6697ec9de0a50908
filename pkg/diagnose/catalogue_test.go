package diagnose

import (
	"maps"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"sigs.k8s.io/yaml"

	"github.com/argofix/kubectl-argofix/pkg/report"
)

// repoRoot is the repository, seen from this package's folder.
var repoRoot = filepath.Join("..", "..")

// TestCatalogue keeps every place that names a finding id in step with
// the registry: finding ids are a public interface, so each has a docs
// page, README's table lists each once with its registered severity, and
// no page, link or scenario names an id that is not registered. Fix ids
// (remove-finalizers, create-project, ...) are not finding ids and are not
// checked here.
func TestCatalogue(t *testing.T) {
	registry := map[string]report.Severity{}
	for _, c := range Checks() {
		if _, dup := registry[c.ID]; dup {
			t.Errorf("check %q is registered twice in Checks()", c.ID)
		}
		registry[c.ID] = c.Severity
	}
	t.Run("docs pages", func(t *testing.T) { checkFindingPages(t, registry) })
	t.Run("docs links", func(t *testing.T) { checkFindingLinks(t, registry) })
	t.Run("README table", func(t *testing.T) { checkReadmeTable(t, registry) })
	t.Run("scenarios", func(t *testing.T) { checkScenarioIDs(t, registry) })
}

// pageSeverity is the severity line near the top of a finding page.
var pageSeverity = regexp.MustCompile(`(?m)^\*\*Severity:\*\*\s*(\S+)\s*$`)

// checkFindingPages: docs/findings/<id>.md exists for every registered id,
// and every page there is about a registered id, titled with it and
// stating its registered severity.
func checkFindingPages(t *testing.T, registry map[string]report.Severity) {
	dir := filepath.Join(repoRoot, "docs", "findings")
	for _, id := range slices.Sorted(maps.Keys(registry)) {
		if _, err := os.Stat(filepath.Join(dir, id+".md")); err != nil {
			t.Errorf("check %q is registered but has no page docs/findings/%s.md: write it (cause, evidence, fixes, how to verify)", id, id)
		}
	}
	pages, err := filepath.Glob(filepath.Join(dir, "*.md"))
	if err != nil || len(pages) == 0 {
		t.Fatalf("no finding pages under %s (err %v): is the repository root %s?", dir, err, repoRoot)
	}
	for _, page := range pages {
		id := strings.TrimSuffix(filepath.Base(page), ".md")
		want, ok := registry[id]
		if !ok {
			t.Errorf("docs/findings/%s.md is about %q, which no check registers: register the check in Checks() or remove the page", id, id)
			continue
		}
		text := readFile(t, page)
		if title, _, _ := strings.Cut(text, "\n"); strings.TrimSpace(title) != "# "+id {
			t.Errorf("docs/findings/%s.md is titled %q, want %q", id, title, "# "+id)
		}
		m := pageSeverity.FindStringSubmatch(text)
		switch {
		case m == nil:
			t.Errorf("docs/findings/%s.md states no severity: add the line \"**Severity:** %s\"", id, want)
		case report.Severity(m[1]) != want:
			t.Errorf("docs/findings/%s.md states severity %s, the registry %s", id, m[1], want)
		}
	}
}

var (
	// findingLink is a link to a finding page from outside docs/findings.
	findingLink = regexp.MustCompile(`findings/([a-z0-9-]+)\.md`)
	// siblingLink is a link from one finding page to another.
	siblingLink = regexp.MustCompile(`\]\(([a-z0-9-]+)\.md\)`)
)

// checkFindingLinks: links to finding pages, in README.md, docs/*.md and
// between the finding pages, name registered ids.
func checkFindingLinks(t *testing.T, registry map[string]report.Severity) {
	check := func(file string, re *regexp.Regexp) {
		for _, m := range re.FindAllStringSubmatch(readFile(t, file), -1) {
			if _, ok := registry[m[1]]; !ok {
				rel, _ := filepath.Rel(repoRoot, file)
				t.Errorf("%s links to the page of %q, which no check registers", rel, m[1])
			}
		}
	}
	check(filepath.Join(repoRoot, "README.md"), findingLink)
	docs, _ := filepath.Glob(filepath.Join(repoRoot, "docs", "*.md"))
	for _, f := range docs {
		check(f, findingLink)
	}
	pages, _ := filepath.Glob(filepath.Join(repoRoot, "docs", "findings", "*.md"))
	for _, f := range pages {
		check(f, siblingLink)
	}
}

// readmeRow is a row of README's finding table:
// | [id](docs/findings/id.md) | severity | what it means |
var readmeRow = regexp.MustCompile(`(?m)^\|\s*\[([^\]]+)\]\(docs/findings/([^)]+)\.md\)\s*\|\s*([^|]*?)\s*\|`)

// checkReadmeTable: README's finding table lists every registered id once,
// with the registered severity, and nothing else.
func checkReadmeTable(t *testing.T, registry map[string]report.Severity) {
	rows := readmeRow.FindAllStringSubmatch(readFile(t, filepath.Join(repoRoot, "README.md")), -1)
	if len(rows) == 0 {
		t.Fatal("README.md has no finding table rows of the form | [id](docs/findings/id.md) | severity | ... |")
	}
	listed := map[string]bool{}
	for _, r := range rows {
		text, id, severity := r[1], r[2], r[3]
		if text != id {
			t.Errorf("README.md: the row of %q links to docs/findings/%s.md", text, id)
		}
		if listed[id] {
			t.Errorf("README.md lists %q twice in the finding table", id)
		}
		listed[id] = true
		want, ok := registry[id]
		switch {
		case !ok:
			t.Errorf("README.md lists %q, which no check registers", id)
		case report.Severity(severity) != want:
			t.Errorf("README.md gives %q severity %q, the registry %s", id, severity, want)
		}
	}
	for _, id := range slices.Sorted(maps.Keys(registry)) {
		if !listed[id] {
			t.Errorf("README.md's finding table misses %q: add | [%s](docs/findings/%s.md) | %s | ... |", id, id, id, registry[id])
		}
	}
}

// scenarioIDs is the part of a test/scenarios/*/scenario.yaml that names
// finding ids; the scenario loader parses the rest, strictly.
type scenarioIDs struct {
	Expect []string `json:"expect"`
	Forbid []string `json:"forbid"`
}

// checkScenarioIDs: what a scenario expects or forbids is a registered id;
// forbidding an unknown id would pass whatever the plugin says.
func checkScenarioIDs(t *testing.T, registry map[string]report.Severity) {
	files, err := filepath.Glob(filepath.Join(repoRoot, "test", "scenarios", "*", "scenario.yaml"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no test/scenarios/*/scenario.yaml under %s (err %v)", repoRoot, err)
	}
	for _, f := range files {
		rel, _ := filepath.Rel(repoRoot, f)
		var sc scenarioIDs
		if err := yaml.Unmarshal([]byte(readFile(t, f)), &sc); err != nil {
			t.Errorf("%s: %v", rel, err)
			continue
		}
		for _, id := range sc.Expect {
			if _, ok := registry[id]; !ok {
				t.Errorf("%s: expect names %q, which no check registers", rel, id)
			}
		}
		for _, id := range sc.Forbid {
			if _, ok := registry[id]; !ok {
				t.Errorf("%s: forbid names %q, which no check registers (forbidding it checks nothing)", rel, id)
			}
		}
	}
}

func readFile(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// fixIDInSource is a fix id as the checks write it: NewFix("id", ...) or
// allowInProjectFix("id", ...).
var fixIDInSource = regexp.MustCompile(`(?:NewFix|allowInProjectFix)\("([a-z0-9-]+)"`)

// TestFixIDs: FixIDs, which `fix --only` accepts, are exactly the ids the
// checks propose, and docs/fixes.md explains each.
func TestFixIDs(t *testing.T) {
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	proposed := map[string]bool{}
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		src, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range fixIDInSource.FindAllStringSubmatch(string(src), -1) {
			proposed[m[1]] = true
		}
	}
	if got := slices.Sorted(maps.Keys(proposed)); !slices.Equal(got, FixIDs) {
		t.Errorf("the checks propose the fixes %v; FixIDs lists %v", got, FixIDs)
	}
	doc, err := os.ReadFile(filepath.Join(repoRoot, "docs", "fixes.md"))
	if err != nil {
		t.Fatal(err)
	}
	for _, id := range FixIDs {
		if !strings.Contains(string(doc), "`"+id+"`") {
			t.Errorf("docs/fixes.md does not explain the fix `%s`", id)
		}
	}
}
