package cli

import (
	"bytes"
	"runtime/debug"
	"strings"
	"testing"
)

// TestVersionOf: --version names the version and the commit, from
// -ldflags when they were set there and otherwise from what the go
// command recorded: a build in a Git checkout, `go install` of a tag or
// of a commit, and a build with nothing recorded.
func TestVersionOf(t *testing.T) {
	checkout := &debug.BuildInfo{
		Main: debug.Module{Path: "github.com/trustctl/trustctl", Version: "v0.0.0-20261204185000-2f95c98021ff+dirty"},
		Settings: []debug.BuildSetting{
			{Key: "vcs", Value: "git"},
			{Key: "vcs.revision", Value: "2f95c98021ff9dd7b6c4000fadc786db9d6db6d7"},
			{Key: "vcs.modified", Value: "true"},
		},
	}
	for _, tc := range []struct {
		name, v, commit string
		bi              *debug.BuildInfo
		want            string
	}{
		{"ldflags", "v1.2.3", "0123abcd", checkout, "v1.2.3 (commit 0123abcd)"},
		{"ldflags version, commit from the checkout", "v1.2.3-4-g2f95c98", "", checkout, "v1.2.3-4-g2f95c98 (commit 2f95c98021ff-dirty)"},
		{"go build in a checkout", "", "", checkout, "v0.0.0-20261204185000-2f95c98021ff+dirty (commit 2f95c98021ff-dirty)"},
		{"go install of a tag", "", "", &debug.BuildInfo{Main: debug.Module{Version: "v1.4.0"}}, "v1.4.0"},
		{"go install of a commit", "", "", &debug.BuildInfo{Main: debug.Module{Version: "v1.4.1-0.20261204185000-2f95c98021ff"}}, "v1.4.1-0.20261204185000-2f95c98021ff (commit 2f95c98021ff)"},
		{"clean checkout without tags", "", "", &debug.BuildInfo{Main: debug.Module{Version: "(devel)"}, Settings: []debug.BuildSetting{{Key: "vcs.revision", Value: "abcdef0123456789"}, {Key: "vcs.modified", Value: "false"}}}, "devel (commit abcdef012345)"},
		{"nothing recorded", "", "", &debug.BuildInfo{Main: debug.Module{Version: "(devel)"}}, "devel (commit unknown)"},
		{"no build information", "", "", nil, "devel (commit unknown)"},
	} {
		if got := versionOf(tc.v, tc.commit, tc.bi); got != tc.want {
			t.Errorf("%s: %q, want %q", tc.name, got, tc.want)
		}
	}
}

// TestVersionFlag: trustctl --version prints one line naming trustctl and
// its version, and exits 0.
func TestVersionFlag(t *testing.T) {
	defer func(v, c string) { Version, Commit = v, c }(Version, Commit)
	Version, Commit = "v9.8.7", "feedc0ffee12"
	var out bytes.Buffer
	if code := Run([]string{"trustctl", "--version"}, &Env{Stdout: &out, Stderr: &out}); code != 0 {
		t.Fatalf("exit %d: %s", code, out.String())
	}
	if got := strings.TrimSpace(out.String()); got != "trustctl version v9.8.7 (commit feedc0ffee12)" {
		t.Errorf("--version printed %q", got)
	}
}
