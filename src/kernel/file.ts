// SPDX-License-Identifier: GPL-2.0-only
// struct file and its f_op. As in the kernel, a file's kind is the identity of
// its f_op table (bpf_map_fops, bpf_prog_fops, ...), never a tag field, so a
// lookup such as __bpf_map_get() compares f_op pointers.

export const FMODE_READ = 0x1;
export const FMODE_WRITE = 0x2;

export const O_RDONLY = 0o0;
export const O_WRONLY = 0o1;
export const O_RDWR = 0o2;
export const O_ACCMODE = 0o3;
export const O_CREAT = 0o100;
export const O_EXCL = 0o200;
export const O_DIRECTORY = 0o200000;
export const O_PATH = 0o10000000;
export const O_CLOEXEC = 0o2000000;

export interface FileOperations {
  /** Name for diagnostics: "bpf_map_fops", "bpf-token", "/dev/null". */
  readonly name: string;
  /** Called when the last reference to the file goes away (fput -> release). */
  readonly release?: (file: File) => void;
}

export class File {
  readonly f_op: FileOperations;
  /** The object behind the file: a BpfMap for bpf_map_fops, a BpfToken for bpf_token_fops, an inode path for bpffs files. */
  readonly private_data: unknown;
  f_mode: number;
  f_flags: number;
  /** Open file descriptions are shared by dup'ed and passed fds. */
  private refs = 1;

  constructor(f_op: FileOperations, private_data: unknown, f_flags: number) {
    this.f_op = f_op;
    this.private_data = private_data;
    this.f_flags = f_flags;
    const acc = f_flags & O_ACCMODE;
    this.f_mode = acc === O_RDONLY ? FMODE_READ : acc === O_WRONLY ? FMODE_WRITE : FMODE_READ | FMODE_WRITE;
    if (f_flags & O_PATH) this.f_mode = 0;
  }

  get(): File {
    this.refs++;
    return this;
  }

  /** fput(): drops one reference, releasing the object with the last one. */
  put(): void {
    if (--this.refs === 0) this.f_op.release?.(this);
  }
}

/** An ordinary non-BPF file, like /dev/null on fds 0-2. */
export const null_fops: FileOperations = { name: "/dev/null" };

/**
 * A task's file descriptor table: the lowest free fd is allocated, as
 * get_unused_fd_flags() does. RLIMIT_NOFILE is 1024 by default.
 */
export class FdTable {
  private readonly fds: (File | undefined)[] = [];
  /** No fd below this one is free (files->next_fd): install starts its search here, close lowers it. */
  private nextFd = 0;
  rlimitNofile = 1024;

  /** fd_install at the lowest free slot; -EMFILE (24) when none is left. */
  install(file: File): number {
    for (let fd = this.nextFd; fd < this.rlimitNofile; fd++) {
      if (this.fds[fd] === undefined) {
        this.fds[fd] = file;
        this.nextFd = fd + 1;
        return fd;
      }
    }
    return -24;
  }

  /**
   * fdget(): the file at fd, or undefined. O_PATH files are invisible to it,
   * as to the kernel's fdget(), so bpf() treats them as closed fds. fds are
   * u32 in the ABI; anything out of range is simply not open.
   */
  get(fd: number): File | undefined {
    const f = this.getRaw(fd);
    return f === undefined || f.f_flags & O_PATH ? undefined : f;
  }

  /**
   * The file at `fd`, O_PATH ones included, for a caller that already knows
   * fd is an integer >= 0 (the fast path's fd is a u32 read from the attr):
   * getRaw() without the integer test, small enough to be inlined.
   */
  peek(fd: number): File | undefined {
    return fd < this.fds.length ? this.fds[fd] : undefined;
  }

  /** fdget_raw(): any open file, O_PATH ones included (dirfds, close, fd passing). */
  getRaw(fd: number): File | undefined {
    if (!Number.isInteger(fd) || fd < 0 || fd >= this.fds.length) return undefined;
    return this.fds[fd];
  }

  /** close(2): -EBADF (9) when not open. */
  close(fd: number): number {
    const f = this.getRaw(fd);
    if (f === undefined) return -9;
    this.fds[fd] = undefined;
    if (fd < this.nextFd) this.nextFd = fd;
    f.put();
    return 0;
  }

  /** close_range(first, ~0U, 0): closes every open fd from `first` up. */
  closeRange(first: number): number {
    const fds = this.fds;
    for (let fd = Math.max(0, first); fd < fds.length; fd++) if (fds[fd] !== undefined) this.close(fd);
    return 0;
  }

  /** Open fds in ascending order. */
  list(): number[] {
    const out: number[] = [];
    const fds = this.fds;
    for (let i = 0; i < fds.length; i++) if (fds[i] !== undefined) out.push(i);
    return out;
  }
}
