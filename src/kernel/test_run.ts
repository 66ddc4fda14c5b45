// SPDX-License-Identifier: GPL-2.0-only
// BPF_PROG_TEST_RUN (net/bpf/test_run.c): placeholder until the interpreter lands.
import { EINVAL } from "../abi/errno.ts";
import type { BpfProg } from "./prog.ts";
import type { Call } from "./syscall.ts";
export function bpf_prog_test_run(c: Call, _prog: BpfProg): number {
  return c.t.fail(-EINVAL, "test run is not emulated yet");
}
