// SPDX-License-Identifier: GPL-2.0-only
// The token/bpffs corpus: traces for BPF_TOKEN_CREATE's ordered checks,
// bpffs delegation options as the token sees them (BPF_OBJ_GET_INFO_BY_FD),
// token use by MAP_CREATE, PROG_LOAD, BTF_LOAD and BTF_GET_FD_BY_ID (the
// upstream selftests map_token, btf_token, prog_token, obj_priv_* and
// bpf_token_info at syscall level, up to the verifier and BTF validation),
// and OBJ_PIN/OBJ_GET with mkdir/unlink/open over bpffs. Expectations are
// filled in by recording on the live kernel (scripts/record-token-traces.ts).
// No Node API.

import type { BpffsDelegation, Trace, TraceEnv, TraceOp } from "../trace/format.ts";

const CMD = {
  MAP_CREATE: 0,
  MAP_LOOKUP_ELEM: 1,
  MAP_UPDATE_ELEM: 2,
  PROG_LOAD: 5,
  OBJ_PIN: 6,
  OBJ_GET: 7,
  OBJ_GET_INFO_BY_FD: 15,
  BTF_LOAD: 18,
  BTF_GET_FD_BY_ID: 19,
  TOKEN_CREATE: 36,
} as const;

const MT = { HASH: 1, ARRAY: 2, LRU_HASH: 9, DEVMAP: 14, SOCKMAP: 15, QUEUE: 22, STACK: 23, RINGBUF: 27, BLOOM_FILTER: 30 } as const;
const PT = { SOCKET_FILTER: 1, KPROBE: 2, XDP: 6, TRACEPOINT: 5 } as const;
const AT_XDP = 37;

const F_RDONLY = 0x8;
const F_WRONLY = 0x10;
const F_PATH_FD = 0x4000;
const F_TOKEN_FD = 0x10000;

const O_RDONLY = 0;
const O_RDWR = 2;
const O_DIRECTORY = 0o200000;
const O_PATH = 0o10000000;
const AT_FDCWD = -100;

/** Attr lengths used for each command (at least the command's LAST_FIELD end). */
const LEN = { map: 96, elem: 32, prog: 168, obj: 24, info: 16, btf: 40, byId: 16, token: 8 } as const;

type Field = readonly [offset: number, size: 4 | 8, value: number | bigint];

function attrBytes(len: number, fields: readonly Field[]): Uint8Array {
  const b = new Uint8Array(len);
  const v = new DataView(b.buffer);
  for (const [off, size, val] of fields) {
    if (size === 4) v.setUint32(off, Number(BigInt.asUintN(32, BigInt(val))), true);
    else v.setBigUint64(off, BigInt.asUintN(64, BigInt(val)), true);
  }
  return b;
}

/** Builds one trace's ops; user-memory regions get one page each from 0x10000000 up. */
class Builder {
  readonly ops: TraceOp[] = [];
  private next = 0x10000000n;

  region(len: number, bytes?: Uint8Array): bigint {
    const addr = this.next;
    this.next += BigInt(Math.ceil(len / 4096) * 4096);
    this.ops.push(bytes === undefined ? { op: "map", addr, len } : { op: "map", addr, len, bytes });
    return addr;
  }

  /** A NUL-terminated string in its own region. */
  str(s: string): bigint {
    const b = new TextEncoder().encode(s);
    const out = new Uint8Array(b.length + 1);
    out.set(b);
    return this.region(out.length, out);
  }

  bpf(cmd: number, len: number, fields: readonly Field[], note?: string, size = len): this {
    const attr = attrBytes(len, fields);
    this.ops.push(note === undefined ? { op: "bpf", cmd, size, attr } : { op: "bpf", cmd, size, attr, note });
    return this;
  }

  tokenCreate(bpffsFd: number, flags = 0, note?: string): this {
    return this.bpf(CMD.TOKEN_CREATE, LEN.token, [[0, 4, flags], [4, 4, bpffsFd]], note);
  }

  mapCreate(type: number, key: number, value: number, max: number, flags = 0, tokenFd = 0, note?: string): this {
    return this.bpf(CMD.MAP_CREATE, LEN.map, [[0, 4, type], [4, 4, key], [8, 4, value], [12, 4, max], [16, 4, flags], [76, 4, tokenFd]], note);
  }

  pin(fd: number, path: string | bigint, fileFlags = 0, pathFd = 0, note?: string): this {
    const p = typeof path === "bigint" ? path : this.str(path);
    return this.bpf(CMD.OBJ_PIN, LEN.obj, [[0, 8, p], [8, 4, fd], [12, 4, fileFlags], [16, 4, pathFd]], note ?? `pin fd ${fd} at ${typeof path === "string" ? JSON.stringify(path) : "0x" + path.toString(16)}`);
  }

  get(path: string | bigint, fileFlags = 0, pathFd = 0, bpfFd = 0, note?: string): this {
    const p = typeof path === "bigint" ? path : this.str(path);
    return this.bpf(CMD.OBJ_GET, LEN.obj, [[0, 8, p], [8, 4, bpfFd], [12, 4, fileFlags], [16, 4, pathFd]], note ?? `get ${typeof path === "string" ? JSON.stringify(path) : "0x" + path.toString(16)}`);
  }

