package main

import (
	"os"
	"path/filepath"
)

// benchStartup measures the floor under every one-call comparison: starting
// the process and exiting, for trustctl, openssl and an empty Go program
// (the Go runtime's own share).
func benchStartup(cfg config) []Row {
	const area = "startup"
	dir := filepath.Join(cfg.Work, "startup")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return []Row{errRow(area, "setup", err)}
	}
	empty, err := buildGoProgram(dir, "empty", "package main\n\nfunc main() {}\n")
	if err != nil {
		return []Row{errRow(area, "setup", err)}
	}
	runs := cfg.pick(21, 5)
	ours := []string{cfg.Bin, "--version"}
	rows := []Row{
		compare(area, "process start and exit, vs openssl", dir, cfg,
			Bench{Dir: dir, Runs: runs, Argv: ours}, Bench{Dir: dir, Runs: runs, Argv: []string{"openssl", "version"}}),
		compare(area, "process start and exit, vs an empty Go program", dir, cfg,
			Bench{Dir: dir, Runs: runs, Argv: ours}, Bench{Dir: dir, Runs: runs, Argv: []string{empty}}),
	}
	rows[0].Note = "what every single-call comparison pays before any work; `openssl version` loads no configuration"
	rows[1].RefCmd = "empty-go-program (func main() {})"
	rows[1].Note = "the Go runtime's own start; the difference is trustctl's size, package initialisation and dynamic linking"
	return rows
}
