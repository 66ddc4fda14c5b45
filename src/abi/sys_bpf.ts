// SPDX-License-Identifier: GPL-2.0-only
// The syscall boundary: bpf(cmd, attr, size) from a task. The caller's attr
// buffer is mapped so that it ends at ATTR_END with an unmapped page above,
// the kernel entry runs, and nothing escapes as an exception.

import { describeThrown, EINVAL } from "./errno.ts";
import { ATTR_END, UA_OVERLAY } from "./uaccess.ts";
import type { Task } from "../kernel/task.ts";
import { BPF_CMD } from "../uapi/gen/consts-6.18.ts";
import { FAST_MISS as FAST_MISS_, LAZY_MISS as LAZY_MISS_ } from "./miss.ts";
import * as syscall from "../kernel/syscall.ts";
import * as fastpath from "../kernel/fastpath.ts";

// What every call uses from other modules, as consts of this one: an imported
// binding is read through the exporting module's cell and checked for its
// temporal dead zone on every use. The functions are hoisted (there even
// while a module cycle is still evaluating); miss.ts and the generated
// constants import nothing, so they are always evaluated before this module.
const bpf_fast = fastpath.bpf_fast;
const bpf_fast_tail = fastpath.bpf_fast_tail;
const sys_bpf_lazy = syscall.sys_bpf_lazy;
const __sys_bpf = syscall.__sys_bpf;
const FAST_MISS = FAST_MISS_;
const LAZY_MISS = LAZY_MISS_;
const ELEM_FIRST = BPF_CMD.MAP_LOOKUP_ELEM;
const ELEM_LAST = BPF_CMD.MAP_GET_NEXT_KEY;

/** bpf(cmd, attr, size) with the attr given as bytes (modelled at ATTR_END - attr.byteLength). */
export function sys_bpf(t: Task, cmd: number, attr: ArrayBuffer | Uint8Array, size: number): number {
  t.beginCall();
  // One try for the fast path and the generic entry (a second try/catch and beginCall per call were a visible part of a rejected call).
  // The rare paths are functions of their own, so that this one stays small enough to be inlined with what it calls most.
  let ret: number;
  try {
    // A JavaScript caller may pass anything here: a bad length throws in the constructor, and that is an answer too.
    const bytes = attr instanceof Uint8Array ? attr : new Uint8Array(attr);
    // Only numbers go to the fast paths: anything else (a BigInt, a Symbol, an object with valueOf) is judged by the generic entry
    // below, and comparing it here could run the caller's code or throw.
    if (typeof cmd === "number" && typeof size === "number") {
      // The entry's first check, for every command: a non-zero byte past the kernel's union is E2BIG whatever cmd is (the generic
      // entry answers it the same way, with the same reason). Inlined here, a rejected attr costs no call. A cmd that is not an int32
      // (NaN, 1.5) is left to the generic entry, which says what is wrong with it.
      if (size > t.attrSize && (cmd | 0) === cmd) {
        ret = bpf_fast_tail(t, bytes, size, t.attrSize);
        if (ret !== FAST_MISS) return t.endCall(ret, "");
      }
      // The element commands on ARRAY/HASH maps and their CHECK_ATTR rejects, straight from the caller's bytes (or FAST_MISS). Only they
      // go there: for any other command bpf_fast would answer nothing, so those skip a call that would always miss (most of a token
      // trace's calls). Both ABI profiles number the element commands 1..4, as the uapi does; a profile numbering them otherwise would
      // only lose speed.
      if (cmd >= ELEM_FIRST && cmd <= ELEM_LAST) {
        ret = bpf_fast(t, cmd, bytes, size);
        // A failure answered there always named its check, so endCall needs no fallback reason.
        if (ret !== FAST_MISS) return t.endCall(ret, "");
      }
    }
    // The fast path answers or misses before changing anything, so the generic entry starts from a clean call.
    t.beginCall();
    if (typeof cmd !== "number" || typeof size !== "number" || !Number.isFinite(cmd) || !Number.isFinite(size)) ret = t.fail(-EINVAL, "cmd and size must be finite numbers");
    else {
      // MAP_CREATE, TOKEN_CREATE and BTF_LOAD without installing the attr in the address space until they read user memory (see
      // sys_bpf_lazy); LAZY_MISS changed nothing.
      ret = sys_bpf_lazy(t, cmd, size, bytes);
      if (ret === LAZY_MISS) ret = sys_bpf_installed(t, cmd, size, bytes);
    }
  } catch (e) {
    ret = internalError(t, e);
  }
  return t.endBpfCall(ret);
}

/** The generic entry, with the caller's attr installed in the address space for the call (removed whatever happens). */
function sys_bpf_installed(t: Task, cmd: number, size: number, bytes: Uint8Array): number {
  const mem = t.memory;
  try {
    const uattr = mem.setOverlay(bytes);
    return __sys_bpf(t, cmd, uattr, size, UA_OVERLAY, bytes);
  } finally {
    mem.setOverlay(null);
  }
}

/** A bug in the emulator must not become an exception in the caller's program: it is an answer with a reason. */
function internalError(t: Task, e: unknown): number {
  return t.fail(-EINVAL, `internal error in bpfemu: ${describeThrown(e)}`);
}

/** bpf(cmd, uattr, size) with the attr already in the task's address space. */
export function sys_bpf_at(t: Task, cmd: number, uattr: bigint, size: number): number {
  return enter(t, cmd, uattr, Number(uattr), size);
}

/** The call with uattr also as a number (ua), so the entry path converts no BigInt. */
function enter(t: Task, cmd: number, uattr: bigint, ua: number, size: number): number {
  t.beginCall();
  let ret: number;
  try {
    ret = typeof cmd === "number" && typeof size === "number" && Number.isFinite(cmd) && Number.isFinite(size) ? __sys_bpf(t, cmd, uattr, size, ua) : t.fail(-EINVAL, "cmd and size must be finite numbers");
  } catch (e) {
    // A bug in the emulator must not become an exception in the caller's program.
    ret = t.fail(-EINVAL, `internal error in bpfemu: ${describeThrown(e)}`);
  }
  return t.endBpfCall(ret);
}

export { ATTR_END };