  info(fd: number, infoLen = 32): this {
    const buf = this.region(64);
    return this.bpf(CMD.OBJ_GET_INFO_BY_FD, LEN.info, [[0, 4, fd], [4, 4, infoLen], [8, 8, buf]], `info of fd ${fd}, info_len ${infoLen}`);
  }

  /** PROG_LOAD of `insns` (8-byte words as bytes), GPL license. */
  progLoad(type: number, eat: number, insns: readonly number[], flags = 0, tokenFd = 0, note?: string): this {
    const ins = insns.length ? this.region(insns.length, Uint8Array.from(insns)) : this.region(8);
    const lic = this.str("GPL");
    return this.bpf(
      CMD.PROG_LOAD,
      LEN.prog,
      [[0, 4, type], [4, 4, insns.length / 8], [8, 8, ins], [16, 8, lic], [44, 4, flags], [48, 4, eat], [144, 4, tokenFd]],
      note,
    );
  }

  /** BTF_LOAD of a blob the kernel rejects (bad magic): the result shows whether the permission check passed. */
  btfLoad(flags = 0, tokenFd = 0, note?: string): this {
    const blob = this.region(24, new Uint8Array(24));
    return this.bpf(CMD.BTF_LOAD, LEN.btf, [[0, 8, blob], [16, 4, 24], [32, 4, flags], [36, 4, tokenFd]], note);
  }

  btfById(id: number, openFlags = 0, tokenFd = 0, note?: string): this {
    return this.bpf(CMD.BTF_GET_FD_BY_ID, LEN.byId, [[0, 4, id], [8, 4, openFlags], [12, 4, tokenFd]], note);
  }

  elem(cmd: number, fd: number, note?: string): this {
    const key = this.region(8);
    const val = this.region(8, Uint8Array.from([1, 2, 3, 4, 0, 0, 0, 0]));
    return this.bpf(cmd, LEN.elem, [[0, 4, fd], [8, 8, key], [16, 8, val]], note);
  }

  open(path: string, flags = O_RDONLY): this {
    this.ops.push({ op: "open", path, flags });
    return this;
  }

  mkdir(path: string, mode = 0o755): this {
    this.ops.push({ op: "mkdir", path, mode });
    return this;
  }

  unlink(path: string): this {
    this.ops.push({ op: "unlink", path });
    return this;
  }

  close(fd: number): this {
    this.ops.push({ op: "close", fd });
    return this;
  }
}

const ROOT: TraceEnv = { kind: "root" };
const NOCAP: TraceEnv = { kind: "nocap" };
function userns(bpffs: BpffsDelegation): TraceEnv {
  return { kind: "userns", bpffs };
}

/** r0 = 0 with no exit: every program reaching the verifier is rejected with EINVAL. */
const NO_EXIT = [0xb7, 0, 0, 0, 0, 0, 0, 0];

