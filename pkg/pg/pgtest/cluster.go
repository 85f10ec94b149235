package pgtest

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"syscall"
	"time"
)

// cluster is one postgres process on a data directory of its own.
type cluster struct {
	dir   string   // temp root: data/, the unix socket and postgres.log
	owner *os.File // holds dir's owner lock; see makeTempDir
	port  int
	bin   string
	cred  *syscall.Credential // nil unless we are root
	args  []string

	cmd  *exec.Cmd
	done chan error // receives cmd.Wait's result once
}

// newCluster creates the data directory (a copy of the per-process initdb
// result) and starts postgres on a free 127.0.0.1 port.
func newCluster(o Options) (_ *cluster, err error) {
	bin, err := binDir(o.BinDir)
	if err != nil {
		return nil, err
	}
	cred, err := credential(o.RunAs)
	if err != nil {
		return nil, err
	}
	base := baseDir(o.BaseDir)
	sweepStale(base)

	dir, owner, err := makeTempDir(base, "")
	if err != nil {
		return nil, err
	}
	c := &cluster{dir: dir, owner: owner, bin: bin, cred: cred}
	defer func() {
		if err != nil {
			_ = c.remove()
		}
	}()
	if err := chownR(dir, cred); err != nil {
		return nil, fmt.Errorf("pgtest: hand %s to the postgres user: %w", dir, err)
	}
	data := filepath.Join(dir, "data")
	if err := copyInitdb(bin, cred, base, data); err != nil {
		return nil, err
	}
	defer func() {
		if err != nil {
			releaseInitdb()
		}
	}()

	// The free port can be taken by someone else before postgres binds it.
	for range 5 {
		if c.port, err = freePort(); err != nil {
			return nil, fmt.Errorf("pgtest: find a free port: %w", err)
		}
		c.args = postgresArgs(data, dir, c.port, o)
		if err = c.start(); err == nil {
			return c, nil
		}
	}
	return nil, err
}

func postgresArgs(data, sockDir string, port int, o Options) []string {
	args := []string{"-D", data, "-p", strconv.Itoa(port), "-k", sockDir,
		"-c", "listen_addresses=127.0.0.1",
		// Every parallel test holds a pool of its own.
		"-c", "max_connections=500",
		"-c", "logging_collector=off",
	}
	if !o.Durable {
		args = append(args, "-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off")
	}
	for _, kv := range o.Settings {
		args = append(args, "-c", kv)
	}
	return args
}

// start runs postgres and waits until it accepts connections.
func (c *cluster) start() error {
	logf, err := os.OpenFile(c.logPath(), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return fmt.Errorf("pgtest: open postgres log: %w", err)
	}
	defer logf.Close() // the child has its own copy of the descriptor

	cmd := command(c.cred, filepath.Join(c.bin, "postgres"), c.args...)
	// If the test binary dies without cleaning up, postgres gets SIGQUIT
	// (immediate shutdown) instead of running on as an orphan.
	cmd.SysProcAttr.Pdeathsig = syscall.SIGQUIT
	cmd.Stdout, cmd.Stderr = logf, logf
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("pgtest: run postgres: %w", err)
	}
	c.cmd, c.done = cmd, make(chan error, 1)
	go func() { c.done <- cmd.Wait() }()

	if err := c.waitReady(30 * time.Second); err != nil {
		c.stop(syscall.SIGQUIT)
		return err
	}
	return nil
}

func (c *cluster) waitReady(limit time.Duration) error {
	db, err := sql.Open("postgres", c.adminURL())
	if err != nil {
		return fmt.Errorf("pgtest: %w", err)
	}
	defer db.Close()
	deadline := time.Now().Add(limit)
	for {
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		err := db.PingContext(ctx)
		cancel()
		if err == nil {
			return nil
		}
		select {
		case werr := <-c.done:
			c.done <- werr // stop still waits on it
			return fmt.Errorf("pgtest: postgres on port %d exited while starting (%v): %s", c.port, werr, c.lastLogLine())
		default:
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("pgtest: postgres on port %d not ready after %s: %v: %s", c.port, limit, err, c.lastLogLine())
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// stop signals postgres (SIGINT: fast shutdown, SIGQUIT: immediate) and
// waits for it, killing the process group if it takes too long.
func (c *cluster) stop(sig syscall.Signal) {
	_ = c.cmd.Process.Signal(sig)
	select {
	case <-c.done:
	case <-time.After(10 * time.Second):
		_ = syscall.Kill(-c.cmd.Process.Pid, syscall.SIGKILL)
		<-c.done
	}
}

// remove deletes the cluster's directory; postgres must not be running.
func (c *cluster) remove() error {
	err := os.RemoveAll(c.dir)
	_ = c.owner.Close() // only now, so no sweep removes a directory in use
	return err
}

func (c *cluster) adminURL() string { return c.urlFor("postgres") }

func (c *cluster) urlFor(db string) string {
	return fmt.Sprintf("postgres://postgres@%s/%s?sslmode=disable",
		net.JoinHostPort("127.0.0.1", strconv.Itoa(c.port)), db)
}

func (c *cluster) logPath() string { return filepath.Join(c.dir, "postgres.log") }

// lastLogLine is the most telling part of a failed start, e.g. "FATAL:
// could not create lock file", kept to one line for the error message.
func (c *cluster) lastLogLine() string {
	b, _ := os.ReadFile(c.logPath())
	lines := bytes.Split(bytes.TrimSpace(b), []byte("\n"))
	return string(lines[len(lines)-1])
}

// credential returns whom to run postgres as when we are root, which
// postgres refuses to run as.
func credential(runAs string) (*syscall.Credential, error) {
	if os.Geteuid() != 0 {
		return nil, nil
	}
	if runAs == "" {
		runAs = "postgres"
	}
	u, err := user.Lookup(runAs)
	if err != nil {
		return nil, fmt.Errorf("pgtest: running as root, and postgres needs another user: %w (create one with useradd -r %s)", err, runAs)
	}
	uid, err := strconv.ParseUint(u.Uid, 10, 32)
	if err != nil {
		return nil, fmt.Errorf("pgtest: user %s has uid %q: %w", runAs, u.Uid, err)
	}
	gid, err := strconv.ParseUint(u.Gid, 10, 32)
	if err != nil {
		return nil, fmt.Errorf("pgtest: user %s has gid %q: %w", runAs, u.Gid, err)
	}
	return &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid)}, nil
}

func chownR(dir string, cred *syscall.Credential) error {
	if cred == nil {
		return nil
	}
	return filepath.WalkDir(dir, func(p string, _ os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		return os.Lchown(p, int(cred.Uid), int(cred.Gid))
	})
}

// command prepares a PostgreSQL program run as cred in its own process
// group, so a hung cluster can be killed as a whole.
func command(cred *syscall.Credential, name string, args ...string) *exec.Cmd {
	cmd := exec.Command(name, args...)
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: cred, Setpgid: true}
	cmd.Env = append(os.Environ(), "LC_ALL=C", "TZ=UTC")
	return cmd
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	addr, ok := l.Addr().(*net.TCPAddr)
	if !ok {
		return 0, errors.New("listener has no TCP address")
	}
	return addr.Port, nil
}
