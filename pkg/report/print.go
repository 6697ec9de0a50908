package report

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/fatih/color"
	"sigs.k8s.io/yaml"
)

// Output formats accepted by -o.
const (
	OutputTable = "table"
	OutputWide  = "wide"
	OutputJSON  = "json"
	OutputYAML  = "yaml"
	OutputName  = "name"
)

// Formats lists the -o values, for flag help and completion.
var Formats = []string{OutputTable, OutputWide, OutputJSON, OutputYAML, OutputName}

// PrintOptions control how a report is printed.
type PrintOptions struct {
	Format string
	Color  bool
	// Width, when set, is the terminal's: the table's summaries are cut to
	// fit it (the detail block below keeps the full text). -o wide never cuts.
	Width int
	// NoHeaders leaves out the table's header line, like kubectl's flag.
	NoHeaders bool
	// Empty, when set, is said instead of "No problems found": the
	// selection matched nothing, which is no all-clear.
	Empty string
}

// Print writes the report in the chosen format.
func Print(w io.Writer, r Report, opts PrintOptions) error {
	switch opts.Format {
	case OutputJSON:
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(r)
	case OutputYAML:
		out, err := yaml.Marshal(r)
		if err != nil {
			return fmt.Errorf("render report as YAML: %w", err)
		}
		_, err = w.Write(out)
		return err
	case OutputName:
		var b strings.Builder
		for _, f := range r.Findings {
			fmt.Fprintf(&b, "%s/%s\n", f.ID, f.Object.Short())
		}
		_, err := io.WriteString(w, b.String())
		return err
	case OutputTable, OutputWide, "":
		return printHuman(w, r, opts)
	}
	return fmt.Errorf("unknown output format %q (want %s)", opts.Format, strings.Join(Formats, ", "))
}

// printHuman prints what could not be read first (a partial report must
// not look like an all-clear), then a table of findings, then for each
// finding the evidence and the next thing to do; wide adds every evidence
// line and every fix.
func printHuman(w io.Writer, r Report, opts PrintOptions) error {
	wide := opts.Format == OutputWide
	var b strings.Builder
	printIncomplete(&b, r.Incomplete)
	if len(r.Findings) == 0 {
		if opts.Empty != "" {
			b.WriteString(opts.Empty + "\n")
		} else if len(r.Incomplete) > 0 {
			b.WriteString("No problems found in what could be read.\n")
		} else {
			b.WriteString("No problems found.\n")
		}
	} else {
		if err := printTable(&b, r.Findings, opts); err != nil {
			return err
		}
		for _, f := range r.Findings {
			printDetail(&b, f, wide)
		}
	}
	fmt.Fprintf(&b, "\n%d error(s), %d warning(s), %d info%s\n", r.Summary.Error, r.Summary.Warning, r.Summary.Info, instancesNote(r.Instances))
	_, err := io.WriteString(w, b.String())
	return err
}

// printIncomplete lists the reads that failed and the checks they silenced.
func printIncomplete(b *strings.Builder, problems []ReadProblem) {
	for _, p := range problems {
		fmt.Fprintf(b, "Incomplete: could not %s %s", p.Verb, p.Resource)
		if p.Namespace != "" {
			fmt.Fprintf(b, " in namespace %s", p.Namespace)
		}
		if len(p.Skipped) > 0 {
			fmt.Fprintf(b, " (checks not run: %s)", strings.Join(p.Skipped, ", "))
		}
		if len(p.Limited) > 0 {
			fmt.Fprintf(b, " (checks run on what could be read: %s)", strings.Join(p.Limited, ", "))
		}
		b.WriteString("\n")
	}
	if len(problems) > 0 {
		b.WriteString("\n")
	}
}

// printTable prints one row per finding. The default table names objects
// the short way (app/argocd/guestbook) and cuts summaries to the width;
// wide keeps everything and adds SINCE.
func printTable(b *strings.Builder, findings []Finding, opts PrintOptions) error {
	wide := opts.Format == OutputWide
	paint := severityPainter(opts.Color)
	rows := make([][]string, 0, len(findings))
	for _, f := range findings {
		row := []string{strings.ToUpper(string(f.Severity)), f.ID, f.Object.Short()}
		if wide {
			since := "-"
			if f.Since != nil {
				since = FormatTime(*f.Since)
			}
			row = []string{strings.ToUpper(string(f.Severity)), f.ID, f.Object.String(), since}
		}
		rows = append(rows, append(row, f.Summary))
	}
	header := []string{"SEVERITY", "ID", "OBJECT", "SUMMARY"}
	if wide {
		header = []string{"SEVERITY", "ID", "OBJECT", "SINCE", "SUMMARY"}
	}
	widths := columnWidths(header, rows)
	if !wide && opts.Width > 0 {
		cutSummaries(rows, widths, opts.Width)
	}
	tw := tabwriter.NewWriter(b, 0, 4, 2, ' ', 0)
	if !opts.NoHeaders {
		fmt.Fprintln(tw, strings.Join(header, "\t"))
	}
	for i, row := range rows {
		// Colour codes would skew tabwriter's widths: pad first, then paint.
		row[0] = paint(findings[i].Severity, fmt.Sprintf("%-*s", widths[0], row[0]))
		fmt.Fprintln(tw, strings.Join(row, "\t"))
	}
	return tw.Flush()
}

