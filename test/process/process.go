// Package process runs the binaries of the end-to-end test environments
// (the control plane in test/controlplane, Argo CD in test/realargocd) as
// child processes. Both need the same careful handling: each child gets its
// own process group and dies with the test binary, its output goes to a log
// file whose tail ends up in error messages, readiness is polled while
// watching for an early exit, and stopping escalates from SIGTERM to
// SIGKILL. Keeping that in one place means a fix reaches both.
package process

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"syscall"
	"time"

	"k8s.io/apimachinery/pkg/util/wait"
)

// Spec says what to start.
type Spec struct {
	// Name is used in error messages.
	Name string
	// Bin is the path of the binary.
	Bin string
	// Argv0, when set, is what the program sees as its own name (a
	// multi-call binary such as argocd picks its role from it).
	Argv0 string
	Args  []string
	// Env is the child's whole environment; nil means the test's own
	// (as for exec.Cmd).
	Env []string
	// LogPath is created (truncated) and receives stdout and stderr.
	LogPath string
}

// Process is one child running in its own process group. Stop it once.
type Process struct {
	name    string
	logPath string
	cmd     *exec.Cmd
	log     *os.File
	done    chan struct{}
	waitErr error
}

// Start starts the child described by s without waiting for it to be ready.
func Start(s Spec) (*Process, error) {
	logFile, err := os.Create(s.LogPath)
	if err != nil {
		return nil, fmt.Errorf("creating log file for %s: %w", s.Name, err)
	}
	cmd := exec.Command(s.Bin, s.Args...)
	if s.Argv0 != "" {
		cmd.Args[0] = s.Argv0
	}
	cmd.Stdout = logFile
	cmd.Stderr = logFile
	cmd.Env = s.Env
	cmd.SysProcAttr = &syscall.SysProcAttr{
		// Own process group: Stop signals the whole group, so helpers the
		// binary forks (e.g. the git processes of Argo CD's repo-server)
		// go too.
		Setpgid: true,
		// If the test binary dies without running Stop (panic in a test
		// goroutine, go test -timeout, SIGKILL), the kernel kills the child:
		// no orphan keeps ports and memory.
		Pdeathsig: syscall.SIGKILL,
	}
	if err := cmd.Start(); err != nil {
		return nil, errors.Join(fmt.Errorf("starting %s (%s): %w", s.Name, s.Bin, err), logFile.Close())
	}
	p := &Process{name: s.Name, logPath: s.LogPath, cmd: cmd, log: logFile, done: make(chan struct{})}
	go func() {
		p.waitErr = cmd.Wait()
		close(p.done)
	}()
	return p, nil
}

// Name is the Spec.Name the process was started with.
func (p *Process) Name() string { return p.name }

func (p *Process) exited() bool {
	select {
	case <-p.done:
		return true
	default:
		return false
	}
}

// Stop sends SIGTERM to the process group, waits up to grace, then SIGKILLs.
// It also closes the log file and reports a failure to do so.
func (p *Process) Stop(grace time.Duration) error {
	err := p.signalAndWait(grace)
	// Closed only once the process is gone, so nothing it writes is lost.
	if cerr := p.log.Close(); cerr != nil && !errors.Is(cerr, os.ErrClosed) {
		err = errors.Join(err, fmt.Errorf("closing log of %s: %w", p.name, cerr))
	}
	return err
}

func (p *Process) signalAndWait(grace time.Duration) error {
	if p.exited() {
		return nil
	}
	pgid := p.cmd.Process.Pid
	if err := syscall.Kill(-pgid, syscall.SIGTERM); err != nil && !errors.Is(err, syscall.ESRCH) {
		return fmt.Errorf("sending SIGTERM to %s (pid %d): %w", p.name, pgid, err)
	}
	select {
	case <-p.done:
		return nil
	case <-time.After(grace):
	}
	if err := syscall.Kill(-pgid, syscall.SIGKILL); err != nil && !errors.Is(err, syscall.ESRCH) {
		return fmt.Errorf("sending SIGKILL to %s (pid %d): %w", p.name, pgid, err)
	}
	select {
	case <-p.done:
		return nil
	case <-time.After(10 * time.Second):
		return fmt.Errorf("%s (pid %d) still running 10s after SIGKILL", p.name, pgid)
	}
}

// logTail returns the end of the process log, for error messages.
func (p *Process) logTail() string {
	f, err := os.Open(p.logPath)
	if err != nil {
		return fmt.Sprintf("(cannot read %s: %v)", p.logPath, err)
	}
	defer f.Close() //nolint:errcheck // read-only file
	const max = 3000
	if st, err := f.Stat(); err == nil && st.Size() > max {
		if _, err := f.Seek(st.Size()-max, io.SeekStart); err != nil {
			return fmt.Sprintf("(cannot seek %s: %v)", p.logPath, err)
		}
	}
	b, err := io.ReadAll(f)
	if err != nil {
		return fmt.Sprintf("(cannot read %s: %v)", p.logPath, err)
	}
	return string(bytes.TrimSpace(b))
}

// WaitReady polls check until it succeeds, failing early when the process
// exits. Both failures quote the end of the process log.
func (p *Process) WaitReady(ctx context.Context, timeout time.Duration, check func(context.Context) error) error {
	var last error
	err := wait.PollUntilContextTimeout(ctx, 100*time.Millisecond, timeout, true, func(ctx context.Context) (bool, error) {
		if p.exited() {
			return false, fmt.Errorf("%s exited (%v); log %s ends with:\n%s", p.name, p.waitErr, p.logPath, p.logTail())
		}
		last = check(ctx)
		return last == nil, nil
	})
	if err != nil {
		if last != nil && !p.exited() {
			return fmt.Errorf("%s not ready after %s (last check: %v); log %s ends with:\n%s: %w", p.name, timeout, last, p.logPath, p.logTail(), err)
		}
		return err
	}
	return nil
}
