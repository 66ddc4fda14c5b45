// SPDX-License-Identifier: GPL-2.0-only
// Linux errno values as the x86-64 kernel returns them. Never the host's
// os.constants: bpfemu answers as Linux does on any host.

export const EPERM = 1;
export const ENOENT = 2;
export const ESRCH = 3;
export const EINTR = 4;
export const EIO = 5;
export const ENXIO = 6;
export const E2BIG = 7;
export const EBADF = 9;
export const EAGAIN = 11;
export const ENOMEM = 12;
export const EACCES = 13;
export const EFAULT = 14;
export const EBUSY = 16;
export const EEXIST = 17;
export const EXDEV = 18;
export const ENODEV = 19;
export const ENOTDIR = 20;
export const EISDIR = 21;
export const EINVAL = 22;
export const ENFILE = 23;
export const EMFILE = 24;
export const ENOTTY = 25;
export const ENOSPC = 28;
export const ESPIPE = 29;
export const EROFS = 30;
export const EMLINK = 31;
export const ERANGE = 34;
export const ENAMETOOLONG = 36;
export const ENOSYS = 38;
export const ENOTEMPTY = 39;
export const ELOOP = 40;
export const ENODATA = 61;
export const EPROTO = 71;
export const EOVERFLOW = 75;
export const EBADFD = 77;
export const EOPNOTSUPP = 95;
export const ENOTSUPP = 524; // kernel-internal, but it leaks to userspace from bpf()

const NAMES: Readonly<Record<number, string>> = {
  [EPERM]: "EPERM",
  [ENOENT]: "ENOENT",
  [ESRCH]: "ESRCH",
  [EINTR]: "EINTR",
  [EIO]: "EIO",
  [ENXIO]: "ENXIO",
  [E2BIG]: "E2BIG",
  [EBADF]: "EBADF",
  [EAGAIN]: "EAGAIN",
  [ENOMEM]: "ENOMEM",
  [EACCES]: "EACCES",
  [EFAULT]: "EFAULT",
  [EBUSY]: "EBUSY",
  [EEXIST]: "EEXIST",
  [EXDEV]: "EXDEV",
  [ENODEV]: "ENODEV",
  [ENOTDIR]: "ENOTDIR",
  [EISDIR]: "EISDIR",
  [EINVAL]: "EINVAL",
  [ENFILE]: "ENFILE",
  [EMFILE]: "EMFILE",
  [ENOTTY]: "ENOTTY",
  [ENOSPC]: "ENOSPC",
  [ESPIPE]: "ESPIPE",
  [EROFS]: "EROFS",
  [EMLINK]: "EMLINK",
  [ERANGE]: "ERANGE",
  [ENAMETOOLONG]: "ENAMETOOLONG",
  [ENOSYS]: "ENOSYS",
  [ENOTEMPTY]: "ENOTEMPTY",
  [ELOOP]: "ELOOP",
  [ENODATA]: "ENODATA",
  [EPROTO]: "EPROTO",
  [EOVERFLOW]: "EOVERFLOW",
  [EBADFD]: "EBADFD",
  [EOPNOTSUPP]: "EOPNOTSUPP",
  [ENOTSUPP]: "ENOTSUPP",
};

/** "EINVAL" for 22 (or -22); "E<n>" for numbers we have no name for. */
export function errnoName(e: number): string {
  const n = e < 0 ? -e : e;
  // A dense array lookup: NAMES has keys up to 524, so its elements are a dictionary, and a failing call asks for its name.
  const s = n < NAME_BY_NUM.length ? NAME_BY_NUM[n] : undefined;
  return s ?? NAMES[n] ?? `E${n}`;
}

/** NAMES as a dense array (holes are undefined). */
const NAME_BY_NUM: (string | undefined)[] = (() => {
  let max = 0;
  for (const k of Object.keys(NAMES)) max = Math.max(max, Number(k));
  const a = new Array<string | undefined>(max + 1).fill(undefined);
  for (const [k, v] of Object.entries(NAMES)) a[Number(k)] = v;
  return a;
})();

/** Parses "EINVAL", "-EINVAL" or a number into an errno value (positive), or undefined. */
export function errnoFromName(s: string): number | undefined {
  const t = s.replace(/^-/, "").toUpperCase();
  if (/^\d+$/.test(t)) return Number(t);
  for (const [k, v] of Object.entries(NAMES)) if (v === t) return Number(k);
  return undefined;
}

/**
 * What a caught value says, for an "internal error" reason. Never throws:
 * an untyped caller can make the entry's own checks throw anything (a Proxy
 * attr whose traps throw an object without a prototype, or one whose
 * toString throws), and describing it must not become the exception that
 * sys_bpf promises never to let out.
 */
export function describeThrown(e: unknown): string {
  try {
    return e instanceof Error ? String(e.message) : String(e);
  } catch {
    return "a thrown value that cannot be printed";
  }
}