// columnWidths is the widest cell of each column, header included.
func columnWidths(header []string, rows [][]string) []int {
	widths := make([]int, len(header))
	for i, h := range header {
		widths[i] = len(h)
	}
	for _, row := range rows {
		for i, cell := range row {
			widths[i] = max(widths[i], len(cell))
		}
	}
	return widths
}

// cutSummaries shortens the last column so that each row fits width.
func cutSummaries(rows [][]string, widths []int, width int) {
	used := 0
	for _, w := range widths[:len(widths)-1] {
		used += w + 2
	}
	room := max(width-used, 20)
	for _, row := range rows {
		last := len(row) - 1
		if r := []rune(row[last]); len(r) > room {
			row[last] = string(r[:room-1]) + "…"
		}
	}
}

func printDetail(b *strings.Builder, f Finding, wide bool) {
	fmt.Fprintf(b, "\n%s %s\n  %s\n", f.ID, f.Object, f.Summary)
	evidence := f.Evidence
	if !wide && len(evidence) > 3 {
		evidence = evidence[:3]
	}
	for _, e := range evidence {
		fmt.Fprintf(b, "  - %s\n", e)
	}
	if hidden := len(f.Evidence) - len(evidence); hidden > 0 {
		fmt.Fprintf(b, "  (%d more evidence lines: -o wide)\n", hidden)
	}
	// Every fix a finding needs is shown; the high-risk alternatives
	// (stripping an app's finalizer) only with -o wide.
	fixes := f.Fixes
	if !wide {
		fixes = nil
		for _, fix := range f.Fixes {
			if fix.Risk != "high" {
				fixes = append(fixes, fix)
			}
		}
	}
	for _, fix := range fixes {
		fmt.Fprintf(b, "  fix %s (%s risk): %s\n", fix.ID, fix.Risk, fix.Description)
		if fix.Command != "" {
			b.WriteString(indent(fix.Command+"\n", "    "))
		}
		if wide && fix.Kubectl != "" && fix.Kubectl != fix.Command {
			b.WriteString("    by hand, the same requests with kubectl:\n")
			b.WriteString(indent(fix.Kubectl+"\n", "    "))
		}
	}
	if hidden := len(f.Fixes) - len(fixes); hidden > 0 {
		fmt.Fprintf(b, "  (%d more high-risk fixes: -o wide)\n", hidden)
	}
	fmt.Fprintf(b, "  docs: %s\n", f.Docs)
}

// indent indents a command for the report, except a heredoc's closing
// EOF, which must stay at the start of its line for the shell to end it.
func indent(text, prefix string) string {
	lines := strings.SplitAfter(text, "\n")
	for i, l := range lines {
		if l != "" && strings.TrimSuffix(l, "\n") != "EOF" {
			lines[i] = prefix + l
		}
	}
	return strings.Join(lines, "")
}

// severityPainter colours a severity label; with colour off it is identity.
func severityPainter(enabled bool) func(Severity, string) string {
	colors := map[Severity]*color.Color{
		SeverityError:   color.New(color.FgRed, color.Bold),
		SeverityWarning: color.New(color.FgYellow),
		SeverityInfo:    color.New(color.FgCyan),
	}
	for _, c := range colors {
		if enabled {
			c.EnableColor()
		} else {
			c.DisableColor()
		}
	}
	return func(s Severity, text string) string {
		if c, ok := colors[s]; ok {
			return c.Sprint(text)
		}
		return text
	}
}

// maxInstancesNamed bounds the installations the summary line names.
const maxInstancesNamed = 4

// instancesNote says which Argo CD the report judged apps against.
func instancesNote(instances []Instance) string {
	var names []string
	for _, in := range instances {
		name := in.Namespace
		if in.Guessed {
			name += " (guessed: no application-controller found)"
		}
		names = append(names, name)
	}
	switch len(names) {
	case 0:
		return ""
	case 1:
		return "; Argo CD in namespace " + names[0]
	}
	listed := strings.Join(names, ", ")
	if len(names) > maxInstancesNamed {
		listed = fmt.Sprintf("%s and %d more (-o json lists them)", strings.Join(names[:maxInstancesNamed], ", "), len(names)-maxInstancesNamed)
	}
	return fmt.Sprintf("; Argo CD in %d namespaces: %s; each app judged by the one watching its namespace", len(names), listed)
}
