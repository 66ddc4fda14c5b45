// SPDX-License-Identifier: GPL-2.0-only
// Small hand-written traces for behaviour the generated corpora miss
// (prog arrays holding real programs), recorded on the live kernel into
// fixtures/traces/extra/. Usage: npx tsx scripts/record-extra-traces.ts

import { writeFileSync } from "node:fs";
import { encodeAttr } from "../src/abi/decode.ts";
import { linux_6_18 as T } from "../src/uapi/gen/linux-6.18.ts";
import { bytesToHex, serializeTrace, parseTrace, type Trace } from "../src/trace/format.ts";
import { runTracesOnKernel } from "../src/oracle/native.ts";
import { concatBytes } from "../src/abi/bytes.ts";

const MEM = 0x10000000n;
const u64 = (v: bigint) => { const b = new Uint8Array(8); new DataView(b.buffer).setBigUint64(0, v, true); return b; };
// r0 = 0; exit
const insns = concatBytes(u64(0xb7n), u64(0x95n));
const gpl = new TextEncoder().encode("GPL\0");

function bpf(cmd: number, fields: Record<string, number | bigint>, size: number, note: string) {
  return { op: "bpf", cmd, size, attr: bytesToHex(encodeAttr(T, cmd, fields).subarray(0, size)), note };
}
const load = (type: number, eat = 0, flags = 0) => bpf(5, { prog_type: type, insn_cnt: 2, insns: MEM, license: MEM + 0x100n, expected_attach_type: eat, prog_flags: flags }, 168, `load prog type ${type}`);

function progArrayTrace(): Trace {
  const lines: object[] = [
    { bpfemuTrace: 1, name: "extra/prog-array-members", description: "prog array slots hold programs of the owner's type", abi: "linux-6.18", env: { kind: "root" } },
    { op: "map", addr: "0x" + MEM.toString(16), len: 4096, hex: bytesToHex(concatBytes(insns, new Uint8Array(0x100 - insns.length), gpl)) },
    bpf(0, { map_type: 3, key_size: 4, value_size: 4, max_entries: 4 }, 72, "PROG_ARRAY"), // fd 3
    load(1), // fd 4 socket filter
    load(6), // fd 5 XDP
    load(1, 0, 16), // fd 6 sleepable socket filter: EINVAL on load (not sleepable-capable)
  ];
  const key = (k: number, v: number) => [{ op: "write", addr: "0x" + (MEM + 0x200n).toString(16), hex: bytesToHex(Uint8Array.of(k, 0, 0, 0, v, 0, 0, 0)) }];
  const upd = (note: string) => bpf(2, { map_fd: 3, key: MEM + 0x200n, value: MEM + 0x204n }, 32, note);
  lines.push(...key(0, 4), upd("slot 0 = socket filter (sets the owner)"));
  lines.push(...key(1, 5), upd("slot 1 = XDP: not the owner's type"));
  lines.push(...key(1, 4), upd("slot 1 = the same socket filter again"));
  lines.push(...key(2, 3), upd("slot 2 = the map fd itself: not a program"));
  lines.push(...key(3, 99), upd("slot 3 = a closed fd"));
  lines.push(bpf(1, { map_fd: 3, key: MEM + 0x200n, value: MEM + 0x300n }, 32, "lookup from the syscall: EOPNOTSUPP? (prog ids are returned by map_lookup_sys only for fd maps with ids)"));
  lines.push({ op: "close", fd: 4 }, bpf(3, { map_fd: 3, key: MEM + 0x200n }, 16, "delete slot 3 (empty)"));
  lines.push(...key(0, 0), bpf(3, { map_fd: 3, key: MEM + 0x200n }, 16, "delete slot 0 (drops the program's last reference)"));
  return parseTrace(lines.map((l) => JSON.stringify(l)).join("\n"));
}

