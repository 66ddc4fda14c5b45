// SPDX-License-Identifier: GPL-2.0-only
// @generated from bpf-next uapi bpf.h blob 9273c654743c (libbpf bfb045424461) + BPF token v1 UAPI (2023-06-02) by scripts/gen-rfc-v1.ts -- DO NOT EDIT
// The "rfc-v1" ABI profile: bpf-next's uapi at the base of the original BPF
// token series (June 2023) plus that series' UAPI. See docs/abi-rfc-v1.md.

import type { CmdLayout, EnumDesc, FieldDesc, StructLayout, UapiTables } from "../layout.ts";

// ---- union bpf_attr arms (offsets from the start of the union) ----

/** bpf_attr anonymous struct, 80 bytes */
const attr_map_create: readonly FieldDesc[] = [
  { name: "map_type", offset: 0, size: 4, type: "__u32", kind: "u32" },
  { name: "key_size", offset: 4, size: 4, type: "__u32", kind: "u32" },
  { name: "value_size", offset: 8, size: 4, type: "__u32", kind: "u32" },
  { name: "max_entries", offset: 12, size: 4, type: "__u32", kind: "u32" },
  { name: "map_flags", offset: 16, size: 4, type: "__u32", kind: "u32" },
  { name: "inner_map_fd", offset: 20, size: 4, type: "__u32", kind: "u32" },
  { name: "numa_node", offset: 24, size: 4, type: "__u32", kind: "u32" },
  { name: "map_name", offset: 28, size: 16, type: "char[16]", kind: "bytes" },
  { name: "map_ifindex", offset: 44, size: 4, type: "__u32", kind: "u32" },
  { name: "btf_fd", offset: 48, size: 4, type: "__u32", kind: "u32" },
  { name: "btf_key_type_id", offset: 52, size: 4, type: "__u32", kind: "u32" },
  { name: "btf_value_type_id", offset: 56, size: 4, type: "__u32", kind: "u32" },
  { name: "btf_vmlinux_value_type_id", offset: 60, size: 4, type: "__u32", kind: "u32" },
  { name: "map_extra", offset: 64, size: 8, type: "__u64", kind: "u64" },
  { name: "map_token_fd", offset: 72, size: 4, type: "__u32", kind: "u32" },
];

/** bpf_attr anonymous struct, 32 bytes */
const attr_elem: readonly FieldDesc[] = [
  { name: "map_fd", offset: 0, size: 4, type: "__u32", kind: "u32" },
  { name: "key", offset: 8, size: 8, type: "__u64", kind: "uptr" },
  { name: "value", offset: 16, size: 8, type: "__u64", kind: "uptr" },
  { name: "next_key", offset: 16, size: 8, type: "__u64", kind: "uptr" },
  { name: "flags", offset: 24, size: 8, type: "__u64", kind: "u64" },
];

/** bpf_attr member batch, 56 bytes */
const attr_batch: readonly FieldDesc[] = [
  { name: "batch.in_batch", offset: 0, size: 8, type: "__u64", kind: "uptr" },
  { name: "batch.out_batch", offset: 8, size: 8, type: "__u64", kind: "uptr" },
  { name: "batch.keys", offset: 16, size: 8, type: "__u64", kind: "uptr" },
  { name: "batch.values", offset: 24, size: 8, type: "__u64", kind: "uptr" },
  { name: "batch.count", offset: 32, size: 4, type: "__u32", kind: "u32" },
  { name: "batch.map_fd", offset: 36, size: 4, type: "__u32", kind: "u32" },
  { name: "batch.elem_flags", offset: 40, size: 8, type: "__u64", kind: "u64" },
  { name: "batch.flags", offset: 48, size: 8, type: "__u64", kind: "u64" },
];

/** bpf_attr anonymous struct, 152 bytes */
const attr_prog_load: readonly FieldDesc[] = [
  { name: "prog_type", offset: 0, size: 4, type: "__u32", kind: "u32" },
  { name: "insn_cnt", offset: 4, size: 4, type: "__u32", kind: "u32" },
  { name: "insns", offset: 8, size: 8, type: "__u64", kind: "uptr" },
  { name: "license", offset: 16, size: 8, type: "__u64", kind: "uptr" },
  { name: "log_level", offset: 24, size: 4, type: "__u32", kind: "u32" },
  { name: "log_size", offset: 28, size: 4, type: "__u32", kind: "u32" },
  { name: "log_buf", offset: 32, size: 8, type: "__u64", kind: "uptr" },
  { name: "kern_version", offset: 40, size: 4, type: "__u32", kind: "u32" },
  { name: "prog_flags", offset: 44, size: 4, type: "__u32", kind: "u32" },
  { name: "prog_name", offset: 48, size: 16, type: "char[16]", kind: "bytes" },
  { name: "prog_ifindex", offset: 64, size: 4, type: "__u32", kind: "u32" },
  { name: "expected_attach_type", offset: 68, size: 4, type: "__u32", kind: "u32" },
  { name: "prog_btf_fd", offset: 72, size: 4, type: "__u32", kind: "u32" },
  { name: "func_info_rec_size", offset: 76, size: 4, type: "__u32", kind: "u32" },
  { name: "func_info", offset: 80, size: 8, type: "__u64", kind: "uptr" },
  { name: "func_info_cnt", offset: 88, size: 4, type: "__u32", kind: "u32" },
  { name: "line_info_rec_size", offset: 92, size: 4, type: "__u32", kind: "u32" },
  { name: "line_info", offset: 96, size: 8, type: "__u64", kind: "uptr" },
  { name: "line_info_cnt", offset: 104, size: 4, type: "__u32", kind: "u32" },
  { name: "attach_btf_id", offset: 108, size: 4, type: "__u32", kind: "u32" },
  { name: "attach_prog_fd", offset: 112, size: 4, type: "__u32", kind: "u32" },
  { name: "attach_btf_obj_fd", offset: 112, size: 4, type: "__u32", kind: "u32" },
  { name: "core_relo_cnt", offset: 116, size: 4, type: "__u32", kind: "u32" },
  { name: "fd_array", offset: 120, size: 8, type: "__u64", kind: "uptr" },
  { name: "core_relos", offset: 128, size: 8, type: "__u64", kind: "uptr" },
  { name: "core_relo_rec_size", offset: 136, size: 4, type: "__u32", kind: "u32" },
  { name: "log_true_size", offset: 140, size: 4, type: "__u32", kind: "u32" },
  { name: "prog_token_fd", offset: 144, size: 4, type: "__u32", kind: "u32" },
];

/** bpf_attr anonymous struct, 24 bytes */
const attr_obj: readonly FieldDesc[] = [
  { name: "pathname", offset: 0, size: 8, type: "__u64", kind: "uptr" },
  { name: "bpf_fd", offset: 8, size: 4, type: "__u32", kind: "u32" },
  { name: "file_flags", offset: 12, size: 4, type: "__u32", kind: "u32" },
  { name: "path_fd", offset: 16, size: 4, type: "__s32", kind: "s32" },
];

