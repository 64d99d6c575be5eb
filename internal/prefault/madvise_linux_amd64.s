#include "textflag.h"

// func madvise(addr, n uintptr, advice int32) uintptr
TEXT ·madvise(SB),NOSPLIT,$0-32
	MOVQ	addr+0(FP), DI
	MOVQ	n+8(FP), SI
	MOVL	advice+16(FP), DX
	MOVQ	$28, AX // SYS_madvise
	SYSCALL
	NEGQ	AX // -errno on failure, 0 on success
	MOVQ	AX, ret+24(FP)
	RET
