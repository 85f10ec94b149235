package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"syscall"
	"time"
)

// process is a service or simulator running as a child process, its output
// prefixed with its name.
type process struct {
	name    string
	cmd     *exec.Cmd
	done    chan struct{}
	err     error         // set before done is closed
	exports chan []string // the KEY=VALUE lines before the first empty line, for programs that export
}

var outMu sync.Mutex // one line at a time on the terminal

func build(ctx context.Context, root, bin, pkg string) (string, error) {
	exe := filepath.Join(bin, filepath.Base(pkg))
	cmd := exec.CommandContext(ctx, "go", "build", "-o", exe, pkg)
	cmd.Dir = root
	if out, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("build %s: %w\n%s", pkg, err, out)
	}
	return exe, nil
}

func start(name, exe string, args, env []string, exports bool, out io.Writer) (*process, error) {
	cmd := exec.Command(exe, args...)
	cmd.Env = append(os.Environ(), env...)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true} // Ctrl-C goes to us; we stop the children in order
	stdout, stdoutW := io.Pipe()
	stderr, stderrW := io.Pipe()
	cmd.Stdout, cmd.Stderr = stdoutW, stderrW
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start %s: %w", name, err)
	}
	p := &process{name: name, cmd: cmd, done: make(chan struct{}), exports: make(chan []string, 1)}
	var copying sync.WaitGroup
	copying.Add(2)
	go func() {
		defer copying.Done()
		p.copyLines(stdout, out, exports)
	}()
	go func() {
		defer copying.Done()
		p.copyLines(stderr, out, false)
	}()
	go func() {
		p.err = cmd.Wait()
		stdoutW.Close()
		stderrW.Close()
		copying.Wait()
		close(p.done)
	}()
	return p, nil
}

// copyLines shows r's lines with the process name in front. With exports,
// the KEY=VALUE lines up to the first empty line are collected instead.
func (p *process) copyLines(r io.Reader, out io.Writer, exports bool) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64*1024), 1024*1024)
	var env []string
	for sc.Scan() {
		line := sc.Text()
		if exports {
			if line != "" {
				env = append(env, line)
				continue
			}
			p.exports <- env
			exports = false
			continue
		}
		outMu.Lock()
		fmt.Fprintf(out, "%-22s | %s\n", p.name, line)
		outMu.Unlock()
	}
}

// waitExports returns the environment the process exported.
func (p *process) waitExports(ctx context.Context) ([]string, error) {
	select {
	case env := <-p.exports:
		return env, nil
	case <-p.done:
		return nil, fmt.Errorf("%s exited before exporting its environment: %v", p.name, p.err)
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// exited delivers the first process that ends by itself.
func exited(procs []*process) <-chan *process {
	ch := make(chan *process, len(procs))
	for _, p := range procs {
		go func() {
			<-p.done
			ch <- p
		}()
	}
	return ch
}

// stopAll stops the processes in reverse start order: SIGTERM, then SIGKILL
// after the grace period.
func stopAll(procs []*process, out io.Writer) {
	for i := len(procs) - 1; i >= 0; i-- {
		p := procs[i]
		_ = p.cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-p.done:
		case <-time.After(stopGrace):
			fmt.Fprintf(out, "%s did not stop within %v; killing it\n", p.name, stopGrace)
			_ = syscall.Kill(-p.cmd.Process.Pid, syscall.SIGKILL)
			<-p.done
		}
	}
}