function fdArrayTrace(): Trace {
  const fdsAt = MEM + 0x400n;
  const lines: object[] = [
    { bpfemuTrace: 1, name: "extra/prog-load-fd-array", description: "fd_array_cnt: each fd must be a map or a BTF object", abi: "linux-6.18", env: { kind: "root" } },
    { op: "map", addr: "0x" + MEM.toString(16), len: 4096, hex: bytesToHex(concatBytes(insns, new Uint8Array(0x100 - insns.length), gpl)) },
    bpf(0, { map_type: 2, key_size: 4, value_size: 8, max_entries: 1 }, 72, "ARRAY for fd_array"), // fd 3
  ];
  const withFds = (fds: number[], cnt: number, note: string) => [
    { op: "write", addr: "0x" + fdsAt.toString(16), hex: bytesToHex(concatBytes(...fds.map((f) => { const b = new Uint8Array(4); new DataView(b.buffer).setInt32(0, f, true); return b; }))) },
    bpf(5, { prog_type: 1, insn_cnt: 2, insns: MEM, license: MEM + 0x100n, fd_array: fdsAt, fd_array_cnt: cnt }, 168, note),
  ];
  lines.push(...withFds([99], 1, "fd_array = [closed fd]"));
  lines.push(...withFds([0], 1, "fd_array = [stdin]"));
  lines.push(...withFds([3, 99], 2, "fd_array = [map, closed fd]"));
  lines.push(bpf(5, { prog_type: 1, insn_cnt: 2, insns: MEM, license: MEM + 0x100n, fd_array: 0n, fd_array_cnt: 1 }, 168, "fd_array NULL"));
  lines.push(bpf(5, { prog_type: 1, insn_cnt: 2, insns: MEM, license: MEM + 0x100n, fd_array: fdsAt, fd_array_cnt: 0x3fffffff }, 168, "fd_array_cnt too big"));
  return parseTrace(lines.map((l) => JSON.stringify(l)).join("\n"));
}

/** One BTF type, `int`: what the upstream btf_token selftest loads. */
function oneIntBtf(): Uint8Array {
  const b = new Uint8Array(45);
  const v = new DataView(b.buffer);
  v.setUint16(0, 0xeb9f, true);
  v.setUint8(2, 1);
  v.setUint32(4, 24, true);
  v.setUint32(12, 16, true);
  v.setUint32(16, 16, true);
  v.setUint32(20, 5, true);
  v.setUint32(24, 1, true);
  v.setUint32(28, 1 << 24, true);
  v.setUint32(32, 4, true);
  v.setUint32(36, (1 << 24) | 32, true);
  b.set([0, 0x69, 0x6e, 0x74, 0], 40);
  return b;
}

/** The upstream btf_token selftest at syscall level: the token's BTF_LOAD gives an fd, without it EPERM. */
function btfTokenTrace(): Trace {
  const blob = oneIntBtf();
  const load = (flags: number, tok: number, note: string) => bpf(18, { btf: MEM, btf_size: blob.length, btf_flags: flags, btf_token_fd: tok }, 40, note);
  const lines: object[] = [
    { bpfemuTrace: 1, name: "extra/btf-token", description: "upstream btf_token selftest: BTF load with a delegated token", abi: "linux-6.18", env: { kind: "userns", bpffs: { delegate_cmds: "btf_load" } } },
    { op: "map", addr: "0x" + MEM.toString(16), len: 4096, hex: bytesToHex(blob) },
    bpf(36, { "token_create.bpffs_fd": 3 }, 8, "TOKEN_CREATE from the delegated bpffs"), // fd 4
    load(0, 0, "BTF_LOAD without the token: EPERM"),
    load(0x10000, 4, "BTF_LOAD with BPF_F_TOKEN_FD: an fd"),
    load(0, 4, "btf_token_fd without the flag is ignored: EPERM"),
    load(0x10000, 3, "btf_token_fd is the bpffs root, not a token: EINVAL"),
  ];
  return parseTrace(lines.map((l) => JSON.stringify(l)).join("\n"));
}

const recorded = await runTracesOnKernel([progArrayTrace(), fdArrayTrace(), btfTokenTrace()]);
for (const t of recorded) writeFileSync(`fixtures/traces/extra/${t.name.replace(/^extra\//, "")}.jsonl`, serializeTrace(t));
console.log(recorded.map((t) => t.ops.map((o) => ("expect" in o && o.expect ? o.expect.ret : "")).join(" ")).join("\n"));
