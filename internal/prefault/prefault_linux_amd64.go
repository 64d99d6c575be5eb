package prefault

import "unsafe"

// heapWindow is how much of the heap, from the first object allocated
// after the runtime's own, is mapped in advance: what the package
// initialisers and a small command fill (a run of `trustctl verify` takes
// about 200 heap pages). Each page mapped that is not then used costs
// about 1 µs here.
const heapWindow = 1 << 20

// heapChunk is the unit in which the runtime maps heap address space
// (runtime.pallocChunkBytes): the range up to the next multiple of it is
// mapped, so the heap window stops there.
const heapChunk = 4 << 20

// Values from the Linux headers.
const (
	madvPopulateRead  = 22 // MADV_POPULATE_READ
	madvPopulateWrite = 23 // MADV_POPULATE_WRITE

	atPHDR   = 3 // AT_PHDR: where the program headers are mapped
	atPHENT  = 4 // AT_PHENT: size of one
	atPHNUM  = 5 // AT_PHNUM: how many
	atPAGESZ = 6 // AT_PAGESZ

	ptLoad = 1 // PT_LOAD
	ptPHDR = 6 // PT_PHDR
	pfW    = 2 // PF_W
)

// progHeader is an ELF64 program header.
type progHeader struct {
	Type, Flags                             uint32
	Off, Vaddr, Paddr, Filesz, Memsz, Align uint64
}

// A region is a range of memory prefault asked the kernel to map, and the
// errno of its answer (0 for success).
type region struct {
	start, end uintptr
	write      bool
	errno      uintptr
}

// regions records what init did, for the tests.
var regions []region

// heapMark is the first object this package allocates; its address tells
// where the heap is.
var heapMark *[16]byte

// getAuxv returns the auxiliary vector the kernel passed to the program
// (pairs of key and value). The runtime provides it for golang.org/x/sys.
//
//go:linkname getAuxv runtime.getAuxv
func getAuxv() []uintptr

// madvise is the raw system call; it returns 0 or an errno.
func madvise(addr, n uintptr, advice int32) uintptr

func init() {
	var phdr, phent, phnum uintptr
	pageSize := uintptr(4096)
	auxv := getAuxv()
	for i := 0; i+1 < len(auxv); i += 2 {
		switch auxv[i] {
		case atPHDR:
			phdr = auxv[i+1]
		case atPHENT:
			phent = auxv[i+1]
		case atPHNUM:
			phnum = auxv[i+1]
		case atPAGESZ:
			pageSize = auxv[i+1]
		}
	}
	heapMark = new([16]byte)
	regions = make([]region, 0, 4)
	heap := uintptr(unsafe.Pointer(heapMark))
	populate(heap, min(heap+heapWindow, alignUp(heap+1, heapChunk)), pageSize, true)

	if phdr == 0 || phent != unsafe.Sizeof(progHeader{}) || phnum == 0 {
		return
	}
	// The headers are mapped with the program, outside the Go heap.
	headers := unsafe.Slice((*progHeader)(*(*unsafe.Pointer)(unsafe.Pointer(&phdr))), phnum)
	// The load bias: 0 for a static executable, the base address of a
	// position-independent one.
	bias, ok := uintptr(0), false
	for _, h := range headers {
		if h.Type == ptPHDR {
			bias, ok = phdr-uintptr(h.Vaddr), true
		}
	}
	if !ok {
		return
	}
	for _, h := range headers {
		// The writable segment is left to fault: its initialised part is
		// copied on write, about as dear done in advance as on demand,
		// and most of the rest (zeroed data, tens of megabytes of which
		// are a buffer for FIPS mode) is never touched.
		if h.Type == ptLoad && h.Flags&pfW == 0 {
			start := bias + uintptr(h.Vaddr)
			populate(start, start+uintptr(h.Filesz), pageSize, false)
		}
	}
}

// populate asks the kernel to map the pages of [start, end), for writing
// or for reading.
func populate(start, end, pageSize uintptr, write bool) {
	start &^= pageSize - 1
	end = alignUp(end, pageSize)
	if end <= start {
		return
	}
	advice := int32(madvPopulateRead)
	if write {
		advice = madvPopulateWrite
	}
	errno := madvise(start, end-start, advice)
	regions = append(regions, region{start: start, end: end, write: write, errno: errno})
}

func alignUp(n, a uintptr) uintptr { return (n + a - 1) &^ (a - 1) }
