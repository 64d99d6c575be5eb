package main

import (
	"os"
	"os/exec"
	"testing"

	"github.com/rogpeppe/go-internal/testscript"

	"github.com/trustctl/trustctl/internal/cli"
)

func TestMain(m *testing.M) {
	testscript.Main(m, map[string]func(){
		"trustctl": func() { os.Exit(cli.Run(os.Args, cli.StdEnv())) },
	})
}

// TestScripts runs every testdata/script/*.txtar: one behaviour each, with
// stdout, stderr and the exit code asserted. Conditions [exec:keytool],
// [exec:openssl] and [exec:java] skip what needs a missing tool.
func TestScripts(t *testing.T) {
	testscript.Run(t, testscript.Params{
		Dir:                 "testdata/script",
		RequireExplicitExec: true,
		Setup: func(e *testscript.Env) error {
			// A fixed place for tools and a clean HOME for keytool.
			e.Setenv("HOME", e.WorkDir)
			if jh := os.Getenv("JAVA_HOME"); jh != "" {
				e.Setenv("JAVA_HOME", jh)
			}
			return nil
		},
		Condition: func(cond string) (bool, error) {
			switch cond {
			case "keytool", "openssl", "java":
				_, err := exec.LookPath(cond)
				return err == nil, nil
			}
			return false, nil
		},
	})
}