/** bpf_attr anonymous struct, 20 bytes */
const attr_attach: readonly FieldDesc[] = [
  { name: "target_fd", offset: 0, size: 4, type: "__u32", kind: "u32" },
  { name: "attach_bpf_fd", offset: 4, size: 4, type: "__u32", kind: "u32" },
  { name: "attach_type", offset: 8, size: 4, type: "__u32", kind: "u32" },
  { name: "attach_flags", offset: 12, size: 4, type: "__u32", kind: "u32" },
  { name: "replace_bpf_fd", offset: 16, size: 4, type: "__u32", kind: "u32" },
];

/** bpf_attr member test, 80 bytes */
const attr_test: readonly FieldDesc[] = [
  { name: "test.prog_fd", offset: 0, size: 4, type: "__u32", kind: "u32" },
  { name: "test.retval", offset: 4, size: 4, type: "__u32", kind: "u32" },
  { name: "test.data_size_in", offset: 8, size: 4, type: "__u32", kind: "u32" },
  { name: "test.data_size_out", offset: 12, size: 4, type: "__u32", kind: "u32" },
  { name: "test.data_in", offset: 16, size: 8, type: "__u64", kind: "uptr" },
  { name: "test.data_out", offset: 24, size: 8, type: "__u64", kind: "uptr" },
  { name: "test.repeat", offset: 32, size: 4, type: "__u32", kind: "u32" },
  { name: "test.duration", offset: 36, size: 4, type: "__u32", kind: "u32" },
  { name: "test.ctx_size_in", offset: 40, size: 4, type: "__u32", kind: "u32" },
  { name: "test.ctx_size_out", offset: 44, size: 4, type: "__u32", kind: "u32" },
  { name: "test.ctx_in", offset: 48, size: 8, type: "__u64", kind: "uptr" },
  { name: "test.ctx_out", offset: 56, size: 8, type: "__u64", kind: "uptr" },
  { name: "test.flags", offset: 64, size: 4, type: "__u32", kind: "u32" },
  { name: "test.cpu", offset: 68, size: 4, type: "__u32", kind: "u32" },
  { name: "test.batch_size", offset: 72, size: 4, type: "__u32", kind: "u32" },
];

/** bpf_attr anonymous struct, 12 bytes */
const attr_get_id: readonly FieldDesc[] = [
  { name: "start_id", offset: 0, size: 4, type: "__u32", kind: "u32" },
  { name: "prog_id", offset: 0, size: 4, type: "__u32", kind: "u32" },
  { name: "map_id", offset: 0, size: 4, type: "__u32", kind: "u32" },
  { name: "btf_id", offset: 0, size: 4, type: "__u32", kind: "u32" },
  { name: "link_id", offset: 0, size: 4, type: "__u32", kind: "u32" },
  { name: "next_id", offset: 4, size: 4, type: "__u32", kind: "u32" },
  { name: "open_flags", offset: 8, size: 4, type: "__u32", kind: "u32" },
];

/** bpf_attr member info, 16 bytes */
const attr_info: readonly FieldDesc[] = [
  { name: "info.bpf_fd", offset: 0, size: 4, type: "__u32", kind: "u32" },
  { name: "info.info_len", offset: 4, size: 4, type: "__u32", kind: "u32" },
  { name: "info.info", offset: 8, size: 8, type: "__u64", kind: "uptr" },
];

/** bpf_attr member query, 40 bytes */
const attr_query: readonly FieldDesc[] = [
  { name: "query.target_fd", offset: 0, size: 4, type: "__u32", kind: "u32" },
  { name: "query.attach_type", offset: 4, size: 4, type: "__u32", kind: "u32" },
  { name: "query.query_flags", offset: 8, size: 4, type: "__u32", kind: "u32" },
  { name: "query.attach_flags", offset: 12, size: 4, type: "__u32", kind: "u32" },
  { name: "query.prog_ids", offset: 16, size: 8, type: "__u64", kind: "uptr" },
  { name: "query.prog_cnt", offset: 24, size: 4, type: "__u32", kind: "u32" },
  { name: "query.prog_attach_flags", offset: 32, size: 8, type: "__u64", kind: "uptr" },
];

/** bpf_attr member raw_tracepoint, 16 bytes */
const attr_raw_tracepoint: readonly FieldDesc[] = [
  { name: "raw_tracepoint.name", offset: 0, size: 8, type: "__u64", kind: "uptr" },
  { name: "raw_tracepoint.prog_fd", offset: 8, size: 4, type: "__u32", kind: "u32" },
];

/** bpf_attr anonymous struct, 40 bytes */
const attr_btf_load: readonly FieldDesc[] = [
  { name: "btf", offset: 0, size: 8, type: "__u64", kind: "uptr" },
  { name: "btf_log_buf", offset: 8, size: 8, type: "__u64", kind: "uptr" },
  { name: "btf_size", offset: 16, size: 4, type: "__u32", kind: "u32" },
  { name: "btf_log_size", offset: 20, size: 4, type: "__u32", kind: "u32" },
  { name: "btf_log_level", offset: 24, size: 4, type: "__u32", kind: "u32" },
  { name: "btf_log_true_size", offset: 28, size: 4, type: "__u32", kind: "u32" },
  { name: "btf_token_fd", offset: 32, size: 4, type: "__u32", kind: "u32" },
];

/** bpf_attr member task_fd_query, 48 bytes */
const attr_task_fd_query: readonly FieldDesc[] = [
  { name: "task_fd_query.pid", offset: 0, size: 4, type: "__u32", kind: "u32" },
  { name: "task_fd_query.fd", offset: 4, size: 4, type: "__u32", kind: "u32" },
  { name: "task_fd_query.flags", offset: 8, size: 4, type: "__u32", kind: "u32" },
  { name: "task_fd_query.buf_len", offset: 12, size: 4, type: "__u32", kind: "u32" },
  { name: "task_fd_query.buf", offset: 16, size: 8, type: "__u64", kind: "uptr" },
  { name: "task_fd_query.prog_id", offset: 24, size: 4, type: "__u32", kind: "u32" },
  { name: "task_fd_query.fd_type", offset: 28, size: 4, type: "__u32", kind: "u32" },
  { name: "task_fd_query.probe_offset", offset: 32, size: 8, type: "__u64", kind: "u64" },
  { name: "task_fd_query.probe_addr", offset: 40, size: 8, type: "__u64", kind: "u64" },
];

