package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestWriteMarkdownKeepsOtherBlocks checks what "-only AREA" relies on: a
// run rewrites its own blocks and leaves the others and the hand-written
// text as they were.
func TestWriteMarkdownKeepsOtherBlocks(t *testing.T) {
	path := filepath.Join(t.TempDir(), "BENCHMARKS.md")
	first := []block{{"machine", []byte("m1\n")}, {"verify", []byte("verify pending\n")}, {"ca", []byte("ca 1\n")}}
	if err := writeMarkdown(path, first); err != nil {
		t.Fatal(err)
	}
	b, _ := os.ReadFile(path)
	if err := os.WriteFile(path, []byte(strings.Replace(string(b), "# trustctl benchmarks", "# trustctl benchmarks\n\nhand-written", 1)), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := writeMarkdown(path, []block{{"machine", []byte("m2\n")}, {"verify", []byte("verify 1.5x\n")}}); err != nil {
		t.Fatal(err)
	}
	b, _ = os.ReadFile(path)
	got := string(b)
	for _, want := range []string{"hand-written", "m2\n", "verify 1.5x\n", "ca 1\n"} {
		if !strings.Contains(got, want) {
			t.Errorf("missing %q in:\n%s", want, got)
		}
	}
	for _, gone := range []string{"m1\n", "verify pending"} {
		if strings.Contains(got, gone) {
			t.Errorf("%q still there:\n%s", gone, got)
		}
	}
	if n := strings.Count(got, beginMarker("verify")); n != 1 {
		t.Errorf("verify block %d times", n)
	}
}

func TestRowVerdict(t *testing.T) {
	ms := func(d int) Measure { return Measure{Wall: time.Duration(d) * time.Millisecond, Calls: 1} }
	tests := []struct {
		name string
		row  Row
		want string
	}{
		{"fast enough", Row{Ours: ms(10), Ref: ms(250), Target: 20}, "PASS"},
		{"too slow", Row{Ours: ms(10), Ref: ms(150), Target: 20}, "MISS"},
		{"too much memory", Row{Ours: Measure{Wall: time.Millisecond, RSSKB: 41 * 1024}, Ref: ms(100), Target: 10, MaxRSSMB: 40}, "MISS"},
		{"not implemented", Row{Pending: true, Target: 2}, "PENDING"},
		{"no target", Row{Ours: ms(1), Ref: ms(2)}, "-"},
		{"per call", Row{Ours: Measure{Wall: 10 * time.Second, Calls: 1000}, Ref: Measure{Wall: 15 * time.Second, Calls: 1000}, PerCall: true, Target: 1.4}, "PASS"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.row.Verdict(); got != tt.want {
				t.Errorf("Verdict() = %s, want %s (ratio %.2f)", got, tt.want, tt.row.Ratio())
			}
		})
	}
}
