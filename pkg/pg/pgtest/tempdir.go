package pgtest

import (
	"fmt"
	"os"
	"path/filepath"
	"syscall"
)

// baseDir is where cluster directories go: Options.BaseDir, $PGTEST_TMPDIR,
// /dev/shm when usable, else os.TempDir(). A tmpfs matters: CREATE DATABASE
// creates ~300 files, which takes ~20 ms on tmpfs and ~250 ms on a VM disk.
func baseDir(explicit string) string {
	if explicit != "" {
		return explicit
	}
	if d := os.Getenv("PGTEST_TMPDIR"); d != "" {
		return d
	}
	const shm = "/dev/shm"
	if fi, err := os.Stat(shm); err == nil && fi.IsDir() && syscall.Access(shm, 2 /* W_OK */) == nil {
		return shm
	}
	return os.TempDir()
}

// ownerLock is the file whose flock marks a directory as in use. The kernel
// drops the flock when its process dies, however it dies.
const ownerLock = ".owner.lock"

// makeTempDir creates a directory under base, owned (flocked) by this
// process until the returned file is closed.
func makeTempDir(base, pattern string) (string, *os.File, error) {
	dir, err := os.MkdirTemp(base, "pgtest-"+pattern)
	if err != nil {
		return "", nil, fmt.Errorf("pgtest: create temp dir: %w", err)
	}
	// Locked under another name first and then renamed, so sweepStale never
	// sees an unlocked owner file in a live directory.
	tmp := filepath.Join(dir, ownerLock+".new")
	f, err := os.OpenFile(tmp, os.O_CREATE|os.O_RDWR, 0o600)
	if err == nil {
		err = syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB)
		if err == nil {
			err = os.Rename(tmp, filepath.Join(dir, ownerLock))
		}
		if err != nil {
			_ = f.Close()
		}
	}
	if err != nil {
		_ = os.RemoveAll(dir)
		return "", nil, fmt.Errorf("pgtest: lock temp dir: %w", err)
	}
	return dir, f, nil
}

// sweepStale removes directories left behind by test processes that were
// killed (SIGKILL, or a Ctrl-C, skips all cleanup). On /dev/shm they would
// otherwise hold memory until reboot.
func sweepStale(base string) {
	dirs, _ := filepath.Glob(filepath.Join(base, "pgtest-*"))
	for _, d := range dirs {
		f, err := os.Open(filepath.Join(d, ownerLock))
		if err != nil {
			continue // not made by makeTempDir
		}
		if syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB) == nil {
			_ = os.RemoveAll(d)
		}
		_ = f.Close()
	}
}