/** bpf_attr member link_create, 48 bytes */
const attr_link_create: readonly FieldDesc[] = [
  { name: "link_create.prog_fd", offset: 0, size: 4, type: "__u32", kind: "u32" },
  { name: "link_create.map_fd", offset: 0, size: 4, type: "__u32", kind: "u32" },
  { name: "link_create.target_fd", offset: 4, size: 4, type: "__u32", kind: "u32" },
  { name: "link_create.target_ifindex", offset: 4, size: 4, type: "__u32", kind: "u32" },
  { name: "link_create.attach_type", offset: 8, size: 4, type: "__u32", kind: "u32" },
  { name: "link_create.flags", offset: 12, size: 4, type: "__u32", kind: "u32" },
  { name: "link_create.target_btf_id", offset: 16, size: 4, type: "__u32", kind: "u32" },
  { name: "link_create.iter_info", offset: 16, size: 8, type: "__u64", kind: "uptr" },
  { name: "link_create.perf_event.bpf_cookie", offset: 16, size: 8, type: "__u64", kind: "u64" },
  { name: "link_create.kprobe_multi.flags", offset: 16, size: 4, type: "__u32", kind: "u32" },
  { name: "link_create.tracing.target_btf_id", offset: 16, size: 4, type: "__u32", kind: "u32" },
  { name: "link_create.netfilter.pf", offset: 16, size: 4, type: "__u32", kind: "u32" },
  { name: "link_create.kprobe_multi.cnt", offset: 20, size: 4, type: "__u32", kind: "u32" },
  { name: "link_create.netfilter.hooknum", offset: 20, size: 4, type: "__u32", kind: "u32" },
  { name: "link_create.iter_info_len", offset: 24, size: 4, type: "__u32", kind: "u32" },
  { name: "link_create.kprobe_multi.syms", offset: 24, size: 8, type: "__u64", kind: "uptr" },
  { name: "link_create.tracing.cookie", offset: 24, size: 8, type: "__u64", kind: "u64" },
  { name: "link_create.netfilter.priority", offset: 24, size: 4, type: "__s32", kind: "s32" },
  { name: "link_create.netfilter.flags", offset: 28, size: 4, type: "__u32", kind: "u32" },
  { name: "link_create.kprobe_multi.addrs", offset: 32, size: 8, type: "__u64", kind: "uptr" },
  { name: "link_create.kprobe_multi.cookies", offset: 40, size: 8, type: "__u64", kind: "uptr" },
];

/** bpf_attr member link_update, 16 bytes */
const attr_link_update: readonly FieldDesc[] = [
  { name: "link_update.link_fd", offset: 0, size: 4, type: "__u32", kind: "u32" },
  { name: "link_update.new_prog_fd", offset: 4, size: 4, type: "__u32", kind: "u32" },
  { name: "link_update.new_map_fd", offset: 4, size: 4, type: "__u32", kind: "u32" },
  { name: "link_update.flags", offset: 8, size: 4, type: "__u32", kind: "u32" },
  { name: "link_update.old_prog_fd", offset: 12, size: 4, type: "__u32", kind: "u32" },
  { name: "link_update.old_map_fd", offset: 12, size: 4, type: "__u32", kind: "u32" },
];

/** bpf_attr member link_detach, 4 bytes */
const attr_link_detach: readonly FieldDesc[] = [
  { name: "link_detach.link_fd", offset: 0, size: 4, type: "__u32", kind: "u32" },
];

/** bpf_attr member enable_stats, 4 bytes */
const attr_enable_stats: readonly FieldDesc[] = [
  { name: "enable_stats.type", offset: 0, size: 4, type: "__u32", kind: "u32" },
];

/** bpf_attr member iter_create, 8 bytes */
const attr_iter_create: readonly FieldDesc[] = [
  { name: "iter_create.link_fd", offset: 0, size: 4, type: "__u32", kind: "u32" },
  { name: "iter_create.flags", offset: 4, size: 4, type: "__u32", kind: "u32" },
];

/** bpf_attr member prog_bind_map, 12 bytes */
const attr_prog_bind_map: readonly FieldDesc[] = [
  { name: "prog_bind_map.prog_fd", offset: 0, size: 4, type: "__u32", kind: "u32" },
  { name: "prog_bind_map.map_fd", offset: 4, size: 4, type: "__u32", kind: "u32" },
  { name: "prog_bind_map.flags", offset: 8, size: 4, type: "__u32", kind: "u32" },
];

/** bpf_attr member token_create, 40 bytes */
const attr_token_create: readonly FieldDesc[] = [
  { name: "token_create.flags", offset: 0, size: 4, type: "__u32", kind: "u32" },
  { name: "token_create.token_fd", offset: 4, size: 4, type: "__u32", kind: "u32" },
  { name: "token_create.allowed_cmds", offset: 8, size: 8, type: "__u64", kind: "u64" },
  { name: "token_create.allowed_map_types", offset: 16, size: 8, type: "__u64", kind: "u64" },
  { name: "token_create.allowed_prog_types", offset: 24, size: 8, type: "__u64", kind: "u64" },
  { name: "token_create.allowed_attach_types", offset: 32, size: 8, type: "__u64", kind: "u64" },
];

// ---- commands: end = offsetofend(union bpf_attr, LAST_FIELD) ----

