package main

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/trustctl/trustctl/internal/testpki"
)

// TestCtrlCAtAPromptGivesTheTerminalBack: Ctrl-C at the password prompt
// of an import into a new store stops trustctl by SIGINT, with the
// terminal echoing again and neither the store nor its lock file left.
func TestCtrlCAtAPromptGivesTheTerminalBack(t *testing.T) {
	master, tty := openPTY(t)
	dir := t.TempDir()
	root, _ := testpki.Root(t, "CN=Prompt Root").Write(t, dir, "root")

	cmd := trustctlProcess("import", "new.p12", root)
	cmd.Dir = dir
	cmd.Stdin, cmd.Stdout, cmd.Stderr = tty, tty, tty
	// The terminal is the controlling terminal of the child's session,
	// so that Ctrl-C on it sends SIGINT to trustctl.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true, Setctty: true, Ctty: 0}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Process.Kill()

	const prompt = "Password for the new store new.p12: "
	var seen []byte
	buf := make([]byte, 256)
	for !bytes.Contains(seen, []byte(prompt)) {
		n, err := master.Read(buf)
		if err != nil {
			t.Fatalf("the terminal shows %q, then %v; want the prompt %q", seen, err, prompt)
		}
		seen = append(seen, buf[:n]...)
	}
	// The prompt is written just before echo is turned off.
	for deadline := time.Now().Add(10 * time.Second); echoes(t, tty); time.Sleep(time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("the terminal still echoes at the password prompt")
		}
	}
	if _, err := master.Write([]byte{0x03}); err != nil { // Ctrl-C
		t.Fatal(err)
	}
	err := cmd.Wait()
	var ee *exec.ExitError
	if !errors.As(err, &ee) || !ee.Sys().(syscall.WaitStatus).Signaled() || ee.Sys().(syscall.WaitStatus).Signal() != syscall.SIGINT {
		t.Errorf("trustctl ended with %v; want it stopped by SIGINT", err)
	}
	if !echoes(t, tty) {
		t.Error("after Ctrl-C at the prompt the terminal no longer echoes")
	}
	if names, _ := filepath.Glob(filepath.Join(dir, "*new.p12*")); len(names) != 0 {
		t.Errorf("after Ctrl-C the directory holds %q; want no store and no lock file", names)
	}
}

// openPTY opens a pseudo-terminal and returns its two ends.
func openPTY(t *testing.T) (master, tty *os.File) {
	t.Helper()
	master, err := os.OpenFile("/dev/ptmx", os.O_RDWR|unix.O_NOCTTY, 0)
	if err != nil {
		t.Skipf("no pseudo-terminal to run trustctl on: %v", err)
	}
	t.Cleanup(func() { master.Close() })
	fd := int(master.Fd())
	if err := unix.IoctlSetPointerInt(fd, unix.TIOCSPTLCK, 0); err != nil {
		t.Fatal(err)
	}
	n, err := unix.IoctlGetInt(fd, unix.TIOCGPTN)
	if err != nil {
		t.Fatal(err)
	}
	tty, err = os.OpenFile("/dev/pts/"+strconv.Itoa(n), os.O_RDWR|unix.O_NOCTTY, 0)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { tty.Close() })
	return master, tty
}

func echoes(t *testing.T, tty *os.File) bool {
	t.Helper()
	tio, err := unix.IoctlGetTermios(int(tty.Fd()), unix.TCGETS)
	if err != nil {
		t.Fatal(err)
	}
	return tio.Lflag&unix.ECHO != 0
}
