// SPDX-License-Identifier: GPL-2.0-only
/* Compiles the libmn runtime contract the way the BPF programs see it
 * (vmlinux.h types first) so that mn_abi_test can compare the BTF layout
 * of the slot and the registry with userspace's. */
#include "vmlinux.h"
#include <nstaint/mn_abi.h>

struct mn_abi_slot mn_abi_probe_slot;
struct mn_abi_registry mn_abi_probe_registry;
char LICENSE[] __attribute__((section("license"), used)) = "GPL";
