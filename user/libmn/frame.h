/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * frame.h: the register frame of a switched-out context, the one layout
 * shared by mn_ctx_switch (switch.S), which stores it below the stack
 * pointer it leaves and loads it from the one it enters, and by
 * mn_g_prepare (stack.c), which builds it on a new task's stack so that
 * the first switch to the task "returns" into mn_task_entry.  switch.S
 * uses the MN_FRAME_* offsets; struct mn_frame is checked against them
 * at compile time below.
 *
 * Offsets from the saved stack pointer (g->sp), x86-64 SysV: only the
 * callee-saved registers and the two floating-point control words are
 * kept (mn_ctx_switch is called like a function, so the others are the
 * caller's to save).
 *
 *   offset  bytes  holds                         a new task's frame
 *   ------  -----  ----------------------------  --------------------------
 *        0      4  MXCSR (stmxcsr / ldmxcsr)     MN_MXCSR_INIT  0x1f80
 *        4      2  x87 control word (fnstcw)     MN_FCW_INIT    0x037f
 *        6      2  (unused)                      0
 *        8      8  r15                           0
 *       16      8  r14                           0
 *       24      8  r13                           0
 *       32      8  r12                           the struct mn_g pointer
 *       40      8  rbx                           0
 *       48      8  rbp                           0
 *       56      8  return address                mn_task_entry
 *       64         (MN_FRAME_SIZE) the caller's  16-byte aligned: the
 *                  stack, as at the call         task's call to
 *                                                mn_task_main is aligned
 *
 * The return address at 56 is the one the call to mn_ctx_switch pushed,
 * so the frame's own part is the 56 bytes below it (MN_FRAME_RET).
 * MN_MXCSR_INIT and MN_FCW_INIT are the SysV ABI's initial values (all
 * exceptions masked, round to nearest; x87: 64-bit precision): a new task
 * starts with the default floating-point environment, whatever the task
 * before it on the thread had set.
 */
#ifndef MN_FRAME_H
#define MN_FRAME_H

#define MN_FRAME_MXCSR	0
#define MN_FRAME_FCW	4
#define MN_FRAME_R15	8
#define MN_FRAME_R14	16
#define MN_FRAME_R13	24
#define MN_FRAME_R12	32
#define MN_FRAME_RBX	40
#define MN_FRAME_RBP	48
#define MN_FRAME_RET	56
#define MN_FRAME_SIZE	64

#define MN_MXCSR_INIT	0x1f80
#define MN_FCW_INIT	0x037f

#ifndef __ASSEMBLER__
#include <stddef.h>
#include <stdint.h>

/* This thread's MXCSR and x87 control word, packed as a frame holds
 * them at MN_FRAME_MXCSR (little-endian: MXCSR low, control word above):
 * what mn_ctx_switch_g0 is given. */
static inline uint64_t mn_fpenv_read(void)
{
	uint32_t mxcsr;
	uint16_t fcw;

	__asm__ volatile("stmxcsr %0; fnstcw %1" : "=m"(mxcsr), "=m"(fcw));
	return mxcsr | (uint64_t)fcw << 32;
}

struct mn_frame {
	uint32_t mxcsr;
	uint16_t fcw;
	uint16_t unused;
	uint64_t r15, r14, r13, r12, rbx, rbp;
	uint64_t ret;
};

_Static_assert(offsetof(struct mn_frame, mxcsr) == MN_FRAME_MXCSR, "frame: MXCSR");
_Static_assert(offsetof(struct mn_frame, fcw) == MN_FRAME_FCW, "frame: x87 control word");
_Static_assert(offsetof(struct mn_frame, r15) == MN_FRAME_R15, "frame: r15");
_Static_assert(offsetof(struct mn_frame, r14) == MN_FRAME_R14, "frame: r14");
_Static_assert(offsetof(struct mn_frame, r13) == MN_FRAME_R13, "frame: r13");
_Static_assert(offsetof(struct mn_frame, r12) == MN_FRAME_R12, "frame: r12");
_Static_assert(offsetof(struct mn_frame, rbx) == MN_FRAME_RBX, "frame: rbx");
_Static_assert(offsetof(struct mn_frame, rbp) == MN_FRAME_RBP, "frame: rbp");
_Static_assert(offsetof(struct mn_frame, ret) == MN_FRAME_RET, "frame: return address");
_Static_assert(sizeof(struct mn_frame) == MN_FRAME_SIZE, "frame: size");
_Static_assert(MN_FRAME_SIZE % 16 == 0, "frame: a new task's stack stays 16-byte aligned");
#endif

#endif
