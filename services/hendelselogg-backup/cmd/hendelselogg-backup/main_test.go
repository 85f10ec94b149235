package main

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/stretchr/testify/require"

	"github.com/navikt/kafkapg/pkg/pg"
	"github.com/navikt/kafkapg/pkg/pg/pgtest"
	bt "github.com/navikt/kafkapg/services/hendelselogg-backup/internal/backuptest"
)

var (
	server *pgtest.Server
	// serviceBinary is the service, built once for the whole package: the tests
	// run, kill and restart it as a process, as the platform does.
	serviceBinary string
)

func TestMain(m *testing.M) {
	os.Exit(testMain(m))
}

func testMain(m *testing.M) int {
	dir, err := os.MkdirTemp("", "hendelselogg-backup-test-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer os.RemoveAll(dir)
	serviceBinary = filepath.Join(dir, "hendelselogg-backup")
	// A plain build (no -race, no test flags): the binary under test is the
	// one that ships.
	build := exec.Command("go", "build", "-o", serviceBinary, ".")
	build.Env = append(os.Environ(), "GOFLAGS=", "CGO_ENABLED=0")
	if out, err := build.CombinedOutput(); err != nil {
		fmt.Fprintf(os.Stderr, "build the service: %v\n%s", err, out)
		return 1
	}
	s, err := pgtest.Start(pgtest.Options{})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	server = s
	code := m.Run()
	if err := s.Stop(); err != nil && code == 0 {
		fmt.Fprintln(os.Stderr, err)
		code = 1
	}
	return code
}

// proc is one run of the service binary.
type proc struct {
	t    testing.TB
	cmd  *exec.Cmd
	port int
	out  *syncBuffer
	errb *syncBuffer
	done chan struct{}
	code int
}

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func freePort(t testing.TB) int {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// start runs the binary with env (and PORT) and args. It is killed when the
// test ends.
func start(t testing.TB, env []string, args ...string) *proc {
	t.Helper()
	p := &proc{t: t, port: freePort(t), out: &syncBuffer{}, errb: &syncBuffer{}, done: make(chan struct{})}
	p.cmd = exec.Command(serviceBinary, args...)
	p.cmd.Env = append(append([]string{"PATH=" + os.Getenv("PATH")}, env...), "PORT="+strconv.Itoa(p.port))
	p.cmd.Stdout, p.cmd.Stderr = p.out, p.errb
	require.NoError(t, p.cmd.Start())
	go func() {
		_ = p.cmd.Wait()
		p.code = p.cmd.ProcessState.ExitCode()
		close(p.done)
	}()
	t.Cleanup(func() {
		p.kill()
		if t.Failed() {
			t.Logf("pid %d stdout:\n%s\nstderr:\n%s", p.cmd.Process.Pid, tail(p.out.String()), p.errb.String())
		}
	})
	return p
}

func tail(s string) string {
	const keep = 8000
	if len(s) > keep {
		return "…" + s[len(s)-keep:]
	}
	return s
}

// kill ends the process with SIGKILL: no cleanup of any kind runs.
func (p *proc) kill() {
	_ = p.cmd.Process.Signal(syscall.SIGKILL)
	<-p.done
}

// term sends SIGTERM and returns the exit code.
func (p *proc) term() int {
	p.t.Helper()
	_ = p.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-p.done:
	case <-time.After(bt.WaitFor):
		p.t.Fatalf("the service did not stop within %s of SIGTERM", bt.WaitFor)
	}
	return p.code
}

// wait returns the exit code once the process ends by itself.
func (p *proc) wait() int {
	p.t.Helper()
	select {
	case <-p.done:
	case <-time.After(bt.WaitFor):
		p.t.Fatalf("the process did not end within %s", bt.WaitFor)
	}
	return p.code
}

func (p *proc) exited() bool {
	select {
	case <-p.done:
		return true
	default:
		return false
	}
}

// status returns the HTTP status of path, or 0 when nothing answers.
func (p *proc) status(path string) int {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, fmt.Sprintf("http://127.0.0.1:%d%s", p.port, path), nil)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0
	}
	defer resp.Body.Close()
	return resp.StatusCode
}

func (p *proc) get(path string) (int, string) {
	resp, err := http.Get(fmt.Sprintf("http://127.0.0.1:%d%s", p.port, path))
	if err != nil {
		return 0, ""
	}
	defer resp.Body.Close()
	var b bytes.Buffer
	_, _ = b.ReadFrom(resp.Body)
	return resp.StatusCode, b.String()
}

// progress is the sum over all partitions of (HWM + 1) for version 1: it
// grows with every committed batch.
func progress(t testing.TB, e *bt.Env) int64 {
	var n int64
	require.NoError(t, e.DB.Get(&n, `SELECT coalesce(sum(kafka_offset + 1), 0) FROM bekreftelse_hwm WHERE version = 1`))
	return n
}

func openURL(t testing.TB, url string) *sqlx.DB {
	t.Helper()
	db, err := pg.Open(context.Background(), pg.Config{URL: url})
	require.NoError(t, err)
	t.Cleanup(func() { _ = db.Close() })
	return db
}
