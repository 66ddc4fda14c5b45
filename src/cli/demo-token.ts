// SPDX-License-Identifier: GPL-2.0-only
// The token walkthrough of `npm start`: the upstream delegation model (a
// user namespace with a delegated bpffs) and the original v1 ABI.

import { encodeAttr } from "../abi/decode.ts";
import { Kernel, bpf_token_show_fdinfo, linux_6_18, tablesFor, type Task } from "../index.ts";
import { BPF_CMD, BPF_MAP_TYPE } from "../uapi/gen/consts-6.18.ts";
import type { BpfToken } from "../kernel/bpf.ts";
import type { Io } from "./common.ts";

function show(io: Io, t: Task, what: string, ret: number): number {
  io.out(`  ${what.padEnd(62)} = ${ret < 0 ? `${ret} ${t.lastError?.name}: ${t.lastError?.reason}` : ret}`);
  return ret;
}

export function tokenWalkthrough(io: Io): void {
  io.out("# BPF token, upstream (Linux 6.9+): delegation through bpffs mount options");
  io.out('  kernel.spawn({ userns: "new", bpffs: { delegate_cmds: "map_create", delegate_maps: "stack" } })');
  const kernel = new Kernel();
  const t = kernel.spawn({ userns: "new", bpffs: { delegate_cmds: "map_create", delegate_maps: "stack" } });
  const T = linux_6_18;
  const tokFd = show(io, t, "TOKEN_CREATE {bpffs_fd=3}", t.sys_bpf(BPF_CMD.TOKEN_CREATE, encodeAttr(T, BPF_CMD.TOKEN_CREATE, { "token_create.bpffs_fd": 3 }), 8));
  const stack = { map_type: BPF_MAP_TYPE.STACK, key_size: 0, value_size: 8, max_entries: 4 };
  show(io, t, "MAP_CREATE STACK without the token", t.sys_bpf(BPF_CMD.MAP_CREATE, encodeAttr(T, BPF_CMD.MAP_CREATE, stack), 80));
  if (tokFd >= 0) {
    const withTok = { ...stack, map_flags: 0x10000 /* BPF_F_TOKEN_FD */, map_token_fd: tokFd };
    const m = show(io, t, "MAP_CREATE STACK, BPF_F_TOKEN_FD, map_token_fd=token", t.sys_bpf(BPF_CMD.MAP_CREATE, encodeAttr(T, BPF_CMD.MAP_CREATE, withTok), 80));
    show(io, t, "MAP_CREATE QUEUE with the same token (type not delegated)", t.sys_bpf(BPF_CMD.MAP_CREATE, encodeAttr(T, BPF_CMD.MAP_CREATE, { ...withTok, map_type: BPF_MAP_TYPE.QUEUE }), 80));
    const f = t.files.get(tokFd);
    if (f !== undefined) io.out(`  fdinfo of the token:\n${bpf_token_show_fdinfo(T, f.private_data as BpfToken).replace(/^/gm, "    ").trimEnd()}`);
    if (m >= 0) t.close(m);
  }
  const root = kernel.spawn();
  const dir = root.open("/sys/fs/bpf", 0o200000 /* O_RDONLY|O_DIRECTORY */);
  show(io, root, `TOKEN_CREATE {bpffs_fd=${dir}} as root in the init user namespace`, root.sys_bpf(BPF_CMD.TOKEN_CREATE, encodeAttr(T, BPF_CMD.TOKEN_CREATE, { "token_create.bpffs_fd": dir }), 8));

  io.out("\n# BPF token, the original v1 ABI (June 2023): new Kernel({ abi: \"rfc-v1\" })");
  const k1 = new Kernel({ abi: "rfc-v1" });
  const V = tablesFor("rfc-v1");
  const r = k1.spawn();
  const create = (allowed_cmds: bigint, token_fd = 0, flags = 0) => encodeAttr(V, 36, { "token_create.flags": flags, "token_create.token_fd": token_fd, "token_create.allowed_cmds": allowed_cmds });
  const parent = show(io, r, "TOKEN_CREATE {allowed_cmds = TOKEN_CREATE} as root", r.sys_bpf(36, create(1n << 36n), 40));
  show(io, r, "TOKEN_CREATE {allowed_cmds = ~0} without IGNORE_UNKNOWN_CMDS", r.sys_bpf(36, create(~0n & 0xffffffffffffffffn), 40));
  r.setCaps(0n);
  show(io, r, "  ... after dropping every capability, no parent token", r.sys_bpf(36, create(0n), 40));
  if (parent >= 0) {
    show(io, r, "  ... derived from the parent, allowed_cmds = 0", r.sys_bpf(36, create(0n, parent), 40));
    show(io, r, "  ... derived, asking for MAP_CREATE the parent lacks", r.sys_bpf(36, create(1n, parent), 40));
  }
  io.out("");
}
