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
)

// Formats lists the -o values, for flag help and completion.
var Formats = []string{OutputTable, OutputWide, OutputJSON, OutputYAML}

// PrintOptions control how a report is printed.
type PrintOptions struct {
	Format string
	Color  bool
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
	case OutputTable, OutputWide, "":
		return printHuman(w, r, opts.Format == OutputWide, opts.Color)
	}
	return fmt.Errorf("unknown output format %q (want %s)", opts.Format, strings.Join(Formats, ", "))
}

// printHuman prints a table of findings, then for each finding the next
// thing to do; wide adds every evidence line and every fix.
func printHuman(w io.Writer, r Report, wide, useColor bool) error {
	paint := severityPainter(useColor)
	var b strings.Builder
	if len(r.Findings) == 0 {
		b.WriteString("No problems found.\n")
	} else {
		tw := tabwriter.NewWriter(&b, 0, 4, 2, ' ', 0)
		header := "SEVERITY\tID\tOBJECT\tSUMMARY"
		if wide {
			header = "SEVERITY\tID\tOBJECT\tSINCE\tSUMMARY"
		}
		fmt.Fprintln(tw, header)
		for _, f := range r.Findings {
			// Colour codes would skew tabwriter's widths, so pad first.
			sev := paint(f.Severity, fmt.Sprintf("%-8s", strings.ToUpper(string(f.Severity))))
			if wide {
				since := "-"
				if f.Since != nil {
					since = FormatTime(*f.Since)
				}
				fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", sev, f.ID, f.Object, since, f.Summary)
			} else {
				fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", sev, f.ID, f.Object, f.Summary)
			}
		}
		if err := tw.Flush(); err != nil {
			return err
		}
		for _, f := range r.Findings {
			printDetail(&b, f, wide)
		}
	}
	for _, p := range r.Incomplete {
		fmt.Fprintf(&b, "\nNot read: %s %s", p.Verb, p.Resource)
		if p.Namespace != "" {
			fmt.Fprintf(&b, " in namespace %s", p.Namespace)
		}
		if len(p.Skipped) > 0 {
			fmt.Fprintf(&b, " (checks not run: %s)", strings.Join(p.Skipped, ", "))
		}
		if len(p.Limited) > 0 {
			fmt.Fprintf(&b, " (checks run on what could be read: %s)", strings.Join(p.Limited, ", "))
		}
		b.WriteString("\n")
	}
	fmt.Fprintf(&b, "\n%d error(s), %d warning(s), %d info\n", r.Summary.Error, r.Summary.Warning, r.Summary.Info)
	_, err := io.WriteString(w, b.String())
	return err
}

func printDetail(b *strings.Builder, f Finding, wide bool) {
	fmt.Fprintf(b, "\n%s %s\n", f.ID, f.Object)
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
	fixes := f.Fixes
	if !wide && len(fixes) > 1 {
		fixes = fixes[:1]
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
		fmt.Fprintf(b, "  (%d more fixes: -o wide)\n", hidden)
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