const commands: readonly CmdLayout[] = [
  { cmd: 0, name: "MAP_CREATE", lastField: "map_token_fd", end: 76, fields: attr_map_create },
  { cmd: 1, name: "MAP_LOOKUP_ELEM", lastField: "flags", end: 32, fields: attr_elem },
  { cmd: 2, name: "MAP_UPDATE_ELEM", lastField: "flags", end: 32, fields: attr_elem },
  { cmd: 3, name: "MAP_DELETE_ELEM", lastField: "key", end: 16, fields: attr_elem },
  { cmd: 4, name: "MAP_GET_NEXT_KEY", lastField: "next_key", end: 24, fields: attr_elem },
  { cmd: 5, name: "PROG_LOAD", lastField: "prog_token_fd", end: 148, fields: attr_prog_load },
  { cmd: 6, name: "OBJ_PIN", lastField: "path_fd", end: 20, fields: attr_obj },
  { cmd: 7, name: "OBJ_GET", lastField: "path_fd", end: 20, fields: attr_obj },
  { cmd: 8, name: "PROG_ATTACH", lastField: "replace_bpf_fd", end: 20, fields: attr_attach },
  { cmd: 9, name: "PROG_DETACH", lastField: "attach_type", end: 12, fields: attr_attach },
  { cmd: 10, name: "PROG_TEST_RUN", lastField: "test.batch_size", end: 76, fields: attr_test },
  { cmd: 11, name: "PROG_GET_NEXT_ID", lastField: "next_id", end: 8, fields: attr_get_id },
  { cmd: 12, name: "MAP_GET_NEXT_ID", lastField: "next_id", end: 8, fields: attr_get_id },
  { cmd: 13, name: "PROG_GET_FD_BY_ID", lastField: "prog_id", end: 4, fields: attr_get_id },
  { cmd: 14, name: "MAP_GET_FD_BY_ID", lastField: "open_flags", end: 12, fields: attr_get_id },
  { cmd: 15, name: "OBJ_GET_INFO_BY_FD", lastField: "info.info", end: 16, fields: attr_info },
  { cmd: 16, name: "PROG_QUERY", lastField: "query.prog_attach_flags", end: 40, fields: attr_query },
  { cmd: 17, name: "RAW_TRACEPOINT_OPEN", lastField: "raw_tracepoint.prog_fd", end: 12, fields: attr_raw_tracepoint },
  { cmd: 18, name: "BTF_LOAD", lastField: "btf_token_fd", end: 36, fields: attr_btf_load },
  { cmd: 19, name: "BTF_GET_FD_BY_ID", lastField: "btf_id", end: 4, fields: attr_get_id },
  { cmd: 20, name: "TASK_FD_QUERY", lastField: "task_fd_query.probe_addr", end: 48, fields: attr_task_fd_query },
  { cmd: 21, name: "MAP_LOOKUP_AND_DELETE_ELEM", lastField: "flags", end: 32, fields: attr_elem },
  { cmd: 22, name: "MAP_FREEZE", lastField: "map_fd", end: 4, fields: attr_elem },
  { cmd: 23, name: "BTF_GET_NEXT_ID", lastField: "next_id", end: 8, fields: attr_get_id },
  { cmd: 24, name: "MAP_LOOKUP_BATCH", lastField: "batch.flags", end: 56, fields: attr_batch },
  { cmd: 25, name: "MAP_LOOKUP_AND_DELETE_BATCH", lastField: "batch.flags", end: 56, fields: attr_batch },
  { cmd: 26, name: "MAP_UPDATE_BATCH", lastField: "batch.flags", end: 56, fields: attr_batch },
  { cmd: 27, name: "MAP_DELETE_BATCH", lastField: "batch.flags", end: 56, fields: attr_batch },
  { cmd: 28, name: "LINK_CREATE", lastField: "link_create.kprobe_multi.cookies", end: 48, fields: attr_link_create },
  { cmd: 29, name: "LINK_UPDATE", lastField: "link_update.old_prog_fd", end: 16, fields: attr_link_update },
  { cmd: 30, name: "LINK_GET_FD_BY_ID", lastField: "link_id", end: 4, fields: attr_get_id },
  { cmd: 31, name: "LINK_GET_NEXT_ID", lastField: "next_id", end: 8, fields: attr_get_id },
  { cmd: 32, name: "ENABLE_STATS", lastField: "enable_stats.type", end: 4, fields: attr_enable_stats },
  { cmd: 33, name: "ITER_CREATE", lastField: "iter_create.flags", end: 8, fields: attr_iter_create },
  { cmd: 34, name: "LINK_DETACH", lastField: "link_detach.link_fd", end: 4, fields: attr_link_detach },
  { cmd: 35, name: "PROG_BIND_MAP", lastField: "prog_bind_map.flags", end: 12, fields: attr_prog_bind_map },
  { cmd: 36, name: "TOKEN_CREATE", lastField: "token_create.allowed_attach_types", end: 40, fields: attr_token_create },
];

// ---- structs ----

const bpf_map_info: StructLayout = {
  name: "bpf_map_info",
  size: 88,
  fields: [
    { name: "type", offset: 0, size: 4, type: "__u32", kind: "u32" },
    { name: "id", offset: 4, size: 4, type: "__u32", kind: "u32" },
    { name: "key_size", offset: 8, size: 4, type: "__u32", kind: "u32" },
    { name: "value_size", offset: 12, size: 4, type: "__u32", kind: "u32" },
    { name: "max_entries", offset: 16, size: 4, type: "__u32", kind: "u32" },
    { name: "map_flags", offset: 20, size: 4, type: "__u32", kind: "u32" },
    { name: "name", offset: 24, size: 16, type: "char[16]", kind: "bytes" },
    { name: "ifindex", offset: 40, size: 4, type: "__u32", kind: "u32" },
    { name: "btf_vmlinux_value_type_id", offset: 44, size: 4, type: "__u32", kind: "u32" },
    { name: "netns_dev", offset: 48, size: 8, type: "__u64", kind: "u64" },
    { name: "netns_ino", offset: 56, size: 8, type: "__u64", kind: "u64" },
    { name: "btf_id", offset: 64, size: 4, type: "__u32", kind: "u32" },
    { name: "btf_key_type_id", offset: 68, size: 4, type: "__u32", kind: "u32" },
    { name: "btf_value_type_id", offset: 72, size: 4, type: "__u32", kind: "u32" },
    { name: "map_extra", offset: 80, size: 8, type: "__u64", kind: "u64" },
  ],
};

const bpf_prog_info: StructLayout = {
  name: "bpf_prog_info",
  size: 232,
  fields: [
    { name: "type", offset: 0, size: 4, type: "__u32", kind: "u32" },
    { name: "id", offset: 4, size: 4, type: "__u32", kind: "u32" },
    { name: "tag", offset: 8, size: 8, type: "__u8[8]", kind: "bytes" },
    { name: "jited_prog_len", offset: 16, size: 4, type: "__u32", kind: "u32" },
    { name: "xlated_prog_len", offset: 20, size: 4, type: "__u32", kind: "u32" },
    { name: "jited_prog_insns", offset: 24, size: 8, type: "__u64", kind: "uptr" },
    { name: "xlated_prog_insns", offset: 32, size: 8, type: "__u64", kind: "uptr" },
    { name: "load_time", offset: 40, size: 8, type: "__u64", kind: "u64" },
    { name: "created_by_uid", offset: 48, size: 4, type: "__u32", kind: "u32" },
    { name: "nr_map_ids", offset: 52, size: 4, type: "__u32", kind: "u32" },
    { name: "map_ids", offset: 56, size: 8, type: "__u64", kind: "uptr" },
    { name: "name", offset: 64, size: 16, type: "char[16]", kind: "bytes" },
    { name: "ifindex", offset: 80, size: 4, type: "__u32", kind: "u32" },
    { name: "gpl_compatible", offset: 84, size: 4, type: "__u32", kind: "bits", bitOffset: 0, bitSize: 1 },
    { name: "netns_dev", offset: 88, size: 8, type: "__u64", kind: "u64" },
    { name: "netns_ino", offset: 96, size: 8, type: "__u64", kind: "u64" },
    { name: "nr_jited_ksyms", offset: 104, size: 4, type: "__u32", kind: "u32" },
    { name: "nr_jited_func_lens", offset: 108, size: 4, type: "__u32", kind: "u32" },
    { name: "jited_ksyms", offset: 112, size: 8, type: "__u64", kind: "uptr" },
    { name: "jited_func_lens", offset: 120, size: 8, type: "__u64", kind: "uptr" },
    { name: "btf_id", offset: 128, size: 4, type: "__u32", kind: "u32" },
    { name: "func_info_rec_size", offset: 132, size: 4, type: "__u32", kind: "u32" },
    { name: "func_info", offset: 136, size: 8, type: "__u64", kind: "uptr" },
    { name: "nr_func_info", offset: 144, size: 4, type: "__u32", kind: "u32" },
    { name: "nr_line_info", offset: 148, size: 4, type: "__u32", kind: "u32" },
    { name: "line_info", offset: 152, size: 8, type: "__u64", kind: "uptr" },
    { name: "jited_line_info", offset: 160, size: 8, type: "__u64", kind: "uptr" },
    { name: "nr_jited_line_info", offset: 168, size: 4, type: "__u32", kind: "u32" },
    { name: "line_info_rec_size", offset: 172, size: 4, type: "__u32", kind: "u32" },
    { name: "jited_line_info_rec_size", offset: 176, size: 4, type: "__u32", kind: "u32" },
    { name: "nr_prog_tags", offset: 180, size: 4, type: "__u32", kind: "u32" },
    { name: "prog_tags", offset: 184, size: 8, type: "__u64", kind: "uptr" },
    { name: "run_time_ns", offset: 192, size: 8, type: "__u64", kind: "u64" },
    { name: "run_cnt", offset: 200, size: 8, type: "__u64", kind: "u64" },
    { name: "recursion_misses", offset: 208, size: 8, type: "__u64", kind: "u64" },
    { name: "verified_insns", offset: 216, size: 4, type: "__u32", kind: "u32" },
    { name: "attach_btf_obj_id", offset: 220, size: 4, type: "__u32", kind: "u32" },
    { name: "attach_btf_id", offset: 224, size: 4, type: "__u32", kind: "u32" },
  ],
};

