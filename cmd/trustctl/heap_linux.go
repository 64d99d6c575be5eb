package main

import "syscall"

// adviseHugePages asks the kernel to back b with transparent huge pages.
// It is only advice: the kernel may be set never to use them.
func adviseHugePages(b []byte) {
	_ = syscall.Madvise(b, syscall.MADV_HUGEPAGE)
}
