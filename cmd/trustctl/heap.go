package main

import (
	"os"
	"runtime"
	"runtime/debug"
	"strings"
)

// largeInput is the size of the input files above which a command is
// expected to build a heap of many megabytes: a 2,000-entry store is about
// 1 MB on disk and some 20 MB in memory.
const largeInput = 512 << 10

// presizeHeap prepares the heap for a command that will fill many
// megabytes of it (see heapToReserve). Each fresh 4 KiB page of heap costs
// a page fault the first time it is written, and page faults are dear on
// virtual machines (about 10 µs each where BENCHMARKS.md was measured): a
// 2,000-entry store spent more time faulting in its heap than parsing it.
// So the heap is grown once, by a large allocation whose address range is
// advised to be backed by transparent huge pages, then the allocation is
// collected and the range serves the command's own objects, 2 MiB to a
// fault. The collection costs a few milliseconds, which is why small
// commands skip all this. Where huge pages are not available, the advice
// is ignored and only the collection is paid.
func presizeHeap(args []string) {
	size := heapToReserve(args)
	if size == 0 {
		return
	}
	b := make([]byte, size)
	adviseHugePages(b)
	b = nil
	runtime.GC()
	// The range stays mapped, free for the heap. The collector's soft limit
	// counts it, so it grows by as much: otherwise the collector would
	// run again and again to get under a limit that the free range alone
	// fills, and the scavenger would hand the range back to the kernel
	// page by page.
	debug.SetMemoryLimit(debug.SetMemoryLimit(-1) + size)
}

// manyTargets is the number of endpoints from which a probe's handshakes,
// made concurrently, fill megabytes of heap.
const manyTargets = 8

// heapToReserve returns how much heap presizeHeap reserves for a command,
// 0 for none: 32 MiB for the commands that fill megabytes of it (those
// reading largeInput bytes of files or more, a probe of manyTargets
// endpoints or a targets file), 16 MiB for the OCSP responder, which
// allocates for every request it answers and collects as it goes (with
// 32 it answered no faster and held 15 MB more).
func heapToReserve(args []string) int64 {
	if len(args) >= 2 && args[0] == "ocsp" && args[1] == "serve" {
		return 16 << 20
	}
	if len(args) >= 1 && args[0] == "probe" {
		targets := 0
		for _, a := range args[1:] {
			if a == "--targets-file" || strings.HasPrefix(a, "--targets-file=") {
				return 32 << 20
			}
			// HOST:PORT, [v6]:PORT; flag values (files, names, durations) have no colon.
			if !strings.HasPrefix(a, "-") && strings.Contains(a, ":") {
				targets++
			}
		}
		if targets >= manyTargets {
			return 32 << 20
		}
	}
	if inputSize(args) >= largeInput {
		return 32 << 20
	}
	return 0
}

// inputSize adds up the sizes of the regular files named by args, stopping
// once it reaches largeInput. Arguments that are not files (commands,
// flags, aliases, addresses) count for nothing.
func inputSize(args []string) int64 {
	var n int64
	for _, a := range args {
		if a == "" || strings.HasPrefix(a, "-") {
			continue
		}
		fi, err := os.Stat(a)
		if err != nil || !fi.Mode().IsRegular() {
			continue
		}
		if n += fi.Size(); n >= largeInput {
			break
		}
	}
	return n
}
