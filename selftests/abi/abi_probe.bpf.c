// SPDX-License-Identifier: GPL-2.0-only
/* Compiles the event ABI the way the BPF programs see it (vmlinux.h types
 * first) so that abi_test can compare the BTF layout with userspace's. */
#include "vmlinux.h"
#include <nstaint/events.h>

struct nstaint_event abi_probe_event;
char LICENSE[] __attribute__((section("license"), used)) = "GPL";
