package cli

import (
	"cmp"
	"regexp"
	"runtime/debug"
)

// Version and Commit are what --version prints, set at build time with
//
//	-ldflags "-X github.com/trustctl/trustctl/internal/cli.Version=v1.2.3 -X github.com/trustctl/trustctl/internal/cli.Commit=0123abcd"
//
// What is left empty comes from the build information the go command
// records in the binary (see [version]).
var Version, Commit string

// version is what --version prints after "trustctl version".
func version() string {
	bi, _ := debug.ReadBuildInfo()
	return versionOf(Version, Commit, bi)
}

// versionOf is the version and the commit a binary was built from: v and
// commit when set, and otherwise what bi records. The go command records
// the module version (a tag, or a pseudo-version made from the commit,
// "+dirty" with uncommitted changes) and, for a build in a Git checkout,
// the commit and whether the tree was modified; `go install
// module@version` records the version alone, and a tagged version names
// its commit. Without any of these the version is "devel", and the
// commit "unknown".
func versionOf(v, commit string, bi *debug.BuildInfo) string {
	if bi != nil {
		if v == "" && bi.Main.Version != "(devel)" {
			v = bi.Main.Version
		}
		if commit == "" {
			commit = buildCommit(bi)
		}
	}
	if v == "" {
		v, commit = "devel", cmp.Or(commit, "unknown")
	}
	if commit == "" {
		return v
	}
	return v + " (commit " + commit + ")"
}

// pseudoVersion matches the tail of a Go pseudo-version: a timestamp and
// the first 12 hex digits of the commit (go.dev/ref/mod#pseudo-versions).
var pseudoVersion = regexp.MustCompile(`\d{14}-([0-9a-f]{12})(\+dirty)?$`)

// buildCommit returns the commit recorded in bi, shortened to 12 hex
// digits as pseudo-versions write it, with "-dirty" when the tree had
// uncommitted changes; "" when bi names no commit.
func buildCommit(bi *debug.BuildInfo) string {
	var rev string
	var modified bool
	for _, s := range bi.Settings {
		switch s.Key {
		case "vcs.revision":
			rev = s.Value
		case "vcs.modified":
			modified = s.Value == "true"
		}
	}
	if rev == "" {
		m := pseudoVersion.FindStringSubmatch(bi.Main.Version)
		if m == nil {
			return ""
		}
		rev, modified = m[1], m[2] != ""
	}
	if len(rev) > 12 {
		rev = rev[:12]
	}
	if modified {
		rev += "-dirty"
	}
	return rev
}
