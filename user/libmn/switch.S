/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * x86-64 context switch for libmn tasks (SysV ABI).
 *
 * void mn_ctx_switch(void **save_sp, void *new_sp)
 *   Pushes the callee-saved registers (rbp rbx r12-r15) plus MXCSR and the
 *   x87 control word, stores rsp in *save_sp, loads new_sp and pops the same
 *   frame from it.  Caller-saved registers need no saving: this is a call.
 *
 * A new task's stack is prepared by stack.c with the same frame, r12 = the
 * struct mn_g pointer and a return address of mn_task_entry, which calls
 * mn_task_main(g) with a 16-byte aligned stack and never returns.
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

	.text
	.globl	mn_ctx_switch
	.hidden	mn_ctx_switch
	.type	mn_ctx_switch, @function
mn_ctx_switch:
	.cfi_startproc
	_CET_ENDBR
	pushq	%rbp
	pushq	%rbx
	pushq	%r12
	pushq	%r13
	pushq	%r14
	pushq	%r15
	subq	$8, %rsp
	stmxcsr	(%rsp)
	fnstcw	4(%rsp)
	movq	%rsp, (%rdi)
	movq	%rsi, %rsp
	ldmxcsr	(%rsp)
	fldcw	4(%rsp)
	addq	$8, %rsp
	popq	%r15
	popq	%r14
	popq	%r13
	popq	%r12
	popq	%rbx
	popq	%rbp
	ret
	.cfi_endproc
	.size	mn_ctx_switch, .-mn_ctx_switch

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
