// SPDX-License-Identifier: GPL-2.0-only
// The answers of the entry's shortcuts that are not bpf() return values: the
// shortcut took no decision and changed nothing, so the call goes on by the
// next path. In a module of their own, with no imports, so that any module
// may copy them into consts at its evaluation (see sys_bpf.ts).

/** bpf_fast() (kernel/fastpath.ts) did not handle the call: run it on the generic path. */
export const FAST_MISS = 0x40000000;

/** sys_bpf_lazy() (kernel/syscall.ts) could not take the call: run it on the generic entry. */
export const LAZY_MISS = 0x40000001;