/** All token/bpffs traces, without expectations. */
export function tokenCorpus(): Trace[] {
  const out: Trace[] = [];
  const add = (name: string, description: string, env: TraceEnv, build: (b: Builder) => void): void => {
    const b = new Builder();
    build(b);
    out.push({ name: `token/${name}`, description, abi: "linux-6.18", env, recordedOn: null, ops: b.ops });
  };

  // ---------------------------------------------------- BPF_TOKEN_CREATE checks
  add("create-root-errors", "token_create from the init namespace: flags, bad fds, non-root and non-bpffs fds, then EOPNOTSUPP for the bpffs root", ROOT, (b) => {
    b.tokenCreate(0, 1, "flags != 0");
    b.bpf(CMD.TOKEN_CREATE, 16, [[4, 4, 99], [8, 4, 1]], "CHECK_ATTR: byte past bpffs_fd");
    b.tokenCreate(99, 0, "closed fd");
    b.tokenCreate(0xffffffff, 0, "fd -1");
    b.tokenCreate(0, 0, "/dev/null");
    b.open("/").tokenCreate(3, 0, "root of the root fs");
    b.open("/tmp").tokenCreate(4, 0, "a directory that is not a root");
    b.open("/sys").tokenCreate(5, 0, "sysfs root");
    b.open("/sys/fs/bpf").tokenCreate(6, 0, "bpffs root in the init namespace");
    b.mkdir("/sys/fs/bpf/sub").open("/sys/fs/bpf/sub").tokenCreate(7, 0, "bpffs subdirectory");
    b.open("/sys/fs/bpf", O_PATH).tokenCreate(8, 0, "O_PATH fd of the bpffs root");
    b.mapCreate(MT.ARRAY, 4, 4, 1).tokenCreate(9, 0, "a map fd");
    b.tokenCreate(6, 0, "bpffs root again");
  });
  add("create-nocap", "token_create without capabilities: no CAP_BPF in the bpffs's (init) namespace", NOCAP, (b) => {
    b.tokenCreate(99);
    b.open("/sys/fs/bpf").tokenCreate(3, 0, "bpffs root, no CAP_BPF");
    b.open("/").tokenCreate(4, 0, "not bpffs");
    b.open("/sys/fs/bpf/", O_RDONLY | O_DIRECTORY).tokenCreate(5, 0, "trailing slash, O_DIRECTORY");
  });
  add("create-userns-basic", "token_create in a delegated userns: fd 3, a second token, reopened root, non-root paths", userns({ delegate_cmds: "any", delegate_maps: "array:hash" }), (b) => {
    b.tokenCreate(3, 0, "bpffs root at fd 3");
    b.tokenCreate(3, 0, "another token");
    b.open("/sys/fs/bpf").tokenCreate(6, 0, "the root reopened by path");
    b.open("/sys/fs/bpf/..").tokenCreate(8, 0, "parent of the bpffs: sysfs dir");
    b.open("/").tokenCreate(10, 0, "rootfs root");
    b.mkdir("/sys/fs/bpf/d").open("/sys/fs/bpf/d").tokenCreate(12, 0, "bpffs subdirectory");
    b.tokenCreate(4, 0, "a token fd");
    b.open("/sys/fs/bpf", O_PATH).tokenCreate(13, 0, "O_PATH root");
    b.close(4).tokenCreate(4, 0, "closed token slot").tokenCreate(3, 1, "flags");
  });
  add("create-userns-nodelegation", "no delegate_* option: ENOENT", userns({}), (b) => {
    b.tokenCreate(3).tokenCreate(99).open("/").tokenCreate(4);
  });
  add("create-userns-zero-masks", "delegate options that parse to 0 (a number replaces the mask): ENOENT", userns({ delegate_cmds: "any:0", delegate_maps: "0", delegate_progs: "0x0" }), (b) => {
    b.tokenCreate(3);
  });

  // ---------------------------------------------------- delegation options as the token sees them
  const combos: [string, BpffsDelegation][] = [
    ["cmds-any", { delegate_cmds: "any" }],
    ["cmds-name", { delegate_cmds: "map_create" }],
    ["cmds-upper", { delegate_cmds: "MAP_CREATE:PROG_LOAD" }],
    ["cmds-mixed-case", { delegate_cmds: "Btf_Load:token_create" }],
    ["cmds-alias", { delegate_cmds: "prog_run" }],
    ["cmds-hex", { delegate_cmds: "0x21" }],
    ["cmds-dec", { delegate_cmds: "17" }],
    ["cmds-oct", { delegate_cmds: "010" }],
    ["cmds-name-then-number", { delegate_cmds: "map_create:0x4" }],
    ["cmds-number-then-name", { delegate_cmds: "0x4:map_create" }],
    ["cmds-any-then-name", { delegate_cmds: "any:map_create" }],
    ["cmds-big", { delegate_cmds: "0xffffffffffffffff" }],
    ["cmds-high-bit", { delegate_cmds: "0x8000000000000000" }],
    ["cmds-plus", { delegate_cmds: "+5" }],
    ["maps-list", { delegate_maps: "array:hash:stack:queue" }],
    ["maps-any", { delegate_maps: "any" }],
    ["maps-deprecated-alias", { delegate_maps: "cgroup_storage_deprecated" }],
    ["maps-number", { delegate_maps: "0x800000" }],
    ["progs-xdp", { delegate_progs: "xdp" }],
    ["progs-list", { delegate_progs: "socket_filter:kprobe:XDP" }],
    ["progs-any", { delegate_progs: "any" }],
    ["attachs-xdp", { delegate_attachs: "xdp" }],
    ["attachs-cgroup", { delegate_attachs: "cgroup_inet_ingress:cgroup_inet_egress" }],
    ["attachs-any", { delegate_attachs: "any" }],
    ["all-four", { delegate_cmds: "map_create:prog_load:btf_load", delegate_maps: "array", delegate_progs: "xdp", delegate_attachs: "xdp" }],
    ["bpf-token-info", { delegate_cmds: "map_create", delegate_progs: "xdp", delegate_attachs: "any" }],
  ];
  for (const [name, d] of combos) {
    add(`delegate-${name}`, `bpffs options ${JSON.stringify(d)} read back from a token`, userns(d), (b) => {
      b.tokenCreate(3).info(4, 32).info(4, 16).info(4, 40);
    });
  }

  // ---------------------------------------------------- map_token (selftest) and map variations
  add("map-token", "selftest map_token: cmds map_create, maps stack", userns({ delegate_cmds: "map_create", delegate_maps: "stack" }), (b) => {
    b.tokenCreate(3);
    b.mapCreate(MT.STACK, 0, 8, 1, 0, 0, "stack, no token");
    b.mapCreate(MT.STACK, 0, 8, 1, F_TOKEN_FD, 4, "stack with the token");
    b.mapCreate(MT.QUEUE, 0, 8, 1, F_TOKEN_FD, 4, "queue: type not delegated");
    b.mapCreate(MT.ARRAY, 4, 4, 1, F_TOKEN_FD, 4, "array: type not delegated, token dropped, sysctl check fails");
    b.mapCreate(MT.STACK, 0, 8, 1, 0, 4, "token fd without the flag");
    b.mapCreate(MT.STACK, 0, 8, 1, F_TOKEN_FD, 99, "closed token fd");
    b.mapCreate(MT.STACK, 0, 8, 1, F_TOKEN_FD, 0, "fd 0 is not a token");
    b.mapCreate(MT.STACK, 0, 8, 1, F_TOKEN_FD, 3, "bpffs root is not a token");
    b.mapCreate(MT.STACK, 0, 8, 1, F_TOKEN_FD, 5, "a map fd is not a token");
    b.mapCreate(MT.STACK, 0, 8, 1, F_TOKEN_FD, 0xffffffff, "token fd -1");
    b.mapCreate(0, 4, 4, 1, F_TOKEN_FD, 99, "map_type 0 fails before the token is looked up");
    b.mapCreate(MT.STACK, 4, 8, 1, F_TOKEN_FD, 99, "stack key_size != 0 fails in alloc_check before the token");
    b.open("/sys/fs/bpf", O_PATH).mapCreate(MT.STACK, 0, 8, 1, F_TOKEN_FD, 7, "O_PATH fd as token");
  });
  add("map-token-cmd-missing", "maps delegated but MAP_CREATE is not: the token is dropped", userns({ delegate_cmds: "prog_load", delegate_maps: "any" }), (b) => {
    b.tokenCreate(3).mapCreate(MT.STACK, 0, 8, 1, F_TOKEN_FD, 4).mapCreate(MT.ARRAY, 4, 4, 1, F_TOKEN_FD, 4);
  });
  add("map-token-types", "cmds any, maps any: types needing CAP_BPF and CAP_NET_ADMIN through the token", userns({ delegate_cmds: "any", delegate_maps: "any" }), (b) => {
    b.tokenCreate(3);
    b.mapCreate(MT.ARRAY, 4, 4, 1, F_TOKEN_FD, 4);
    b.mapCreate(MT.HASH, 4, 4, 1, F_TOKEN_FD, 4);
    b.mapCreate(MT.LRU_HASH, 4, 4, 8, F_TOKEN_FD, 4);
    b.mapCreate(MT.QUEUE, 0, 4, 1, F_TOKEN_FD, 4);
    b.mapCreate(MT.ARRAY, 4, 4, 1, 0, 0, "array without the token");
    b.mapCreate(MT.ARRAY, 4, 4, 1, F_TOKEN_FD | F_RDONLY, 4, "read-only array");
    b.mapCreate(MT.ARRAY, 4, 4, 1, F_TOKEN_FD | F_RDONLY | F_WRONLY, 4, "RDONLY|WRONLY");
  });
  add("map-token-obj-priv", "obj_priv_map at syscall level: cmds map_create, maps queue", userns({ delegate_cmds: "MAP_CREATE", delegate_maps: "QUEUE" }), (b) => {
    b.tokenCreate(3).mapCreate(MT.QUEUE, 0, 4, 1).mapCreate(MT.QUEUE, 0, 4, 1, F_TOKEN_FD, 4);
  });
  add("map-root-nocap-token", "root env: the token flag with fds that are not tokens", ROOT, (b) => {
    b.mapCreate(MT.ARRAY, 4, 4, 1, F_TOKEN_FD, 99).mapCreate(MT.ARRAY, 4, 4, 1, F_TOKEN_FD, 0).open("/sys/fs/bpf").mapCreate(MT.ARRAY, 4, 4, 1, F_TOKEN_FD, 3);
  });

  // ---------------------------------------------------- btf_token
  add("btf-token", "selftest btf_token: cmds 1<<BPF_BTF_LOAD (as hex); BTF load up to validation", userns({ delegate_cmds: "0x40000" }), (b) => {
    b.tokenCreate(3);
    b.btfLoad(0, 0, "no token: EPERM");
    b.btfLoad(F_TOKEN_FD, 4, "token: passes the permission check, then the blob is rejected");
    b.btfLoad(F_TOKEN_FD, 99, "closed token fd");
    b.btfLoad(F_TOKEN_FD, 0, "not a token");
    b.btfLoad(0x1, 4, "unknown btf_flags bit");
    b.btfLoad(0, 4, "token fd without the flag");
  });
  add("btf-token-not-delegated", "obj_priv_btf_fail at syscall level: BTF_LOAD is not delegated", userns({ delegate_cmds: "map_create:prog_load", delegate_maps: "struct_ops", delegate_progs: "struct_ops", delegate_attachs: "any" }), (b) => {
    b.tokenCreate(3).btfLoad(F_TOKEN_FD, 4).btfLoad(0, 0);
  });
  add("btf-by-id-token", "BTF_GET_FD_BY_ID with a token (CAP_SYS_ADMIN in the token's namespace)", userns({ delegate_cmds: "btf_get_fd_by_id" }), (b) => {
    b.tokenCreate(3);
    b.btfById(1, 0, 0, "vmlinux BTF, no token");
    b.btfById(1, F_TOKEN_FD, 4, "vmlinux BTF with the token");
    b.btfById(1, F_TOKEN_FD, 99, "closed token fd");
    b.btfById(1, F_TOKEN_FD, 3, "bpffs root is not a token");
    b.btfById(1, 0x1, 4, "unknown open_flags bit");
    b.btfById(0x7ffffff0, F_TOKEN_FD, 4, "no such id");
  });
  add("btf-by-id-token-not-delegated", "BTF_GET_FD_BY_ID with a token that does not allow it", userns({ delegate_cmds: "btf_load" }), (b) => {
    b.tokenCreate(3).btfById(1, F_TOKEN_FD, 4);
  });

  // ---------------------------------------------------- prog_token
  add("prog-token", "selftest prog_token: cmds PROG_LOAD, progs XDP, attachs xdp; up to the verifier", userns({ delegate_cmds: "PROG_LOAD", delegate_progs: "XDP", delegate_attachs: "xdp" }), (b) => {
    b.tokenCreate(3);
    b.progLoad(PT.XDP, AT_XDP, NO_EXIT, F_TOKEN_FD, 4, "xdp with the token: reaches the verifier");
    b.progLoad(PT.XDP, AT_XDP, NO_EXIT, 0, 0, "xdp without the token");
    b.progLoad(PT.XDP, 0, NO_EXIT, F_TOKEN_FD, 4, "expected_attach_type 0 not delegated: token dropped");
    b.progLoad(PT.SOCKET_FILTER, AT_XDP, NO_EXIT, F_TOKEN_FD, 4, "prog type not delegated");
    b.progLoad(PT.XDP, AT_XDP, NO_EXIT, F_TOKEN_FD, 99, "closed token fd");
    b.progLoad(PT.XDP, AT_XDP, NO_EXIT, F_TOKEN_FD, 0, "not a token");
    b.progLoad(PT.XDP, AT_XDP, [], F_TOKEN_FD, 4, "insn_cnt 0 with the token");
    b.progLoad(PT.XDP, AT_XDP, NO_EXIT, 0, 4, "token fd without the flag");
  });
  add("prog-token-any", "obj_priv_prog at syscall level: progs kprobe/tracepoint/socket_filter, attachs any", userns({ delegate_cmds: "prog_load", delegate_progs: "kprobe:tracepoint:socket_filter", delegate_attachs: "any" }), (b) => {
    b.tokenCreate(3);
    b.progLoad(PT.KPROBE, 0, NO_EXIT, F_TOKEN_FD, 4, "kprobe: CAP_PERFMON through the token");
    b.progLoad(PT.TRACEPOINT, 0, NO_EXIT, F_TOKEN_FD, 4);
    b.progLoad(PT.SOCKET_FILTER, 0, NO_EXIT, F_TOKEN_FD, 4);
    b.progLoad(PT.KPROBE, 0, NO_EXIT, 0, 0, "kprobe, no token");
    b.progLoad(PT.XDP, 0, NO_EXIT, F_TOKEN_FD, 4, "xdp not delegated");
  });
  add("prog-token-cmd-missing", "progs delegated but PROG_LOAD is not", userns({ delegate_cmds: "map_create", delegate_progs: "any", delegate_attachs: "any" }), (b) => {
    b.tokenCreate(3).progLoad(PT.XDP, AT_XDP, NO_EXIT, F_TOKEN_FD, 4);
  });

  // ---------------------------------------------------- pinning tokens
  add("pin-token", "upstream tokens cannot be pinned (EINVAL); maps made with a token can", userns({ delegate_cmds: "any", delegate_maps: "any" }), (b) => {
    b.tokenCreate(3);
    b.pin(4, "/sys/fs/bpf/tok");
    b.get("/sys/fs/bpf/tok");
    b.mapCreate(MT.ARRAY, 4, 4, 1, F_TOKEN_FD, 4);
    b.pin(5, "/sys/fs/bpf/m");
    b.get("/sys/fs/bpf/m").get("/sys/fs/bpf/m", F_RDONLY);
    b.pin(3, "/sys/fs/bpf/root", 0, 0, "pin the bpffs root fd");
    b.mkdir("/sys/fs/bpf/dir").pin(5, "/sys/fs/bpf/dir/m").get("/sys/fs/bpf/dir/m");
    b.pin(5, "rel", F_PATH_FD, 3, "relative to the bpffs root fd");
    b.get("rel", F_PATH_FD, 3);
    b.unlink("/sys/fs/bpf/rel").get("rel", F_PATH_FD, 3);
  });

  // ---------------------------------------------------- OBJ_PIN paths (root)
  add("pin-paths", "OBJ_PIN path resolution and bpffs rules as root", ROOT, (b) => {
    b.mapCreate(MT.ARRAY, 4, 4, 1);
    b.pin(3, "/sys/fs/bpf/m");
    b.pin(3, "/sys/fs/bpf/m", 0, 0, "again: EEXIST");
    b.pin(3, "/sys/fs/bpf/m.x", 0, 0, "dotted name");
    b.pin(3, "/sys/fs/bpf/.hidden");
    b.pin(3, "/tmp/bpfemu-should-not-exist", 0, 0, "outside bpffs");
    b.pin(3, "/sys/fs/bpf/nodir/m", 0, 0, "missing parent");
    b.pin(3, "/sys/fs/bpf/m/x", 0, 0, "through a pinned file");
    b.pin(3, "/sys/fs/bpf/", 0, 0, "the bpffs root");
    b.pin(3, "/sys/fs/bpf/.", 0, 0, "dot");
    b.pin(3, "/sys/fs/bpf/..", 0, 0, "dotdot");
    b.pin(3, "/", 0, 0, "slash");
    b.pin(3, "/sys/fs/bpf/new/", 0, 0, "trailing slash on a new name");
    b.pin(3, "/sys/fs/bpf/m/", 0, 0, "trailing slash on an existing file");
    b.pin(3, "", 0, 0, "empty path");
    b.pin(3, 0n, 0, 0, "NULL path");
    b.pin(3, 0x7ff0000000n, 0, 0, "unmapped path");
    b.pin(3, "/sys/fs/bpf/" + "a".repeat(256), 0, 0, "component over NAME_MAX");
    b.pin(3, "/sys/fs/bpf/" + "b".repeat(255), 0, 0, "component of exactly NAME_MAX");
    b.pin(99, 0n, 0, 0, "closed fd and NULL path: the fd is probed first");
    b.pin(0, "/sys/fs/bpf/devnull", 0, 0, "/dev/null is not a BPF object");
    b.pin(3, "/sys/fs/bpf/x", 0x1, 0, "unknown file_flags");
    b.pin(3, "/sys/fs/bpf/x", 0, 3, "path_fd without BPF_F_PATH_FD");
    b.pin(3, "/sys/fs/bpf/abs", F_PATH_FD, 99, "absolute path ignores a bad path_fd");
    b.pin(3, "rel", F_PATH_FD, 99, "relative path, closed path_fd");
    b.pin(3, "rel", F_PATH_FD, 0, "relative path, path_fd /dev/null");
    b.pin(3, "rel", F_PATH_FD, 3, "relative path, path_fd a map");
    b.pin(3, "sys/fs/bpf/cwd", F_PATH_FD, AT_FDCWD, "AT_FDCWD");
    b.open("/sys/fs/bpf").pin(3, "viafd", F_PATH_FD, 4);
    b.pin(3, "../bpf/up", F_PATH_FD, 4, "dotdot from the root of the mount");
    b.pin(3, "./dot", F_PATH_FD, 4);
    b.open("/sys/fs/bpf", O_PATH).pin(3, "viaopath", F_PATH_FD, 5, "O_PATH dirfd");
    b.pin(3, "/sys/fs/bpf//double//slash");
    b.mkdir("/sys/fs/bpf/double").pin(3, "/sys/fs/bpf//double//slash");
    b.pin(3, "/sys/x", 0, 0, "sysfs directory");
  });
  add("pin-modes", "a mode-0 bpffs directory allows dotted names; permission bits as root", ROOT, (b) => {
    b.mapCreate(MT.ARRAY, 4, 4, 1);
    b.mkdir("/sys/fs/bpf/z", 0);
    b.pin(3, "/sys/fs/bpf/z/a.b", 0, 0, "dots allowed in a directory without permission bits");
    b.get("/sys/fs/bpf/z/a.b");
    b.mkdir("/sys/fs/bpf/z/c.d", 0o755);
    b.mkdir("/sys/fs/bpf/r", 0o500).pin(3, "/sys/fs/bpf/r/m").get("/sys/fs/bpf/r/m", F_WRONLY);
    b.open("/sys/fs/bpf/z", O_RDONLY).open("/sys/fs/bpf/z/a.b", O_RDONLY).open("/sys/fs/bpf/z/a.b", O_PATH);
  });

  // ---------------------------------------------------- OBJ_GET
  add("get-paths", "OBJ_GET lookups, modes and non-objects", ROOT, (b) => {
    b.mapCreate(MT.ARRAY, 4, 4, 1).pin(3, "/sys/fs/bpf/m");
    b.get("/sys/fs/bpf/m");
    b.get("/sys/fs/bpf/m", F_RDONLY);
    b.get("/sys/fs/bpf/m", F_WRONLY);
    b.get("/sys/fs/bpf/m", F_RDONLY | F_WRONLY, 0, 0, "RDONLY|WRONLY");
    b.get("/sys/fs/bpf/m", 0x1, 0, 0, "unknown file_flags");
    b.get("/sys/fs/bpf/m", 0, 0, 3, "bpf_fd != 0");
    b.get("/sys/fs/bpf/m", 0, 5, 0, "path_fd without PATH_FD");
    b.get("/sys/fs/bpf/missing");
    b.get("/sys/fs/bpf/a.b", 0, 0, 0, "dotted name");
    b.get("/sys/fs/bpf", 0, 0, 0, "the bpffs root directory");
    b.get("/sys/fs/bpf/m/", 0, 0, 0, "trailing slash on a file");
    b.get("/sys/fs/bpf/m/x");
    b.get("/tmp");
    b.get("/", F_RDONLY);
    b.get("", 0, 0, 0, "empty path");
    b.get(0n, 0, 0, 0, "NULL path");
    b.get("m", F_PATH_FD, 99, 0, "closed path_fd");
    b.open("/sys/fs/bpf").get("m", F_PATH_FD, 9, 0, "relative to the bpffs root");
    b.get("m", F_PATH_FD | F_RDONLY, 9);
    b.get("m", F_PATH_FD, 3, 0, "path_fd is a map");
    b.get("./m/../m", F_PATH_FD, 9, 0, "dot and dotdot through a file");
    b.get("/sys/fs/bpf/../bpf/m");
  });
  add("get-modes-use", "fds from OBJ_GET keep their mode: RDONLY cannot update, WRONLY cannot look up", ROOT, (b) => {
    b.mapCreate(MT.ARRAY, 4, 4, 1).pin(3, "/sys/fs/bpf/m");
    b.get("/sys/fs/bpf/m", F_RDONLY).get("/sys/fs/bpf/m", F_WRONLY).get("/sys/fs/bpf/m");
    b.elem(CMD.MAP_UPDATE_ELEM, 4, "update through RDONLY");
    b.elem(CMD.MAP_LOOKUP_ELEM, 4, "lookup through RDONLY");
    b.elem(CMD.MAP_UPDATE_ELEM, 5, "update through WRONLY");
    b.elem(CMD.MAP_LOOKUP_ELEM, 5, "lookup through WRONLY");
    b.elem(CMD.MAP_UPDATE_ELEM, 6, "update through RDWR");
    b.elem(CMD.MAP_LOOKUP_ELEM, 6, "lookup through RDWR");
  });
  add("pin-refs", "a pin keeps the map after its fds close; unlink drops it", ROOT, (b) => {
    b.mapCreate(MT.HASH, 4, 4, 4).pin(3, "/sys/fs/bpf/h").close(3);
    b.get("/sys/fs/bpf/h");
    b.elem(CMD.MAP_UPDATE_ELEM, 3).close(3);
    b.get("/sys/fs/bpf/h").elem(CMD.MAP_LOOKUP_ELEM, 3, "the value survived with no fd open");
    b.unlink("/sys/fs/bpf/h").get("/sys/fs/bpf/h").unlink("/sys/fs/bpf/h");
    b.elem(CMD.MAP_LOOKUP_ELEM, 3, "the fd still works after unlink");
    b.pin(3, "/sys/fs/bpf/h", 0, 0, "pin again under the same name");
  });

  // ---------------------------------------------------- mkdir / unlink / open
  add("fs-ops", "mkdir, unlink and open over bpffs and the fs around it, as root", ROOT, (b) => {
    b.mkdir("/sys/fs/bpf/d").mkdir("/sys/fs/bpf/d").mkdir("/sys/fs/bpf/d.x").mkdir("/sys/fs/bpf/x/y").mkdir("/sys/fs/bpf/e/");
    b.mkdir("/sys/fs/bpf").mkdir("/sys/fs/bpf/.").mkdir("/sys/x").mkdir("/sys/fs/bpf/d/sub", 0o1777);
    b.unlink("/sys/fs/bpf/d").unlink("/sys/fs/bpf/nope").unlink("/sys/fs/bpf/.").unlink("/sys/fs/bpf/..").unlink("/sys/fs/bpf/a.b").unlink("/sys/fs/bpf");
    b.mapCreate(MT.ARRAY, 4, 4, 1).pin(3, "/sys/fs/bpf/d/m");
    b.unlink("/sys/fs/bpf/d/m/").unlink("/sys/fs/bpf/d/m/x").unlink("/sys/fs/bpf/d/m").unlink("/sys/fs/bpf/d/m");
    b.open("/sys/fs/bpf/d").open("/sys/fs/bpf/d", O_RDWR).open("/sys/fs/bpf/d", 1).open("/sys/fs/bpf/none").open("/sys/fs/bpf/d/", O_DIRECTORY);
    b.pin(3, "/sys/fs/bpf/p").open("/sys/fs/bpf/p").open("/sys/fs/bpf/p", O_RDWR).open("/sys/fs/bpf/p", O_DIRECTORY).open("/sys/fs/bpf/p", O_PATH).open("/sys/fs/bpf/p/");
    b.open("/sys/fs/bpf/new", 0o100 | O_RDWR).open("/sys/fs/bpf/p", 0o100 | 0o200).open("/sys/fs/bpf/d", 0o100).open("/sys/fs/bpf/a.b", 0o100);
  });
  add("fs-ops-nocap", "without capabilities: search/write permission on bpffs directories", NOCAP, (b) => {
    b.mkdir("/sys/fs/bpf/z", 0).mkdir("/sys/fs/bpf/z/sub").open("/sys/fs/bpf/z").get("/sys/fs/bpf/z/x");
    b.mkdir("/sys/fs/bpf/r", 0o500).mkdir("/sys/fs/bpf/r/sub").open("/sys/fs/bpf/r").get("/sys/fs/bpf/r/x");
    b.mkdir("/sys/fs/bpf/w", 0o300).open("/sys/fs/bpf/w").mkdir("/sys/fs/bpf/w/sub").get("/sys/fs/bpf/w/sub");
    b.mkdir("/sys/fs/bpf/g", 0o070).mkdir("/sys/fs/bpf/g/sub").mkdir("/sys/fs/bpf/o", 0o007).mkdir("/sys/fs/bpf/o/sub");
    b.unlink("/sys/fs/bpf/z").mkdir("/sys/x").mkdir("/sys/fs/bpf/z/a.b");
    b.mapCreate(MT.ARRAY, 4, 4, 1, 0, 0, "no CAP_BPF");
  });
  add("fs-ops-userns", "mkdir/unlink/open and pins inside a delegated bpffs", userns({ delegate_cmds: "map_create", delegate_maps: "array" }), (b) => {
    b.tokenCreate(3).mapCreate(MT.ARRAY, 4, 4, 1, F_TOKEN_FD, 4);
    b.mkdir("/sys/fs/bpf/d").mkdir("/sys/fs/bpf/z", 0).mkdir("/sys/fs/bpf/z/sub").pin(5, "/sys/fs/bpf/z/a.b");
    b.pin(5, "/sys/fs/bpf/d/m").get("/sys/fs/bpf/d/m").unlink("/sys/fs/bpf/d/m").get("/sys/fs/bpf/d/m");
    b.open("/sys/fs/bpf/d").unlink("/sys/fs/bpf/d").mkdir("/sys/x").pin(5, "/tmp/bpfemu-should-not-exist");
  });
  add("token-lifetime", "a token outlives the bpffs fd it came from and works as long as its fd is open", userns({ delegate_cmds: "map_create", delegate_maps: "hash" }), (b) => {
    b.tokenCreate(3).close(3);
    b.mapCreate(MT.HASH, 4, 4, 1, F_TOKEN_FD, 4, "token after closing the bpffs fd");
    b.tokenCreate(3, 0, "fd 3 is now the map");
    b.pin(3, "x", F_PATH_FD, 4, "a token fd as path_fd");
    b.close(4).mapCreate(MT.HASH, 4, 4, 1, F_TOKEN_FD, 4, "closed token");
    b.open("/sys/fs/bpf").tokenCreate(4, 0, "a new token from the root opened by path");
  });
  add("edge-paths", "PATH_MAX, long components, O_CREAT on directories, dot-dot walks", ROOT, (b) => {
    b.mapCreate(MT.ARRAY, 4, 4, 1).mkdir("/sys/fs/bpf/d").pin(3, "/sys/fs/bpf/m");
    b.get("/sys/fs/bpf/d/../m").get("/sys/fs/bpf/d/./../d/../m").get("/sys/fs/bpf/m/..");
    b.get("/" + "x/".repeat(2047), 0, 0, 0, "4095-byte path");
    b.get("/" + "x/".repeat(2047) + "y", 0, 0, 0, "4096-byte path: no NUL within PATH_MAX");
    b.pin(3, "/sys/fs/bpf/" + "c".repeat(300) + "/m", 0, 0, "long intermediate component");
    b.get("/sys/fs/bpf/" + "c".repeat(300), 0, 0, 0, "long last component");
    b.mkdir("/sys/fs/bpf/" + "c".repeat(256));
    b.open("/sys/fs/bpf", 0o100).open("/sys/fs/bpf", 0o100 | 0o200).open("/sys/fs/bpf/.", 0o100).open("/", 1).open("/sys/fs/bpf/d/..", O_RDONLY | O_DIRECTORY);
    b.open("/sys/fs/bpf/m", O_PATH | O_DIRECTORY).open("/sys/fs/bpf/m", O_PATH | O_RDWR);
    b.get("/sys/fs/bpf/m", F_RDONLY).pin(9, "/sys/fs/bpf/m2", 0, 0, "pin a read-only fd");
    b.get("/sys/fs/bpf/m2", F_WRONLY).get("/sys/fs/bpf/m2");
    b.mkdir("/sys/fs/bpf/s", 0o3777).mkdir("/sys/fs/bpf/s/t").pin(3, "/sys/fs/bpf/s/t/m").unlink("/sys/fs/bpf/s/t/m");
  });
  for (const [env, name] of [[ROOT, "root"], [NOCAP, "nocap"], [userns({ delegate_cmds: "any" }), "userns"]] as const) {
    add(`preload-links-${name}`, "bpf_preload's maps.debug/progs.debug in a fresh bpffs: listed, but OBJ_GET/open answer ENOENT and unlink EPERM", env, (b) => {
      b.get("/sys/fs/bpf/maps.debug").get("/sys/fs/bpf/maps.debug", F_RDONLY).get("/sys/fs/bpf/progs.debug", F_WRONLY);
      b.open("/sys/fs/bpf/maps.debug").open("/sys/fs/bpf/maps.debug", O_RDWR).open("/sys/fs/bpf/progs.debug", O_PATH);
      b.unlink("/sys/fs/bpf/maps.debug").mkdir("/sys/fs/bpf/progs.debug").pin(0, "/sys/fs/bpf/maps.debug");
      b.get("/sys/fs/bpf/maps.debug/").get("/sys/fs/bpf/maps.debug/x").unlink("/sys/fs/bpf/maps.debugx");
    });
  }
  return out;
}
