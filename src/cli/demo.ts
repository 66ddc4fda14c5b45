// SPDX-License-Identifier: GPL-2.0-only
// `npm start`: decode and run a few bundled attrs, showing what they mean and
// what the emulated kernel answers, with the reason the real one never prints.

import { encodeAttr } from "../abi/decode.ts";
import { Kernel, linux_6_18 } from "../index.ts";
import { BPF_CMD, BPF_MAP_TYPE } from "../uapi/gen/consts-6.18.ts";
import { describe, type Io } from "./common.ts";
import { tokenWalkthrough } from "./demo-token.ts";
import { replayWalkthrough } from "./demo-replay.ts";

interface Example {
  title: string;
  cmd: number;
  bytes: Uint8Array;
  size: number;
  as?: "nocap";
}

function ex(title: string, cmd: number, fields: Record<string, number | bigint | Uint8Array>, size = linux_6_18.attrSize, tail?: (b: Uint8Array) => Uint8Array): Example {
  let bytes = encodeAttr(linux_6_18, cmd, fields);
  if (tail) bytes = tail(bytes);
  return { title, cmd, bytes, size };
}

export function demo(_argv: readonly string[], io: Io): number {
  const name = new Uint8Array(16);
  name.set(new TextEncoder().encode("demo_array"));
  const examples: Example[] = [
    ex("An ARRAY map as libbpf sends it (offsetofend of the last field it sets)", BPF_CMD.MAP_CREATE, { map_type: BPF_MAP_TYPE.ARRAY, key_size: 4, value_size: 8, max_entries: 16, map_name: name }, 44),
    ex("The same with a stray byte after excl_prog_hash_size: CHECK_ATTR", BPF_CMD.MAP_CREATE, { map_type: BPF_MAP_TYPE.ARRAY, key_size: 4, value_size: 8, max_entries: 16 }, 168, (b) => {
      b[100] = 1;
      return b;
    }),
    ex("A newer loader's 200-byte attr with a non-zero byte past the union: E2BIG", BPF_CMD.MAP_CREATE, { map_type: BPF_MAP_TYPE.ARRAY, key_size: 4, value_size: 8, max_entries: 1 }, 200, (b) => {
      const big = new Uint8Array(200);
      big.set(b);
      big[180] = 7;
      return big;
    }),
    ex("An LRU hash with BPF_F_NO_PREALLOC: ENOTSUPP (524) leaks to userspace", BPF_CMD.MAP_CREATE, { map_type: BPF_MAP_TYPE.LRU_HASH, key_size: 4, value_size: 8, max_entries: 16, map_flags: 1 }),
    ex("OBJ_GET_INFO_BY_FD on a closed fd: EBADFD, not EBADF", BPF_CMD.OBJ_GET_INFO_BY_FD, { "info.bpf_fd": 42 }),
    ex("OBJ_PIN of a closed fd: EINVAL, not EBADF", BPF_CMD.OBJ_PIN, { bpf_fd: 42 }),
    { ...ex("PROG_QUERY without CAP_NET_ADMIN checks the capability before CHECK_ATTR", BPF_CMD.PROG_QUERY, {}, 168, (b) => {
      b[100] = 1;
      return b;
    }), as: "nocap" },
    ex("TOKEN_CREATE from the init user namespace with a closed bpffs_fd", BPF_CMD.TOKEN_CREATE, { "token_create.bpffs_fd": 9 }),
  ];
  const kernel = new Kernel();
  const root = kernel.spawn();
  const nocap = kernel.spawn({ caps: [] });
  io.out("bpfemu demo: each attr is decoded from the layout tables generated from this kernel's BTF,");
  io.out("then run through the emulated bpf() as root (or without capabilities).\n");
  for (const e of examples) {
    const t = e.as === "nocap" ? nocap : root;
    io.out(`# ${e.title}${e.as ? " (no capabilities)" : ""}`);
    io.out(describe(linux_6_18, e.cmd, e.bytes, e.size));
    const attr = e.bytes.slice();
    const ret = t.sys_bpf(e.cmd, attr, e.size);
    io.out(ret < 0 ? `= ${ret} ${t.lastError?.name}: ${t.lastError?.reason}\n` : `= ${ret}\n`);
  }
  tokenWalkthrough(io);
  replayWalkthrough(io);
  return 0;
}
