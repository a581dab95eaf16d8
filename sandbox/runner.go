package sandbox

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strconv"
	"sync"

	"github.com/hashicorp/go-plugin/runner"
)

// Runner runs one workerhost process for go-plugin.
type Runner struct {
	cmd    *exec.Cmd
	stdout io.ReadCloser
	stderr io.ReadCloser
	extra  []*os.File

	done    chan struct{} // closed when Wait has returned
	waitErr error
	once    sync.Once
}

var _ runner.Runner = (*Runner)(nil)

// NewRunner prepares path with args. env is the whole environment of the
// child, which is go-plugin's handshake variables. extra are descriptors
// passed as 3, 4, and so on, and NewRunner's caller must not close them
// before Start.
func NewRunner(path string, args, env []string, extra []*os.File) (*Runner, error) {
	cmd := exec.Command(path, args...)
	cmd.Env = env
	cmd.Stdin = nil
	cmd.ExtraFiles = extra
	cmd.SysProcAttr = sysProcAttr()
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return nil, fmt.Errorf("start workerhost: %w", err)
	}
	stderr, err := cmd.StderrPipe()
	if err != nil {
		return nil, fmt.Errorf("start workerhost: %w", err)
	}
	return &Runner{cmd: cmd, stdout: stdout, stderr: stderr, extra: extra, done: make(chan struct{})}, nil
}

// Start starts the process and closes the parent's copies of the extra
// descriptors.
func (r *Runner) Start(context.Context) error {
	err := r.cmd.Start()
	for _, f := range r.extra {
		f.Close()
	}
	if err != nil {
		return fmt.Errorf("start workerhost %s: %w", r.cmd.Path, err)
	}
	return nil
}

// Wait waits for the process to exit. go-plugin calls it once; later calls
// return the same result.
func (r *Runner) Wait(context.Context) error {
	r.once.Do(func() {
		r.waitErr = r.cmd.Wait()
		close(r.done)
	})
	<-r.done
	return r.waitErr
}

// Done is closed when the process has exited and Wait has returned.
func (r *Runner) Done() <-chan struct{} { return r.done }

// ExitErr returns the result of Wait once Done is closed.
func (r *Runner) ExitErr() error {
	<-r.done
	return r.waitErr
}

// Kill kills the process. Killing an exited process is not an error.
func (r *Runner) Kill(context.Context) error {
	if r.cmd.Process == nil {
		return nil
	}
	if err := r.cmd.Process.Kill(); err != nil && !errors.Is(err, os.ErrProcessDone) {
		return err
	}
	return nil
}

// PID returns the process ID, or 0 before Start.
func (r *Runner) PID() int {
	if r.cmd.Process == nil {
		return 0
	}
	return r.cmd.Process.Pid
}

func (r *Runner) Stdout() io.ReadCloser { return r.stdout }
func (r *Runner) Stderr() io.ReadCloser { return r.stderr }
func (r *Runner) Name() string          { return r.cmd.Path }
func (r *Runner) ID() string            { return strconv.Itoa(r.PID()) }

func (r *Runner) Diagnose(context.Context) string {
	return "the workerhost process did not complete the go-plugin handshake; its stderr is in the supervisor's log"
}

func (r *Runner) PluginToHost(network, addr string) (string, string, error) {
	return network, addr, nil
}

func (r *Runner) HostToPlugin(network, addr string) (string, string, error) {
	return network, addr, nil
}
