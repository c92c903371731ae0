/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * x86-64 context switch for libmn tasks (SysV ABI).
 *
 * void mn_ctx_switch(void **save_sp, void *new_sp)
 *   Stores the callee-saved registers (rbp rbx r12-r15) plus MXCSR and the
 *   x87 control word below the return address its call pushed, stores rsp
 *   in *save_sp, loads new_sp and loads the same frame from it (MXCSR and
 *   the control word only when they differ from those in force).
 *   Caller-saved registers need no saving: this is a call.  It leaves by
 *   jumping to the new frame's return address, which it pops.  The frame's
 *   layout is frame.h's, drawn there as a table of offsets.
 *
 * void mn_ctx_switch_g0(void **save_sp, void *new_sp, uint64_t fpenv)
 *   The same from an M's g0, whose MXCSR and control word are known
 *   (m->g0env: scheduler code never changes them, and every switch back
 *   to g0 loads them), so they are stored, not read.
 *
 * A new task's stack is prepared by stack.c (mn_g_prepare) with the same
 * frame, r12 = the struct mn_g pointer and a return address of
 * mn_task_entry, which calls mn_task_main(g) with a 16-byte aligned stack
 * and never returns.
 *
 * Both entries start with _CET_ENDBR: built with -fcf-protection=branch
 * (indirect branch tracking) the library is marked IBT-compatible, and
 * every function in it must begin with endbr64.  Not shadow stacks: the
 * switch returns into another stack, so libmn does not claim SHSTK.
 */
#ifndef __x86_64__
#error "libmn's context switch is x86-64 assembly"
#endif
#ifdef __CET__
#include <cet.h>
#endif
#ifndef _CET_ENDBR
#define _CET_ENDBR
#endif
#include "frame.h"

	.text
/* The frame's callee-saved registers, below the return address the call
 * pushed. */
.macro SAVE_REGS
	subq	$MN_FRAME_RET, %rsp
	movq	%rbp, MN_FRAME_RBP(%rsp)
	movq	%rbx, MN_FRAME_RBX(%rsp)
	movq	%r12, MN_FRAME_R12(%rsp)
	movq	%r13, MN_FRAME_R13(%rsp)
	movq	%r14, MN_FRAME_R14(%rsp)
	movq	%r15, MN_FRAME_R15(%rsp)
.endm

	.globl	mn_ctx_switch
	.hidden	mn_ctx_switch
	.type	mn_ctx_switch, @function
mn_ctx_switch:
	.cfi_startproc
	_CET_ENDBR
	SAVE_REGS
	stmxcsr	MN_FRAME_MXCSR(%rsp)
	fnstcw	MN_FRAME_FCW(%rsp)
	movl	MN_FRAME_MXCSR(%rsp), %eax	/* caller-saved: free here */
	movzwl	MN_FRAME_FCW(%rsp), %ecx
	movq	%rsp, (%rdi)
	movq	%rsi, %rsp
.Lenter:
	/* Load MXCSR and the control word only when the new frame's differ
	 * from the values in force: ldmxcsr and fldcw were the costliest
	 * part of a switch (perf annotate), and tasks rarely change them. */
	cmpl	MN_FRAME_MXCSR(%rsp), %eax
	jne	.Lload_mxcsr
.Lfcw:
	cmpw	MN_FRAME_FCW(%rsp), %cx
	jne	.Lload_fcw
.Lregs:
	movq	MN_FRAME_R15(%rsp), %r15
	movq	MN_FRAME_R14(%rsp), %r14
	movq	MN_FRAME_R13(%rsp), %r13
	movq	MN_FRAME_R12(%rsp), %r12
	movq	MN_FRAME_RBX(%rsp), %rbx
	movq	MN_FRAME_RBP(%rsp), %rbp
	/* Return with an indirect jump, not ret: ret is predicted from the
	 * return stack, which holds the old context's caller, so it missed
	 * on every switch; the jump's target is predicted from its history
	 * (yield 35-50 -> 28 ns, ping-pong 140-180 -> 104-113 ns on the
	 * AMD EPYC host of 2026-12-02).  notrack: a return address has no
	 * endbr64, and IBT lets a notrack jump land there. */
	movq	MN_FRAME_RET(%rsp), %rdx
	addq	$MN_FRAME_SIZE, %rsp
	notrack jmp	*%rdx
.Lload_mxcsr:
	ldmxcsr	MN_FRAME_MXCSR(%rsp)
	jmp	.Lfcw
.Lload_fcw:
	fldcw	MN_FRAME_FCW(%rsp)
	jmp	.Lregs
	.cfi_endproc
	.size	mn_ctx_switch, .-mn_ctx_switch

	/* g0 to a task: as mn_ctx_switch, but g0's MXCSR and control word
	 * are given (rdx, packed as the frame holds them), not read:
	 * stmxcsr and fnstcw with the loads after them were four fifths of
	 * a switch's samples on AMD EPYC. */
	.globl	mn_ctx_switch_g0
	.hidden	mn_ctx_switch_g0
	.type	mn_ctx_switch_g0, @function
mn_ctx_switch_g0:
	.cfi_startproc
	_CET_ENDBR
	SAVE_REGS
	movq	%rdx, MN_FRAME_MXCSR(%rsp)	/* and the control word at 4 */
	movl	%edx, %eax
	movq	%rdx, %rcx
	shrq	$32, %rcx
	movq	%rsp, (%rdi)
	movq	%rsi, %rsp
	jmp	.Lenter
	.cfi_endproc
	.size	mn_ctx_switch_g0, .-mn_ctx_switch_g0

	.globl	mn_task_entry
	.hidden	mn_task_entry
	.type	mn_task_entry, @function
mn_task_entry:
	.cfi_startproc
	.cfi_undefined rip
	_CET_ENDBR
	xorl	%ebp, %ebp
	movq	%r12, %rdi
	call	mn_task_main
	ud2
	.cfi_endproc
	.size	mn_task_entry, .-mn_task_entry

	.section .note.GNU-stack,"",@progbits
