package realargocd

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
)

// Branch is the branch fixture repositories are created on; Applications
// made by AppSpec track it unless told otherwise.
const Branch = "main"

// Repo is a Git repository on local disk that Argo CD's repo-server clones
// over file:// (no daemon, no credentials, no repository Secret).
type Repo struct {
	// Dir is the work tree; tests edit files here through CommitFile.
	Dir string
	// URL is what an Application's spec.source.repoURL points at.
	URL string
}

// NewRepoFromDir copies the plain folder src (e.g.
// test/scenarios/real-healthy/repo) to dst, turns it into a Git repository
// on branch main and commits everything. dst must not exist yet.
func NewRepoFromDir(ctx context.Context, src, dst string) (*Repo, error) {
	if _, err := os.Stat(dst); err == nil {
		return nil, fmt.Errorf("creating fixture repo: %s already exists", dst)
	}
	if err := copyTree(src, dst); err != nil {
		return nil, fmt.Errorf("copying fixture %s: %w", src, err)
	}
	r := &Repo{Dir: dst, URL: "file://" + filepath.Join(dst, ".git")}
	if _, err := r.git(ctx, "init", "--quiet", "--initial-branch="+Branch); err != nil {
		return nil, err
	}
	if _, err := r.Commit(ctx, "fixture from "+src); err != nil {
		return nil, err
	}
	return r, nil
}

// CommitFile writes content to rel (a slash path inside the repo, parents
// created) and commits it; it returns the new commit's SHA.
func (r *Repo) CommitFile(ctx context.Context, rel string, content []byte, message string) (string, error) {
	path := filepath.Join(r.Dir, filepath.FromSlash(rel))
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return "", fmt.Errorf("creating folder for %s: %w", rel, err)
	}
	if err := os.WriteFile(path, content, 0o644); err != nil {
		return "", fmt.Errorf("writing %s: %w", rel, err)
	}
	return r.Commit(ctx, message)
}

// RemoveFile deletes rel and commits; it returns the new commit's SHA.
func (r *Repo) RemoveFile(ctx context.Context, rel, message string) (string, error) {
	if err := os.Remove(filepath.Join(r.Dir, filepath.FromSlash(rel))); err != nil {
		return "", fmt.Errorf("removing %s: %w", rel, err)
	}
	return r.Commit(ctx, message)
}

// Commit stages every change in the work tree and commits it (an empty
// commit when nothing changed, so a new revision always appears); it
// returns the new commit's SHA.
func (r *Repo) Commit(ctx context.Context, message string) (string, error) {
	if _, err := r.git(ctx, "add", "--all"); err != nil {
		return "", err
	}
	if _, err := r.git(ctx, "commit", "--quiet", "--allow-empty", "-m", message); err != nil {
		return "", err
	}
	return r.Head(ctx)
}

// Head returns the SHA of the current commit.
func (r *Repo) Head(ctx context.Context) (string, error) {
	out, err := r.git(ctx, "rev-parse", "HEAD")
	if err != nil {
		return "", err
	}
	return strings.TrimSpace(out), nil
}

func (r *Repo) git(ctx context.Context, args ...string) (string, error) {
	cmd := exec.CommandContext(ctx, "git", args...)
	cmd.Dir = r.Dir
	// A fixed identity and no user or system config: commits work on a
	// bare CI machine and a developer's settings (signing, hooks) stay out.
	cmd.Env = append(os.Environ(),
		"GIT_CONFIG_NOSYSTEM=1",
		"GIT_CONFIG_GLOBAL="+os.DevNull,
		"GIT_AUTHOR_NAME=argofix-test", "GIT_AUTHOR_EMAIL=test@argofix.invalid",
		"GIT_COMMITTER_NAME=argofix-test", "GIT_COMMITTER_EMAIL=test@argofix.invalid",
	)
	var stdout, stderr bytes.Buffer
	cmd.Stdout = &stdout
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		return "", fmt.Errorf("git %s in %s: %w: %s", strings.Join(args, " "), r.Dir, err, strings.TrimSpace(stderr.String()))
	}
	return stdout.String(), nil
}

// copyTree copies regular files and folders from src to dst.
func copyTree(src, dst string) error {
	info, err := os.Stat(src)
	if err != nil {
		return fmt.Errorf("reading fixture folder: %w", err)
	}
	if !info.IsDir() {
		return fmt.Errorf("fixture %s is not a folder", src)
	}
	return filepath.WalkDir(src, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(src, path)
		if err != nil {
			return fmt.Errorf("relative path of %s: %w", path, err)
		}
		target := filepath.Join(dst, rel)
		switch {
		case d.IsDir():
			if err := os.MkdirAll(target, 0o755); err != nil {
				return fmt.Errorf("creating %s: %w", target, err)
			}
			return nil
		case d.Type().IsRegular():
			data, err := os.ReadFile(path)
			if err != nil {
				return fmt.Errorf("reading %s: %w", path, err)
			}
			if err := os.WriteFile(target, data, 0o644); err != nil {
				return fmt.Errorf("writing %s: %w", target, err)
			}
			return nil
		default:
			return errors.New("fixture " + path + " is neither a file nor a folder")
		}
	})
}
