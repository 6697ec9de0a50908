package realargocd

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"syscall"
	"time"

	"k8s.io/apimachinery/pkg/util/wait"
)

// process is one Argo CD component (or redis) running in its own process group.
type process struct {
	name    string
	logPath string
	cmd     *exec.Cmd
	log     *os.File
	done    chan struct{}
	waitErr error
}

// startProcess starts bin with args. argv0 is what the program sees as its
// own name: the argocd binary picks its role from it.
func startProcess(name, bin, argv0 string, args, env []string, logPath string) (*process, error) {
	logFile, err := os.Create(logPath)
	if err != nil {
		return nil, fmt.Errorf("creating log file for %s: %w", name, err)
	}
	cmd := exec.Command(bin, args...)
	if argv0 != "" {
		cmd.Args[0] = argv0
	}
	cmd.Stdout = logFile
	cmd.Stderr = logFile
	cmd.Env = env
	cmd.SysProcAttr = &syscall.SysProcAttr{
		// Own process group: stop signals the whole group, so the git and
		// helper processes the repo-server forks go too.
		Setpgid: true,
		// If the test binary dies without calling Stop (go test -timeout,
		// SIGKILL), the kernel kills the child: nothing keeps running.
		Pdeathsig: syscall.SIGKILL,
	}
	if err := cmd.Start(); err != nil {
		return nil, errors.Join(fmt.Errorf("starting %s (%s): %w", name, bin, err), logFile.Close())
	}
	p := &process{name: name, logPath: logPath, cmd: cmd, log: logFile, done: make(chan struct{})}
	go func() {
		p.waitErr = cmd.Wait()
		close(p.done)
	}()
	return p, nil
}

func (p *process) exited() bool {
	select {
	case <-p.done:
		return true
	default:
		return false
	}
}

// stop sends SIGTERM to the process group, waits up to grace, then SIGKILLs.
func (p *process) stop(grace time.Duration) error {
	err := p.signalAndWait(grace)
	// Closed only once the process is gone, so nothing it writes is lost.
	if cerr := p.log.Close(); cerr != nil && !errors.Is(cerr, os.ErrClosed) {
		err = errors.Join(err, fmt.Errorf("closing log of %s: %w", p.name, cerr))
	}
	return err
}

func (p *process) signalAndWait(grace time.Duration) error {
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
func (p *process) logTail() string {
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

// waitReady polls check until it succeeds, failing early when the process exits.
func (p *process) waitReady(ctx context.Context, timeout time.Duration, check func(context.Context) error) error {
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

// freePorts asks the kernel for n distinct free loopback ports. All
// listeners stay open until every port is known, so the ports differ.
func freePorts(n int) ([]int, error) {
	ports := make([]int, 0, n)
	listeners := make([]net.Listener, 0, n)
	var errs []error
	for range n {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			errs = append(errs, fmt.Errorf("finding a free port: %w", err))
			break
		}
		listeners = append(listeners, l)
		addr, ok := l.Addr().(*net.TCPAddr)
		if !ok {
			errs = append(errs, fmt.Errorf("unexpected listener address %v", l.Addr()))
			break
		}
		ports = append(ports, addr.Port)
	}
	for _, l := range listeners {
		if err := l.Close(); err != nil {
			errs = append(errs, fmt.Errorf("closing probe listener: %w", err))
		}
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	return ports, nil
}
