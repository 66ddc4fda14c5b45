// SPDX-License-Identifier: GPL-2.0-only
// The kernel objects behind BPF fds (include/linux/bpf.h): maps, programs,
// links, BTF objects and tokens, with the reference counts that decide when
// they are freed, and the idr that hands out their ids.

import type { Attr } from "../abi/attr.ts";
import type { Task } from "./task.ts";
import type { UserNamespace } from "./capability.ts";

/** idr_alloc_cyclic(&map_idr, map, 1, INT_MAX): ids count up from 1 and are not reused until they wrap. */
export class Idr<T> {
  /*
   * Live ids sit in a ring indexed by `id & mask` (ids are handed out in
   * order, so the live ones are usually a short run and do not collide);
   * an id whose slot is taken goes to `spill`. A Map keyed by ever-growing
   * ids paid a hash insert and a delete (with tombstones and rehashing)
   * per create, 10% of a MAP_CREATE + close.
   */
  private ring: (T | undefined)[] = new Array<T | undefined>(64).fill(undefined);
  /** The id in each ring slot, 0 for an empty slot (ids start at 1). */
  private ringIds = new Int32Array(64);
  private mask = 63;
  private readonly spill = new Map<number, T>();
  private count = 0;
  private next = 1;

  alloc(obj: T): number {
    const INT_MAX = 0x7fffffff;
    for (let tries = 0; tries < INT_MAX; tries++) {
      const id = this.next;
      this.next = this.next >= INT_MAX - 1 ? 1 : this.next + 1;
      if (this.find(id) === undefined) {
        this.insert(id, obj);
        return id;
      }
    }
    return -28; // -ENOSPC
  }

  /** The ring slot of `id`, or the spill map when another id holds it. */
  private place(id: number, obj: T): void {
    const i = id & this.mask;
    if (this.ringIds[i] === 0) {
      this.ringIds[i] = id;
      this.ring[i] = obj;
    } else {
      this.spill.set(id, obj);
    }
  }

  private insert(id: number, obj: T): void {
    this.place(id, obj);
    this.count++;
    // Keep the ring at least twice the live count and the spill small, so
    // find stays one slot compare and nextAfter's scan stays proportional.
    if (this.count * 2 > this.mask + 1 || this.spill.size * 8 > this.mask + 1) this.grow();
  }

  private grow(): void {
    const entries: [number, T][] = [];
    for (let i = 0; i <= this.mask; i++) if (this.ringIds[i] !== 0) entries.push([this.ringIds[i]!, this.ring[i]!]);
    for (const e of this.spill) entries.push(e);
    const cap = (this.mask + 1) * 2;
    this.ring = new Array<T | undefined>(cap).fill(undefined);
    this.ringIds = new Int32Array(cap);
    this.mask = cap - 1;
    this.spill.clear();
    for (const [id, obj] of entries) this.place(id, obj);
  }

  remove(id: number): void {
    const i = id & this.mask;
    if (id !== 0 && this.ringIds[i] === id) {
      this.ringIds[i] = 0;
      this.ring[i] = undefined;
      this.count--;
    } else if (this.spill.size !== 0 && this.spill.delete(id)) {
      this.count--;
    }
  }

  find(id: number): T | undefined {
    const i = id & this.mask;
    if (id !== 0 && this.ringIds[i] === id) return this.ring[i];
    return this.spill.size === 0 ? undefined : this.spill.get(id);
  }

  /** idr_get_next: the smallest id strictly above `start` (as bpf_obj_get_next_id asks for start_id + 1). */
  nextAfter(start: number): number | undefined {
    let best: number | undefined;
    for (let i = 0; i <= this.mask; i++) {
      const id = this.ringIds[i]!;
      if (id !== 0 && id > start && (best === undefined || id < best)) best = id;
    }
    for (const id of this.spill.keys()) if (id > start && (best === undefined || id < best)) best = id;
    return best;
  }

  get size(): number {
    return this.count;
  }

  /** Sets the id the next allocation starts from (to mirror a host whose counter is past 1). */
  setCursor(id: number): void {
    this.next = id;
  }
}

/**
 * struct bpf_map_ops: the per-type vtable. The element operations are filled
 * in by the map implementations (arraymap.ts, hashtab.ts, ...); a missing
 * operation means the kernel answers as it does for a NULL op.
 */
export interface BpfMapOps {
  readonly name: string;
  map_alloc_check?: (t: Task, attr: Attr) => number;
  map_alloc: (t: Task, attr: Attr) => BpfMap | number;
  map_free?: (map: BpfMap) => void;
  /** Called when the last user reference (fd, pin) goes: prog arrays clear themselves here. */
  map_release_uref?: (map: BpfMap) => void;
  map_mem_usage?: (map: BpfMap) => bigint;
  /** Present on types that accept a key/value BTF; absent means map_check_no_btf (-ENOTSUPP). */
  map_check_btf?: unknown;
  /** Further element operations are defined by the map implementations. */
  readonly [op: string]: unknown;
}

/** The name of a map whose map_name is empty (map_create_finish keeps it then); shared, so never written. */
const NO_NAME = new Uint8Array(16);

