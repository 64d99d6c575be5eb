// Package prefault has the kernel map, in a few calls at start-up, the
// memory a short trustctl run is about to touch: the program's code and
// read-only data, and the first megabyte of heap.
//
// Without it each page is mapped on first touch, one page fault at a time
// (16 pages at a time for the program file). On virtual machines a page
// fault is dear, some 10 µs where BENCHMARKS.md was measured, while the
// kernel maps the same pages in about 1 µs each when asked in advance with
// madvise(MADV_POPULATE_READ or _WRITE), Linux 5.14 and later. trustctl's
// commands mostly run for a few milliseconds, so start-up is most of their
// time, and a run of `trustctl verify` took some 450 faults.
//
// The package must be initialised before any other package of the program
// allocates, so it imports nothing (unsafe is not a package that runs
// code): Go initialises packages in the order of their import paths among
// those whose imports are ready, and this one is ready at once, right
// after the runtime. main imports it for that effect only. It makes raw
// system calls and reads nothing from the environment; on kernels without
// these madvise operations, and on other systems, it does nothing.
package prefault
