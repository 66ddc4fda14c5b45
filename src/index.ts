// SPDX-License-Identifier: GPL-2.0-only
// bpfemu: a binary-exact emulator of the Linux bpf() system call.

export { Kernel, type KernelOptions, type SpawnOptions, type BpffsDelegation } from "./kernel/kernel.ts";
import "./kernel/spawn_userns.ts";
export { bpf_token_show_fdinfo } from "./kernel/token.ts";
export { FSCONFIG, MOVE_MOUNT_F_EMPTY_PATH, FSPICK_EMPTY_PATH } from "./kernel/namespaces.ts";
export { Task, type LastError } from "./kernel/task.ts";
export { AddressSpace, ATTR_END, PAGE_SIZE } from "./abi/uaccess.ts";
export { sys_bpf, sys_bpf_at } from "./abi/sys_bpf.ts";
export * as errno from "./abi/errno.ts";
export { errnoName, errnoFromName } from "./abi/errno.ts";
export { CAP, capName } from "./kernel/capability.ts";
export type { UapiTables, CmdLayout, StructLayout, FieldDesc, FieldKind, EnumDesc } from "./uapi/layout.ts";
export { tablesFor, knownAbis, type AbiName } from "./uapi/profiles.ts";
export { linux_6_18 } from "./uapi/gen/linux-6.18.ts";
export { BPF_CMD, BPF_MAP_TYPE, BPF_PROG_TYPE, BPF_ATTACH_TYPE, BPF_LINK_TYPE } from "./uapi/gen/consts-6.18.ts";
export { BPF_F } from "./uapi/defines.ts";
