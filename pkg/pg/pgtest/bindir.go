package pgtest

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
)

// errNoBinaries is the one line a developer sees on a machine without
// PostgreSQL; it says both ways out.
var errNoBinaries = errors.New("pgtest: no PostgreSQL server binaries found; install them (apt-get install postgresql) or set TEST_DATABASE_URL")

// binDir finds the directory holding initdb and postgres: Options.BinDir,
// then $PG_BINDIR, then `pg_config --bindir`, then the newest
// /usr/lib/postgresql/<major>/bin (the Debian and Ubuntu layout).
func binDir(explicit string) (string, error) {
	for _, c := range []struct{ from, dir string }{
		{"Options.BinDir", explicit},
		{"PG_BINDIR", os.Getenv("PG_BINDIR")},
	} {
		if c.dir == "" {
			continue
		}
		if !hasInitdb(c.dir) {
			return "", fmt.Errorf("pgtest: %s=%s has no initdb", c.from, c.dir)
		}
		return c.dir, nil
	}

	var candidates []string
	// libpq-dev's pg_config may name a version whose server is not
	// installed, so its answer is only a candidate.
	if out, err := exec.Command("pg_config", "--bindir").Output(); err == nil {
		candidates = append(candidates, strings.TrimSpace(string(out)))
	}
	installed, _ := filepath.Glob("/usr/lib/postgresql/*/bin")
	candidates = append(candidates, newestFirst(installed)...)
	return firstWithInitdb(candidates)
}

func firstWithInitdb(dirs []string) (string, error) {
	for _, d := range dirs {
		if hasInitdb(d) {
			return d, nil
		}
	}
	return "", errNoBinaries
}

func hasInitdb(dir string) bool {
	_, err := os.Stat(filepath.Join(dir, "initdb"))
	return err == nil
}

// newestFirst orders /usr/lib/postgresql/<major>/bin paths by major version,
// newest first; a plain string sort would put 9.6 after 17.
func newestFirst(dirs []string) []string {
	major := func(d string) float64 {
		v, _ := strconv.ParseFloat(filepath.Base(filepath.Dir(d)), 64)
		return v
	}
	dirs = slices.Clone(dirs)
	slices.SortFunc(dirs, func(a, b string) int {
		ma, mb := major(a), major(b)
		switch {
		case ma > mb:
			return -1
		case ma < mb:
			return 1
		}
		return 0
	})
	return dirs
}
