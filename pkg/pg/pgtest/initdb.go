package pgtest

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
)

// initdbCache holds one initdb result per process. Copying it (~0.1 s) is
// several times faster than running initdb (~0.45 s) for every cluster.
// It is removed when the last cluster using it stops.
var initdbCache struct {
	sync.Mutex
	root  string   // temp dir holding data/; "" when there is no cache
	owner *os.File // holds root's owner lock; see makeTempDir
	refs  int      // clusters created from it that have not been stopped
}

// copyInitdb fills dst with a fresh cluster, running initdb first if this
// process has no cached result. Each success must be paired with
// releaseInitdb.
func copyInitdb(bin string, cred *syscall.Credential, base, dst string) error {
	initdbCache.Lock()
	defer initdbCache.Unlock()
	if initdbCache.root == "" {
		root, owner, err := makeTempDir(base, "initdb-")
		if err != nil {
			return err
		}
		if err := runInitdb(bin, cred, root); err != nil {
			_ = os.RemoveAll(root)
			_ = owner.Close()
			return err
		}
		initdbCache.root, initdbCache.owner = root, owner
	}
	// cp -a keeps the owner and the 0700 mode postgres insists on.
	if out, err := exec.Command("cp", "-a", filepath.Join(initdbCache.root, "data"), dst).CombinedOutput(); err != nil {
		return fmt.Errorf("pgtest: copy initdb result: %w: %s", err, strings.TrimSpace(string(out)))
	}
	initdbCache.refs++
	return nil
}

func runInitdb(bin string, cred *syscall.Credential, root string) error {
	if err := chownR(root, cred); err != nil {
		return fmt.Errorf("pgtest: hand %s to the postgres user: %w", root, err)
	}
	// trust auth and the C locale: tests need no passwords and must not
	// depend on the machine's locale; --no-sync because the result is
	// thrown away with the process.
	out, err := command(cred, filepath.Join(bin, "initdb"),
		"-D", filepath.Join(root, "data"), "-U", "postgres", "-A", "trust",
		"-E", "UTF8", "--locale=C", "--no-sync", "--no-instructions").CombinedOutput()
	if err != nil {
		lines := strings.Split(strings.TrimSpace(string(out)), "\n")
		return fmt.Errorf("pgtest: initdb: %w: %s", err, lines[len(lines)-1])
	}
	return nil
}

// releaseInitdb drops one reference and removes the cache with the last.
func releaseInitdb() {
	initdbCache.Lock()
	defer initdbCache.Unlock()
	initdbCache.refs--
	if initdbCache.refs == 0 && initdbCache.root != "" {
		_ = os.RemoveAll(initdbCache.root)
		_ = initdbCache.owner.Close()
		initdbCache.root, initdbCache.owner = "", nil
	}
}
