// SPDX-License-Identifier: GPL-2.0-only
// Capabilities (include/uapi/linux/capability.h) and the user-namespace walk
// of security/commoncap.c:cap_capable().

export const CAP = {
  CHOWN: 0,
  DAC_OVERRIDE: 1,
  DAC_READ_SEARCH: 2,
  FOWNER: 3,
  FSETID: 4,
  KILL: 5,
  SETGID: 6,
  SETUID: 7,
  SETPCAP: 8,
  LINUX_IMMUTABLE: 9,
  NET_BIND_SERVICE: 10,
  NET_BROADCAST: 11,
  NET_ADMIN: 12,
  NET_RAW: 13,
  IPC_LOCK: 14,
  IPC_OWNER: 15,
  SYS_MODULE: 16,
  SYS_RAWIO: 17,
  SYS_CHROOT: 18,
  SYS_PTRACE: 19,
  SYS_PACCT: 20,
  SYS_ADMIN: 21,
  SYS_BOOT: 22,
  SYS_NICE: 23,
  SYS_RESOURCE: 24,
  SYS_TIME: 25,
  SYS_TTY_CONFIG: 26,
  MKNOD: 27,
  LEASE: 28,
  AUDIT_WRITE: 29,
  AUDIT_CONTROL: 30,
  SETFCAP: 31,
  MAC_OVERRIDE: 32,
  MAC_ADMIN: 33,
  SYSLOG: 34,
  WAKE_ALARM: 35,
  BLOCK_SUSPEND: 36,
  AUDIT_READ: 37,
  PERFMON: 38,
  BPF: 39,
  CHECKPOINT_RESTORE: 40,
} as const;
export type CapName = keyof typeof CAP;
export const CAP_LAST_CAP = 40;
export const CAP_FULL_SET = (1n << BigInt(CAP_LAST_CAP + 1)) - 1n;

/** Accepts "CAP_BPF", "bpf", "BPF" or a number; undefined for unknown names. */
export function capFromName(c: string | number): number | undefined {
  if (typeof c === "number") return Number.isInteger(c) && c >= 0 && c <= CAP_LAST_CAP ? c : undefined;
  const k = c.toUpperCase().replace(/^CAP_/, "");
  return (CAP as Record<string, number>)[k];
}

export function capName(c: number): string {
  for (const [k, v] of Object.entries(CAP)) if (v === c) return `CAP_${k}`;
  return `CAP_${c}`;
}

export function capMask(caps: readonly (string | number)[]): bigint {
  let m = 0n;
  for (const c of caps) {
    const n = capFromName(c);
    if (n === undefined) throw new RangeError(`unknown capability ${String(c)}`);
    m |= 1n << BigInt(n);
  }
  return m;
}

export class UserNamespace {
  readonly parent: UserNamespace | null;
  /** euid of the creator, in the parent namespace's terms (kuid). */
  readonly owner: number;
  readonly level: number;
  readonly id: number;

  constructor(parent: UserNamespace | null, owner: number, id: number) {
    this.parent = parent;
    this.owner = owner;
    this.level = parent ? parent.level + 1 : 0;
    this.id = id;
  }
}

export interface Cred {
  uid: number;
  gid: number;
  euid: number;
  /** Effective capability set, as a bitmask over CAP values, valid in userNs. */
  capEffective: bigint;
  userNs: UserNamespace;
}

/**
 * cap_capable(): does `cred` have `cap` in `targetNs`? True when the cred's
 * own namespace is the target and the cap is effective; or when the cred's
 * namespace is an ancestor and the cred owns the child namespace on the path
 * (the owner of a user namespace has every capability in it).
 */
/**
 * Bit `cap` of a capability set. `set & (1n << BigInt(cap))` makes three
 * BigInts per check, and every MAP_CREATE, PROG_LOAD and token call checks
 * several capabilities: the set's two low words are kept for the last set
 * seen (a task's set rarely changes), so a check is a shift on a number.
 */
const capMemo = { set: -1n, lo: 0, hi: 0 };
function capBit(set: bigint, cap: number): boolean {
  if (cap >= 64) return (set & (1n << BigInt(cap))) !== 0n;
  if (set !== capMemo.set) {
    capMemo.set = set;
    capMemo.lo = Number(set & 0xffffffffn);
    capMemo.hi = Number((set >> 32n) & 0xffffffffn);
  }
  return (cap < 32 ? (capMemo.lo >>> cap) & 1 : (capMemo.hi >>> (cap - 32)) & 1) !== 0;
}

export function capCapable(cred: Cred, targetNs: UserNamespace, cap: number): boolean {
  let ns: UserNamespace | null = targetNs;
  for (;;) {
    if (ns === null) return false;
    if (ns === cred.userNs) return capBit(cred.capEffective, cap);
    // A target shallower than the cred's own namespace can never be reached.
    if (ns.level <= cred.userNs.level) return false;
    if (ns.parent === cred.userNs && ns.owner === cred.euid) return true;
    ns = ns.parent;
  }
}