const bpf_btf_info: StructLayout = {
  name: "bpf_btf_info",
  size: 32,
  fields: [
    { name: "btf", offset: 0, size: 8, type: "__u64", kind: "uptr" },
    { name: "btf_size", offset: 8, size: 4, type: "__u32", kind: "u32" },
    { name: "id", offset: 12, size: 4, type: "__u32", kind: "u32" },
    { name: "name", offset: 16, size: 8, type: "__u64", kind: "uptr" },
    { name: "name_len", offset: 24, size: 4, type: "__u32", kind: "u32" },
    { name: "kernel_btf", offset: 28, size: 4, type: "__u32", kind: "u32" },
  ],
};

const bpf_link_info: StructLayout = {
  name: "bpf_link_info",
  size: 48,
  fields: [
    { name: "type", offset: 0, size: 4, type: "__u32", kind: "u32" },
    { name: "id", offset: 4, size: 4, type: "__u32", kind: "u32" },
    { name: "prog_id", offset: 8, size: 4, type: "__u32", kind: "u32" },
    { name: "raw_tracepoint.tp_name", offset: 16, size: 8, type: "__u64", kind: "uptr" },
    { name: "tracing.attach_type", offset: 16, size: 4, type: "__u32", kind: "u32" },
    { name: "cgroup.cgroup_id", offset: 16, size: 8, type: "__u64", kind: "u64" },
    { name: "iter.target_name", offset: 16, size: 8, type: "__u64", kind: "uptr" },
    { name: "netns.netns_ino", offset: 16, size: 4, type: "__u32", kind: "u32" },
    { name: "xdp.ifindex", offset: 16, size: 4, type: "__u32", kind: "u32" },
    { name: "struct_ops.map_id", offset: 16, size: 4, type: "__u32", kind: "u32" },
    { name: "netfilter.pf", offset: 16, size: 4, type: "__u32", kind: "u32" },
    { name: "tracing.target_obj_id", offset: 20, size: 4, type: "__u32", kind: "u32" },
    { name: "netns.attach_type", offset: 20, size: 4, type: "__u32", kind: "u32" },
    { name: "netfilter.hooknum", offset: 20, size: 4, type: "__u32", kind: "u32" },
    { name: "raw_tracepoint.tp_name_len", offset: 24, size: 4, type: "__u32", kind: "u32" },
    { name: "tracing.target_btf_id", offset: 24, size: 4, type: "__u32", kind: "u32" },
    { name: "cgroup.attach_type", offset: 24, size: 4, type: "__u32", kind: "u32" },
    { name: "iter.target_name_len", offset: 24, size: 4, type: "__u32", kind: "u32" },
    { name: "netfilter.priority", offset: 24, size: 4, type: "__s32", kind: "s32" },
    { name: "iter.map.map_id", offset: 28, size: 4, type: "__u32", kind: "u32" },
    { name: "netfilter.flags", offset: 28, size: 4, type: "__u32", kind: "u32" },
    { name: "iter.cgroup.cgroup_id", offset: 32, size: 8, type: "__u64", kind: "u64" },
    { name: "iter.task.tid", offset: 32, size: 4, type: "__u32", kind: "u32" },
    { name: "iter.task.pid", offset: 36, size: 4, type: "__u32", kind: "u32" },
    { name: "iter.cgroup.order", offset: 40, size: 4, type: "__u32", kind: "u32" },
  ],
};

const bpf_insn: StructLayout = {
  name: "bpf_insn",
  size: 8,
  fields: [
    { name: "code", offset: 0, size: 1, type: "__u8", kind: "u8" },
    { name: "dst_reg", offset: 1, size: 1, type: "__u8", kind: "bits", bitOffset: 0, bitSize: 4 },
    { name: "src_reg", offset: 1, size: 1, type: "__u8", kind: "bits", bitOffset: 4, bitSize: 4 },
    { name: "off", offset: 2, size: 2, type: "__s16", kind: "u16" },
    { name: "imm", offset: 4, size: 4, type: "__s32", kind: "s32" },
  ],
};

// ---- enums (anonymous flag enums are keyed by their first entry) ----

