// Command release packs the release archives and renders the krew-index
// manifest from .krew.yaml, for `make dist` and `make krew-manifest`:
//
//	go run ./scripts/release archive -o DIR/NAME.tar.gz|.zip -date RFC3339 FILE...
//	go run ./scripts/release checksums -o DIR/checksums.txt DIR/*.tar.gz DIR/*.zip
//	go run ./scripts/release krew-manifest -template .krew.yaml -tag vX.Y.Z -dist DIR -o plugins/argofix.yaml
//
// Archives are reproducible: entries in the order given, owned by root,
// stamped with the given date, gzip without a name or time. The manifest is
// rendered the way krew-release-bot renders the template ({{ .TagName }}
// and {{ addURIAndSha URL .TagName }}), with each sha256 computed from the
// local archive the URL names, so the manifest is tested here without the bot.
package main

import (
	"archive/tar"
	"archive/zip"
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path"
	"path/filepath"
	"strings"
	"text/template"
	"time"
)

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: release archive|checksums|krew-manifest ...")
		os.Exit(2)
	}
	var err error
	switch os.Args[1] {
	case "archive":
		err = archiveCmd(os.Args[2:])
	case "checksums":
		err = checksumsCmd(os.Args[2:])
	case "krew-manifest":
		err = krewManifestCmd(os.Args[2:])
	default:
		err = fmt.Errorf("unknown subcommand %q", os.Args[1])
	}
	if err != nil {
		fmt.Fprintf(os.Stderr, "release %s: %v\n", os.Args[1], err)
		os.Exit(1)
	}
}

func archiveCmd(args []string) error {
	fs := flag.NewFlagSet("archive", flag.ContinueOnError)
	out := fs.String("o", "", "archive to write: .tar.gz or .zip")
	date := fs.String("date", "", "modification time of every entry (RFC 3339)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *out == "" || fs.NArg() == 0 {
		return errors.New("-o and files are required")
	}
	mtime, err := time.Parse(time.RFC3339, *date)
	if err != nil {
		return fmt.Errorf("-date: %w", err)
	}
	var buf bytes.Buffer
	switch {
	case strings.HasSuffix(*out, ".tar.gz"):
		err = writeTarGz(&buf, fs.Args(), mtime)
	case strings.HasSuffix(*out, ".zip"):
		err = writeZip(&buf, fs.Args(), mtime)
	default:
		err = fmt.Errorf("%s: want .tar.gz or .zip", *out)
	}
	if err != nil {
		return err
	}
	return os.WriteFile(*out, buf.Bytes(), 0o644)
}

// mode is 0755 for the executable, 0644 for the rest.
func mode(name string) int64 {
	if strings.HasPrefix(filepath.Base(name), "kubectl-argofix") {
		return 0o755
	}
	return 0o644
}

func writeTarGz(w io.Writer, files []string, mtime time.Time) error {
	gz, err := gzip.NewWriterLevel(w, gzip.BestCompression)
	if err != nil {
		return err
	}
	tw := tar.NewWriter(gz)
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			return err
		}
		hdr := &tar.Header{Name: filepath.Base(f), Mode: mode(f), Size: int64(len(b)), ModTime: mtime,
			Typeflag: tar.TypeReg, Uname: "root", Gname: "root", Format: tar.FormatPAX}
		if err := tw.WriteHeader(hdr); err != nil {
			return err
		}
		if _, err := tw.Write(b); err != nil {
			return err
		}
	}
	if err := tw.Close(); err != nil {
		return err
	}
	return gz.Close()
}

func writeZip(w io.Writer, files []string, mtime time.Time) error {
	zw := zip.NewWriter(w)
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			return err
		}
		hdr := &zip.FileHeader{Name: filepath.Base(f), Method: zip.Deflate, Modified: mtime.UTC()}
		hdr.SetMode(os.FileMode(mode(f)))
		fw, err := zw.CreateHeader(hdr)
		if err != nil {
			return err
		}
		if _, err := fw.Write(b); err != nil {
			return err
		}
	}
	return zw.Close()
}

func sha256File(name string) (string, error) {
	b, err := os.ReadFile(name)
	if err != nil {
		return "", err
	}
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:]), nil
}

// checksumsCmd writes sha256sum's format: "<hex>  <file name>".
func checksumsCmd(args []string) error {
	fs := flag.NewFlagSet("checksums", flag.ContinueOnError)
	out := fs.String("o", "", "checksums file to write")
	if err := fs.Parse(args); err != nil {
		return err
	}
	var b strings.Builder
	for _, f := range fs.Args() {
		sum, err := sha256File(f)
		if err != nil {
			return err
		}
		fmt.Fprintf(&b, "%s  %s\n", sum, filepath.Base(f))
	}
	return os.WriteFile(*out, []byte(b.String()), 0o644)
}

func krewManifestCmd(args []string) error {
	fs := flag.NewFlagSet("krew-manifest", flag.ContinueOnError)
	tmpl := fs.String("template", ".krew.yaml", "krew-release-bot template")
	tag := fs.String("tag", "", "release tag, vX.Y.Z")
	dist := fs.String("dist", "dist", "directory holding the archives the URLs name")
	out := fs.String("o", "plugins/argofix.yaml", "manifest to write")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *tag == "" {
		return errors.New("-tag is required")
	}
	src, err := os.ReadFile(*tmpl)
	if err != nil {
		return err
	}
	b, err := renderManifest(string(src), *tag, *dist)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(*out), 0o755); err != nil {
		return err
	}
	return os.WriteFile(*out, b, 0o644)
}

// renderManifest renders the template as krew-release-bot does: the
// URL given to addURIAndSha is itself a template of .TagName, and the
// function writes "uri: URL" and "sha256: SUM" on two lines, the second
// indented by four spaces, like the bot.
func renderManifest(src, tag, dist string) ([]byte, error) {
	data := struct{ TagName string }{tag}
	funcs := template.FuncMap{
		"addURIAndSha": func(url, tagName string) (string, error) {
			var u bytes.Buffer
			t, err := template.New("url").Parse(url)
			if err != nil {
				return "", err
			}
			if err := t.Execute(&u, struct{ TagName string }{tagName}); err != nil {
				return "", err
			}
			sum, err := sha256File(filepath.Join(dist, path.Base(u.String())))
			if err != nil {
				return "", fmt.Errorf("the archive of %s: %w (run make dist VERSION=%s first)", u.String(), err, tagName)
			}
			return fmt.Sprintf("uri: %s\n    sha256: %s", u.String(), sum), nil
		},
	}
	// The template's own comments are about the template.
	var body []string
	lines := strings.Split(src, "\n")
	for i, l := range lines {
		if !strings.HasPrefix(l, "#") {
			body = lines[i:]
			break
		}
	}
	src = "# Generated by `make krew-manifest VERSION=" + tag + "` from .krew.yaml: edit that, not this.\n" + strings.Join(body, "\n")
	t, err := template.New(".krew.yaml").Funcs(funcs).Option("missingkey=error").Parse(src)
	if err != nil {
		return nil, err
	}
	var b bytes.Buffer
	if err := t.Execute(&b, data); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}