/** struct bpf_map: common state; map types extend it with their storage. */
export class BpfMap {
  readonly ops: BpfMapOps;
  map_type = 0;
  key_size = 0;
  value_size = 0;
  max_entries = 0;
  map_flags = 0;
  map_extra = 0n;
  numa_node = -1;
  name: Uint8Array = NO_NAME;
  id = 0;
  /** The idr the id came from, so that the last reference can return it (maps.ts). */
  idr: Idr<BpfMap> | null = null;
  /** Counts fds, pins, prog references and inner-map slots. */
  refcnt = 1;
  /** User references (fds and pins) only: prog arrays are cleared when it drops to zero. */
  usercnt = 1;
  frozen = false;
  /** Outstanding writable mmaps (map_freeze refuses with -EBUSY). */
  writecnt = 0;
  btf_key_type_id = 0;
  btf_value_type_id = 0;
  btf_vmlinux_value_type_id = 0;
  /** Inner map template for map-in-map types. */
  inner_map_meta: BpfMap | null = null;
  /** Set when the value BTF has a bpf_spin_lock. */
  hasSpinLock = false;
  /** Set when the value BTF has special fields (timer, kptr, ...). */
  hasSpecialFields = false;

  constructor(ops: BpfMapOps) {
    this.ops = ops;
  }

  /** bpf_map_init_from_attr */
  initFromAttr(attr: Attr): void {
    const o = createOffs(attr);
    this.map_type = attr.u32At(o.map_type);
    this.key_size = attr.u32At(o.key_size);
    this.value_size = attr.u32At(o.value_size);
    this.max_entries = attr.u32At(o.max_entries);
    this.map_flags = attr.u32At(o.map_flags);
    this.numa_node = -1;
    this.map_extra = attr.u64At(o.map_extra);
  }
}

/**
 * Byte offsets of union bpf_attr's MAP_CREATE fields in one layout (-1: the
 * ABI has no such field, which reads as 0), resolved once per layout and
 * kept in its CmdFields.createMemo. map_create, the map types' alloc_check/alloc
 * and map_create_finish read ~25 fields per create; by name each was a
 * sequence-cache compare plus a call.
 */
export class CreateOffs {
  readonly map_type: number;
  readonly key_size: number;
  readonly value_size: number;
  readonly max_entries: number;
  readonly map_flags: number;
  readonly inner_map_fd: number;
  readonly numa_node: number;
  readonly map_name: number;
  readonly map_name_size: number;
  readonly map_ifindex: number;
  readonly btf_fd: number;
  readonly btf_key_type_id: number;
  readonly btf_value_type_id: number;
  readonly btf_vmlinux_value_type_id: number;
  readonly map_extra: number;
  readonly value_type_btf_obj_fd: number;
  readonly map_token_fd: number;
  readonly excl_prog_hash: number;
  readonly excl_prog_hash_size: number;

  constructor(attr: Attr) {
    const f = attr.fields;
    const at = (name: string): number => f.get(name)?.offset ?? -1;
    this.map_type = at("map_type");
    this.key_size = at("key_size");
    this.value_size = at("value_size");
    this.max_entries = at("max_entries");
    this.map_flags = at("map_flags");
    this.inner_map_fd = at("inner_map_fd");
    this.numa_node = at("numa_node");
    this.map_name = at("map_name");
    this.map_name_size = f.get("map_name")?.size ?? 0;
    this.map_ifindex = at("map_ifindex");
    this.btf_fd = at("btf_fd");
    this.btf_key_type_id = at("btf_key_type_id");
    this.btf_value_type_id = at("btf_value_type_id");
    this.btf_vmlinux_value_type_id = at("btf_vmlinux_value_type_id");
    this.map_extra = at("map_extra");
    this.value_type_btf_obj_fd = at("value_type_btf_obj_fd");
    this.map_token_fd = at("map_token_fd");
    this.excl_prog_hash = at("excl_prog_hash");
    this.excl_prog_hash_size = at("excl_prog_hash_size");
  }
}

/** The MAP_CREATE offsets of attr's layout (memoized only on a MAP_CREATE layout: other commands' memo slots belong to others). */
export function createOffs(attr: Attr): CreateOffs {
  const m = attr.fields.createMemo;
  if (m !== null) return m as CreateOffs;
  return makeCreateOffs(attr);
}

function makeCreateOffs(attr: Attr): CreateOffs {
  const o = new CreateOffs(attr);
  if (attr.fields.layout.name === "MAP_CREATE") attr.fields.createMemo = o;
  return o;
}

export interface BpfProgLike {
  readonly kind: "prog";
  type: number;
  expected_attach_type: number;
  id: number;
  refcnt: number;
}

/** struct bpf_token (kernel/bpf/token.c). */
export interface BpfToken {
  readonly kind: "token";
  /** The user namespace the token's capabilities are checked in (upstream); null in the v1 ABI. */
  userns: UserNamespace | null;
  allowed_cmds: bigint;
  allowed_maps: bigint;
  allowed_progs: bigint;
  allowed_attachs: bigint;
  refcnt: number;
}