const enums: Readonly<Record<string, EnumDesc>> = {
  bpf_cmd: {
    name: "bpf_cmd",
    values: [
      { name: "BPF_MAP_CREATE", value: 0 },
      { name: "BPF_MAP_LOOKUP_ELEM", value: 1 },
      { name: "BPF_MAP_UPDATE_ELEM", value: 2 },
      { name: "BPF_MAP_DELETE_ELEM", value: 3 },
      { name: "BPF_MAP_GET_NEXT_KEY", value: 4 },
      { name: "BPF_PROG_LOAD", value: 5 },
      { name: "BPF_OBJ_PIN", value: 6 },
      { name: "BPF_OBJ_GET", value: 7 },
      { name: "BPF_PROG_ATTACH", value: 8 },
      { name: "BPF_PROG_DETACH", value: 9 },
      { name: "BPF_PROG_TEST_RUN", value: 10 },
      { name: "BPF_PROG_RUN", value: 10 },
      { name: "BPF_PROG_GET_NEXT_ID", value: 11 },
      { name: "BPF_MAP_GET_NEXT_ID", value: 12 },
      { name: "BPF_PROG_GET_FD_BY_ID", value: 13 },
      { name: "BPF_MAP_GET_FD_BY_ID", value: 14 },
      { name: "BPF_OBJ_GET_INFO_BY_FD", value: 15 },
      { name: "BPF_PROG_QUERY", value: 16 },
      { name: "BPF_RAW_TRACEPOINT_OPEN", value: 17 },
      { name: "BPF_BTF_LOAD", value: 18 },
      { name: "BPF_BTF_GET_FD_BY_ID", value: 19 },
      { name: "BPF_TASK_FD_QUERY", value: 20 },
      { name: "BPF_MAP_LOOKUP_AND_DELETE_ELEM", value: 21 },
      { name: "BPF_MAP_FREEZE", value: 22 },
      { name: "BPF_BTF_GET_NEXT_ID", value: 23 },
      { name: "BPF_MAP_LOOKUP_BATCH", value: 24 },
      { name: "BPF_MAP_LOOKUP_AND_DELETE_BATCH", value: 25 },
      { name: "BPF_MAP_UPDATE_BATCH", value: 26 },
      { name: "BPF_MAP_DELETE_BATCH", value: 27 },
      { name: "BPF_LINK_CREATE", value: 28 },
      { name: "BPF_LINK_UPDATE", value: 29 },
      { name: "BPF_LINK_GET_FD_BY_ID", value: 30 },
      { name: "BPF_LINK_GET_NEXT_ID", value: 31 },
      { name: "BPF_ENABLE_STATS", value: 32 },
      { name: "BPF_ITER_CREATE", value: 33 },
      { name: "BPF_LINK_DETACH", value: 34 },
      { name: "BPF_PROG_BIND_MAP", value: 35 },
      { name: "BPF_TOKEN_CREATE", value: 36 },
    ],
  },
  bpf_map_type: {
    name: "bpf_map_type",
    values: [
      { name: "BPF_MAP_TYPE_UNSPEC", value: 0 },
      { name: "BPF_MAP_TYPE_HASH", value: 1 },
      { name: "BPF_MAP_TYPE_ARRAY", value: 2 },
      { name: "BPF_MAP_TYPE_PROG_ARRAY", value: 3 },
      { name: "BPF_MAP_TYPE_PERF_EVENT_ARRAY", value: 4 },
      { name: "BPF_MAP_TYPE_PERCPU_HASH", value: 5 },
      { name: "BPF_MAP_TYPE_PERCPU_ARRAY", value: 6 },
      { name: "BPF_MAP_TYPE_STACK_TRACE", value: 7 },
      { name: "BPF_MAP_TYPE_CGROUP_ARRAY", value: 8 },
      { name: "BPF_MAP_TYPE_LRU_HASH", value: 9 },
      { name: "BPF_MAP_TYPE_LRU_PERCPU_HASH", value: 10 },
      { name: "BPF_MAP_TYPE_LPM_TRIE", value: 11 },
      { name: "BPF_MAP_TYPE_ARRAY_OF_MAPS", value: 12 },
      { name: "BPF_MAP_TYPE_HASH_OF_MAPS", value: 13 },
      { name: "BPF_MAP_TYPE_DEVMAP", value: 14 },
      { name: "BPF_MAP_TYPE_SOCKMAP", value: 15 },
      { name: "BPF_MAP_TYPE_CPUMAP", value: 16 },
      { name: "BPF_MAP_TYPE_XSKMAP", value: 17 },
      { name: "BPF_MAP_TYPE_SOCKHASH", value: 18 },
      { name: "BPF_MAP_TYPE_CGROUP_STORAGE_DEPRECATED", value: 19 },
      { name: "BPF_MAP_TYPE_CGROUP_STORAGE", value: 19 },
      { name: "BPF_MAP_TYPE_REUSEPORT_SOCKARRAY", value: 20 },
      { name: "BPF_MAP_TYPE_PERCPU_CGROUP_STORAGE", value: 21 },
      { name: "BPF_MAP_TYPE_QUEUE", value: 22 },
      { name: "BPF_MAP_TYPE_STACK", value: 23 },
      { name: "BPF_MAP_TYPE_SK_STORAGE", value: 24 },
      { name: "BPF_MAP_TYPE_DEVMAP_HASH", value: 25 },
      { name: "BPF_MAP_TYPE_STRUCT_OPS", value: 26 },
      { name: "BPF_MAP_TYPE_RINGBUF", value: 27 },
      { name: "BPF_MAP_TYPE_INODE_STORAGE", value: 28 },
      { name: "BPF_MAP_TYPE_TASK_STORAGE", value: 29 },
      { name: "BPF_MAP_TYPE_BLOOM_FILTER", value: 30 },
      { name: "BPF_MAP_TYPE_USER_RINGBUF", value: 31 },
      { name: "BPF_MAP_TYPE_CGRP_STORAGE", value: 32 },
      { name: "__MAX_BPF_MAP_TYPE", value: 33 },
    ],
  },
  bpf_prog_type: {
    name: "bpf_prog_type",
    values: [
      { name: "BPF_PROG_TYPE_UNSPEC", value: 0 },
      { name: "BPF_PROG_TYPE_SOCKET_FILTER", value: 1 },
      { name: "BPF_PROG_TYPE_KPROBE", value: 2 },
      { name: "BPF_PROG_TYPE_SCHED_CLS", value: 3 },
      { name: "BPF_PROG_TYPE_SCHED_ACT", value: 4 },
      { name: "BPF_PROG_TYPE_TRACEPOINT", value: 5 },
      { name: "BPF_PROG_TYPE_XDP", value: 6 },
      { name: "BPF_PROG_TYPE_PERF_EVENT", value: 7 },
      { name: "BPF_PROG_TYPE_CGROUP_SKB", value: 8 },
      { name: "BPF_PROG_TYPE_CGROUP_SOCK", value: 9 },
      { name: "BPF_PROG_TYPE_LWT_IN", value: 10 },
      { name: "BPF_PROG_TYPE_LWT_OUT", value: 11 },
      { name: "BPF_PROG_TYPE_LWT_XMIT", value: 12 },
      { name: "BPF_PROG_TYPE_SOCK_OPS", value: 13 },
      { name: "BPF_PROG_TYPE_SK_SKB", value: 14 },
      { name: "BPF_PROG_TYPE_CGROUP_DEVICE", value: 15 },
      { name: "BPF_PROG_TYPE_SK_MSG", value: 16 },
      { name: "BPF_PROG_TYPE_RAW_TRACEPOINT", value: 17 },
      { name: "BPF_PROG_TYPE_CGROUP_SOCK_ADDR", value: 18 },
      { name: "BPF_PROG_TYPE_LWT_SEG6LOCAL", value: 19 },
      { name: "BPF_PROG_TYPE_LIRC_MODE2", value: 20 },
      { name: "BPF_PROG_TYPE_SK_REUSEPORT", value: 21 },
      { name: "BPF_PROG_TYPE_FLOW_DISSECTOR", value: 22 },
      { name: "BPF_PROG_TYPE_CGROUP_SYSCTL", value: 23 },
      { name: "BPF_PROG_TYPE_RAW_TRACEPOINT_WRITABLE", value: 24 },
      { name: "BPF_PROG_TYPE_CGROUP_SOCKOPT", value: 25 },
      { name: "BPF_PROG_TYPE_TRACING", value: 26 },
      { name: "BPF_PROG_TYPE_STRUCT_OPS", value: 27 },
      { name: "BPF_PROG_TYPE_EXT", value: 28 },
      { name: "BPF_PROG_TYPE_LSM", value: 29 },
      { name: "BPF_PROG_TYPE_SK_LOOKUP", value: 30 },
      { name: "BPF_PROG_TYPE_SYSCALL", value: 31 },
      { name: "BPF_PROG_TYPE_NETFILTER", value: 32 },
      { name: "__MAX_BPF_PROG_TYPE", value: 33 },
    ],
  },
  bpf_attach_type: {
    name: "bpf_attach_type",
    values: [
      { name: "BPF_CGROUP_INET_INGRESS", value: 0 },
      { name: "BPF_CGROUP_INET_EGRESS", value: 1 },
      { name: "BPF_CGROUP_INET_SOCK_CREATE", value: 2 },
      { name: "BPF_CGROUP_SOCK_OPS", value: 3 },
      { name: "BPF_SK_SKB_STREAM_PARSER", value: 4 },
      { name: "BPF_SK_SKB_STREAM_VERDICT", value: 5 },
      { name: "BPF_CGROUP_DEVICE", value: 6 },
      { name: "BPF_SK_MSG_VERDICT", value: 7 },
      { name: "BPF_CGROUP_INET4_BIND", value: 8 },
      { name: "BPF_CGROUP_INET6_BIND", value: 9 },
      { name: "BPF_CGROUP_INET4_CONNECT", value: 10 },
      { name: "BPF_CGROUP_INET6_CONNECT", value: 11 },
      { name: "BPF_CGROUP_INET4_POST_BIND", value: 12 },
      { name: "BPF_CGROUP_INET6_POST_BIND", value: 13 },
      { name: "BPF_CGROUP_UDP4_SENDMSG", value: 14 },
      { name: "BPF_CGROUP_UDP6_SENDMSG", value: 15 },
      { name: "BPF_LIRC_MODE2", value: 16 },
      { name: "BPF_FLOW_DISSECTOR", value: 17 },
      { name: "BPF_CGROUP_SYSCTL", value: 18 },
      { name: "BPF_CGROUP_UDP4_RECVMSG", value: 19 },
      { name: "BPF_CGROUP_UDP6_RECVMSG", value: 20 },
      { name: "BPF_CGROUP_GETSOCKOPT", value: 21 },
      { name: "BPF_CGROUP_SETSOCKOPT", value: 22 },
      { name: "BPF_TRACE_RAW_TP", value: 23 },
      { name: "BPF_TRACE_FENTRY", value: 24 },
      { name: "BPF_TRACE_FEXIT", value: 25 },
      { name: "BPF_MODIFY_RETURN", value: 26 },
      { name: "BPF_LSM_MAC", value: 27 },
      { name: "BPF_TRACE_ITER", value: 28 },
      { name: "BPF_CGROUP_INET4_GETPEERNAME", value: 29 },
      { name: "BPF_CGROUP_INET6_GETPEERNAME", value: 30 },
      { name: "BPF_CGROUP_INET4_GETSOCKNAME", value: 31 },
      { name: "BPF_CGROUP_INET6_GETSOCKNAME", value: 32 },
      { name: "BPF_XDP_DEVMAP", value: 33 },
      { name: "BPF_CGROUP_INET_SOCK_RELEASE", value: 34 },
      { name: "BPF_XDP_CPUMAP", value: 35 },
      { name: "BPF_SK_LOOKUP", value: 36 },
      { name: "BPF_XDP", value: 37 },
      { name: "BPF_SK_SKB_VERDICT", value: 38 },
      { name: "BPF_SK_REUSEPORT_SELECT", value: 39 },
      { name: "BPF_SK_REUSEPORT_SELECT_OR_MIGRATE", value: 40 },
      { name: "BPF_PERF_EVENT", value: 41 },
      { name: "BPF_TRACE_KPROBE_MULTI", value: 42 },
      { name: "BPF_LSM_CGROUP", value: 43 },
      { name: "BPF_STRUCT_OPS", value: 44 },
      { name: "__MAX_BPF_ATTACH_TYPE", value: 45 },
    ],
  },
  bpf_link_type: {
    name: "bpf_link_type",
    values: [
      { name: "BPF_LINK_TYPE_UNSPEC", value: 0 },
      { name: "BPF_LINK_TYPE_RAW_TRACEPOINT", value: 1 },
      { name: "BPF_LINK_TYPE_TRACING", value: 2 },
      { name: "BPF_LINK_TYPE_CGROUP", value: 3 },
      { name: "BPF_LINK_TYPE_ITER", value: 4 },
      { name: "BPF_LINK_TYPE_NETNS", value: 5 },
      { name: "BPF_LINK_TYPE_XDP", value: 6 },
      { name: "BPF_LINK_TYPE_PERF_EVENT", value: 7 },
      { name: "BPF_LINK_TYPE_KPROBE_MULTI", value: 8 },
      { name: "BPF_LINK_TYPE_STRUCT_OPS", value: 9 },
      { name: "BPF_LINK_TYPE_NETFILTER", value: 10 },
      { name: "MAX_BPF_LINK_TYPE", value: 11 },
    ],
  },
  bpf_stats_type: {
    name: "bpf_stats_type",
    values: [
      { name: "BPF_STATS_RUN_TIME", value: 0 },
    ],
  },
  bpf_task_fd_type: {
    name: "bpf_task_fd_type",
    values: [
      { name: "BPF_FD_TYPE_RAW_TRACEPOINT", value: 0 },
      { name: "BPF_FD_TYPE_TRACEPOINT", value: 1 },
      { name: "BPF_FD_TYPE_KPROBE", value: 2 },
      { name: "BPF_FD_TYPE_KRETPROBE", value: 3 },
      { name: "BPF_FD_TYPE_UPROBE", value: 4 },
      { name: "BPF_FD_TYPE_URETPROBE", value: 5 },
    ],
  },
  BPF_F_TOKEN_IGNORE_UNKNOWN_CMDS: {
    name: "BPF_F_TOKEN_IGNORE_UNKNOWN_CMDS",
    values: [
      { name: "BPF_F_TOKEN_IGNORE_UNKNOWN_CMDS", value: 1 },
      { name: "BPF_F_TOKEN_IGNORE_UNKNOWN_MAP_TYPES", value: 2 },
      { name: "BPF_F_TOKEN_IGNORE_UNKNOWN_PROG_TYPES", value: 4 },
      { name: "BPF_F_TOKEN_IGNORE_UNKNOWN_ATTACH_TYPES", value: 8 },
    ],
  },
  BPF_ANY: {
    name: "BPF_ANY",
    values: [
      { name: "BPF_ANY", value: 0 },
      { name: "BPF_NOEXIST", value: 1 },
      { name: "BPF_EXIST", value: 2 },
      { name: "BPF_F_LOCK", value: 4 },
    ],
  },
  BPF_F_NO_PREALLOC: {
    name: "BPF_F_NO_PREALLOC",
    values: [
      { name: "BPF_F_NO_PREALLOC", value: 1 },
      { name: "BPF_F_NO_COMMON_LRU", value: 2 },
      { name: "BPF_F_NUMA_NODE", value: 4 },
      { name: "BPF_F_RDONLY", value: 8 },
      { name: "BPF_F_WRONLY", value: 16 },
      { name: "BPF_F_STACK_BUILD_ID", value: 32 },
      { name: "BPF_F_ZERO_SEED", value: 64 },
      { name: "BPF_F_RDONLY_PROG", value: 128 },
      { name: "BPF_F_WRONLY_PROG", value: 256 },
      { name: "BPF_F_CLONE", value: 512 },
      { name: "BPF_F_MMAPABLE", value: 1024 },
      { name: "BPF_F_PRESERVE_ELEMS", value: 2048 },
      { name: "BPF_F_INNER_MAP", value: 4096 },
      { name: "BPF_F_LINK", value: 8192 },
      { name: "BPF_F_PATH_FD", value: 16384 },
    ],
  },
  BPF_F_RECOMPUTE_CSUM: {
    name: "BPF_F_RECOMPUTE_CSUM",
    values: [
      { name: "BPF_F_RECOMPUTE_CSUM", value: 1 },
      { name: "BPF_F_INVALIDATE_HASH", value: 2 },
    ],
  },
  BPF_F_HDR_FIELD_MASK: {
    name: "BPF_F_HDR_FIELD_MASK",
    values: [
      { name: "BPF_F_HDR_FIELD_MASK", value: 15 },
    ],
  },
  BPF_F_PSEUDO_HDR: {
    name: "BPF_F_PSEUDO_HDR",
    values: [
      { name: "BPF_F_PSEUDO_HDR", value: 16 },
      { name: "BPF_F_MARK_MANGLED_0", value: 32 },
      { name: "BPF_F_MARK_ENFORCE", value: 64 },
    ],
  },
  BPF_F_INGRESS: {
    name: "BPF_F_INGRESS",
    values: [
      { name: "BPF_F_INGRESS", value: 1 },
    ],
  },
  BPF_F_TUNINFO_IPV6: {
    name: "BPF_F_TUNINFO_IPV6",
    values: [
      { name: "BPF_F_TUNINFO_IPV6", value: 1 },
    ],
  },
  BPF_F_SKIP_FIELD_MASK: {
    name: "BPF_F_SKIP_FIELD_MASK",
    values: [
      { name: "BPF_F_SKIP_FIELD_MASK", value: 255 },
      { name: "BPF_F_USER_STACK", value: 256 },
      { name: "BPF_F_FAST_STACK_CMP", value: 512 },
      { name: "BPF_F_REUSE_STACKID", value: 1024 },
      { name: "BPF_F_USER_BUILD_ID", value: 2048 },
    ],
  },
  BPF_F_ZERO_CSUM_TX: {
    name: "BPF_F_ZERO_CSUM_TX",
    values: [
      { name: "BPF_F_ZERO_CSUM_TX", value: 2 },
      { name: "BPF_F_DONT_FRAGMENT", value: 4 },
      { name: "BPF_F_SEQ_NUMBER", value: 8 },
      { name: "BPF_F_NO_TUNNEL_KEY", value: 16 },
    ],
  },
  BPF_F_TUNINFO_FLAGS: {
    name: "BPF_F_TUNINFO_FLAGS",
    values: [
      { name: "BPF_F_TUNINFO_FLAGS", value: 16 },
    ],
  },
  BPF_F_INDEX_MASK: {
    name: "BPF_F_INDEX_MASK",
    values: [
      { name: "BPF_F_INDEX_MASK", value: 4294967295 },
      { name: "BPF_F_CURRENT_CPU", value: 4294967295 },
      { name: "BPF_F_CTXLEN_MASK", value: 4503595332403200 },
    ],
  },
  BPF_F_CURRENT_NETNS: {
    name: "BPF_F_CURRENT_NETNS",
    values: [
      { name: "BPF_F_CURRENT_NETNS", value: -1 },
    ],
  },
  BPF_F_ADJ_ROOM_FIXED_GSO: {
    name: "BPF_F_ADJ_ROOM_FIXED_GSO",
    values: [
      { name: "BPF_F_ADJ_ROOM_FIXED_GSO", value: 1 },
      { name: "BPF_F_ADJ_ROOM_ENCAP_L3_IPV4", value: 2 },
      { name: "BPF_F_ADJ_ROOM_ENCAP_L3_IPV6", value: 4 },
      { name: "BPF_F_ADJ_ROOM_ENCAP_L4_GRE", value: 8 },
      { name: "BPF_F_ADJ_ROOM_ENCAP_L4_UDP", value: 16 },
      { name: "BPF_F_ADJ_ROOM_NO_CSUM_RESET", value: 32 },
      { name: "BPF_F_ADJ_ROOM_ENCAP_L2_ETH", value: 64 },
      { name: "BPF_F_ADJ_ROOM_DECAP_L3_IPV4", value: 128 },
      { name: "BPF_F_ADJ_ROOM_DECAP_L3_IPV6", value: 256 },
    ],
  },
  BPF_F_SYSCTL_BASE_NAME: {
    name: "BPF_F_SYSCTL_BASE_NAME",
    values: [
      { name: "BPF_F_SYSCTL_BASE_NAME", value: 1 },
    ],
  },
  BPF_F_GET_BRANCH_RECORDS_SIZE: {
    name: "BPF_F_GET_BRANCH_RECORDS_SIZE",
    values: [
      { name: "BPF_F_GET_BRANCH_RECORDS_SIZE", value: 1 },
    ],
  },
  BPF_F_BPRM_SECUREEXEC: {
    name: "BPF_F_BPRM_SECUREEXEC",
    values: [
      { name: "BPF_F_BPRM_SECUREEXEC", value: 1 },
    ],
  },
  BPF_F_BROADCAST: {
    name: "BPF_F_BROADCAST",
    values: [
      { name: "BPF_F_BROADCAST", value: 8 },
      { name: "BPF_F_EXCLUDE_INGRESS", value: 16 },
    ],
  },
  BPF_F_TIMER_ABS: {
    name: "BPF_F_TIMER_ABS",
    values: [
      { name: "BPF_F_TIMER_ABS", value: 1 },
    ],
  },
};

export const rfc_v1: UapiTables = {
  abi: "rfc-v1",
  source: "bpf-next uapi bpf.h blob 9273c654743c (libbpf bfb045424461) + BPF token v1 UAPI (2023-06-02)",
  attrSize: 152,
  commands,
  structs: {
    bpf_map_info,
    bpf_prog_info,
    bpf_btf_info,
    bpf_link_info,
    bpf_insn,
  },
  enums,
};
