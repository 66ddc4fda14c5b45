// SPDX-License-Identifier: GPL-2.0-only
// Generated from this machine's Linux 6.18: helper names from enum
// bpf_func_id in /sys/kernel/btf/vmlinux (bpftool btf dump), and which helper
// ids each program type's get_func_proto accepts, measured as root by loading
// `call N` for every N in 1..211 and reading the verifier's "cannot use
// helper" / "invalid func" answer (expected_attach_type 0, or the one noted).

/** enum bpf_func_id names without the BPF_FUNC_ prefix, indexed by id. */
export const HELPER_NAMES: readonly string[] = [
  "unspec",
  "map_lookup_elem",
  "map_update_elem",
  "map_delete_elem",
  "probe_read",
  "ktime_get_ns",
  "trace_printk",
  "get_prandom_u32",
  "get_smp_processor_id",
  "skb_store_bytes",
  "l3_csum_replace",
  "l4_csum_replace",
  "tail_call",
  "clone_redirect",
  "get_current_pid_tgid",
  "get_current_uid_gid",
  "get_current_comm",
  "get_cgroup_classid",
  "skb_vlan_push",
  "skb_vlan_pop",
  "skb_get_tunnel_key",
  "skb_set_tunnel_key",
  "perf_event_read",
  "redirect",
  "get_route_realm",
  "perf_event_output",
  "skb_load_bytes",
  "get_stackid",
  "csum_diff",
  "skb_get_tunnel_opt",
  "skb_set_tunnel_opt",
  "skb_change_proto",
  "skb_change_type",
  "skb_under_cgroup",
  "get_hash_recalc",
  "get_current_task",
  "probe_write_user",
  "current_task_under_cgroup",
  "skb_change_tail",
  "skb_pull_data",
  "csum_update",
  "set_hash_invalid",
  "get_numa_node_id",
  "skb_change_head",
  "xdp_adjust_head",
  "probe_read_str",
  "get_socket_cookie",
  "get_socket_uid",
  "set_hash",
  "setsockopt",
  "skb_adjust_room",
  "redirect_map",
  "sk_redirect_map",
  "sock_map_update",
  "xdp_adjust_meta",
  "perf_event_read_value",
  "perf_prog_read_value",
  "getsockopt",
  "override_return",
  "sock_ops_cb_flags_set",
  "msg_redirect_map",
  "msg_apply_bytes",
  "msg_cork_bytes",
  "msg_pull_data",
  "bind",
  "xdp_adjust_tail",
  "skb_get_xfrm_state",
  "get_stack",
  "skb_load_bytes_relative",
  "fib_lookup",
  "sock_hash_update",
  "msg_redirect_hash",
  "sk_redirect_hash",
  "lwt_push_encap",
  "lwt_seg6_store_bytes",
  "lwt_seg6_adjust_srh",
  "lwt_seg6_action",
  "rc_repeat",
  "rc_keydown",
  "skb_cgroup_id",
  "get_current_cgroup_id",
  "get_local_storage",
  "sk_select_reuseport",
  "skb_ancestor_cgroup_id",
  "sk_lookup_tcp",
  "sk_lookup_udp",
  "sk_release",
  "map_push_elem",
  "map_pop_elem",
  "map_peek_elem",
  "msg_push_data",
  "msg_pop_data",
  "rc_pointer_rel",
  "spin_lock",
  "spin_unlock",
  "sk_fullsock",
  "tcp_sock",
  "skb_ecn_set_ce",
  "get_listener_sock",
  "skc_lookup_tcp",
  "tcp_check_syncookie",
  "sysctl_get_name",
  "sysctl_get_current_value",
  "sysctl_get_new_value",
  "sysctl_set_new_value",
  "strtol",
  "strtoul",
  "sk_storage_get",
  "sk_storage_delete",
  "send_signal",
  "tcp_gen_syncookie",
  "skb_output",
  "probe_read_user",
  "probe_read_kernel",
  "probe_read_user_str",
  "probe_read_kernel_str",
  "tcp_send_ack",
  "send_signal_thread",
  "jiffies64",
  "read_branch_records",
  "get_ns_current_pid_tgid",
  "xdp_output",
  "get_netns_cookie",
  "get_current_ancestor_cgroup_id",
  "sk_assign",
  "ktime_get_boot_ns",
  "seq_printf",
  "seq_write",
  "sk_cgroup_id",
  "sk_ancestor_cgroup_id",
  "ringbuf_output",
  "ringbuf_reserve",
  "ringbuf_submit",
  "ringbuf_discard",
  "ringbuf_query",
  "csum_level",
  "skc_to_tcp6_sock",
  "skc_to_tcp_sock",
  "skc_to_tcp_timewait_sock",
  "skc_to_tcp_request_sock",
  "skc_to_udp6_sock",
  "get_task_stack",
  "load_hdr_opt",
  "store_hdr_opt",
  "reserve_hdr_opt",
  "inode_storage_get",
  "inode_storage_delete",
  "d_path",
  "copy_from_user",
  "snprintf_btf",
  "seq_printf_btf",
  "skb_cgroup_classid",
  "redirect_neigh",
  "per_cpu_ptr",
  "this_cpu_ptr",
  "redirect_peer",
  "task_storage_get",
  "task_storage_delete",
  "get_current_task_btf",
  "bprm_opts_set",
  "ktime_get_coarse_ns",
  "ima_inode_hash",
  "sock_from_file",
  "check_mtu",
  "for_each_map_elem",
  "snprintf",
  "sys_bpf",
  "btf_find_by_name_kind",
  "sys_close",
  "timer_init",
  "timer_set_callback",
  "timer_start",
  "timer_cancel",
  "get_func_ip",
  "get_attach_cookie",
  "task_pt_regs",
  "get_branch_snapshot",
  "trace_vprintk",
  "skc_to_unix_sock",
  "kallsyms_lookup_name",
  "find_vma",
  "loop",
  "strncmp",
  "get_func_arg",
  "get_func_ret",
  "get_func_arg_cnt",
  "get_retval",
  "set_retval",
  "xdp_get_buff_len",
  "xdp_load_bytes",
  "xdp_store_bytes",
  "copy_from_user_task",
  "skb_set_tstamp",
  "ima_file_hash",
  "kptr_xchg",
  "map_lookup_percpu_elem",
  "skc_to_mptcp_sock",
  "dynptr_from_mem",
  "ringbuf_reserve_dynptr",
  "ringbuf_submit_dynptr",
  "ringbuf_discard_dynptr",
  "dynptr_read",
  "dynptr_write",
  "dynptr_data",
  "tcp_raw_gen_syncookie_ipv4",
  "tcp_raw_gen_syncookie_ipv6",
  "tcp_raw_check_syncookie_ipv4",
  "tcp_raw_check_syncookie_ipv6",
  "ktime_get_tai_ns",
  "user_ringbuf_drain",
  "cgrp_storage_get",
  "cgrp_storage_delete",
];

/** Program type -> hex bitset (bit N = helper id N) of the helpers root may call. */
export const HELPERS_BY_PROG_TYPE: Readonly<Record<number, string>> = {
  1: "f0ffc80779e3176303f7c2d6f2600638100100080c4280643d1ee", // socket_filter
  2: "f0fec8073fe307630207c296f260063810008008024280a43d1fe", // kprobe
  3: "ffffd80779e397fb03ffc3d6f7e1fe3f980340085cfeff7ffffee", // sched_cls
  4: "ffffd80779e397fb03ffc3d6f7e1fe3f980340085cfeff7ffffee", // sched_act
  5: "f0fec8073fe307630207c296f260063810008008024280a43d1fe", // tracepoint
  6: "ffffcf0779e3976303f7c296f661863f1002200c8142812c3d1ee", // xdp
  7: "f0fec8073fe307630207c29ef260063810008018024280a43d1fe", // perf_event
  8: "f0ffc80779e3176303f7f2d6f3e0fe3fb80100080c4280643d1ee", // cgroup_skb
  9: "f0fec8c739e317630207c2d6f2e0063830000008044280243d1ee", // cgroup_sock
  10: "f0ffc80779e3176303f7c296f260063810200008004ae1743d1ee", // lwt_in
  11: "f0ffc80779e3176303f7c296f260063810000008004ae1743d1ee", // lwt_out
  12: "f0ffc80779e3176303ffc296f26006381020000800fee77f3ffee", // lwt_xmit
  13: "f0ffc80779e317631ff7c2d6f3e01638300400aa244280243d1ee", // sock_ops
  14: "f0ffc80779e3176303f7c296f260863f101000094cce80643d3ee", // sk_skb
  15: "f0fec80739e307630207c296f260063830000008004280243d1ee", // cgroup_device
  16: "f0ffc80779e3176303f7c2d6f3e006f810080f08004280243d1ee", // sk_msg
  18: "f0ffc8c779e3176303f7c2d6f3e0863f30000028244280243d1ee", // cgroup_sock_addr (INET4_CONNECT)
  19: "f0ffc80779e3176303f7c296f260063811c00008004ae1743d1ee", // lwt_seg6local
  21: "f0fec80739e317630207c296f260063850010008044280443d1ee", // sk_reuseport
  22: "f0ffc80779e3176303f7c296f260063810000008004280443d1ee", // flow_dissector
  23: "f0fec80739e317630207c296f27e063830000008004280243d1ee", // cgroup_sysctl
  24: "f0fec8073fe307630207c296f260063810008008024280a43d1fe", // raw_tracepoint_writable
  25: "f0fec8c739e307630207c2d6f3e0163830000008004280243d1ee", // cgroup_sockopt (GETSOCKOPT)
  30: "f0ffc80779e3176303f7c396f260063c10000008004280243d1ee", // sk_lookup
  32: "f0fec80739e307630207c296f260063810000008004280043d1ee", // netfilter
  17: "f0fec8073fe307630207c296f260063810008008024280a43d1fe", // raw_tracepoint
};

/**
 * The first check each helper fails, or passes, when called with R1 the
 * untouched context and R2..R5 unset, as root with a GPL license, measured
 * on this kernel (prog type in the comment: the first of kprobe, sched_cls,
 * socket_filter, xdp, ... that may call it): "ok" (the call is accepted),
 * "R2" (R2 !read_ok), "sleep" (might sleep in a non-sleepable program) or
 * "R1:<types>" (R1 type=ctx expected=<types>); a leading "g" marks
 * gpl_only helpers (a non-GPL license is refused before any argument).
 */
export const HELPER_UNSET_ARGS: Readonly<Record<number, string>> = {
  1: "R1:map_ptr", // prog_type 2
  2: "R1:map_ptr", // prog_type 2
  3: "R1:map_ptr", // prog_type 2
  4: "gR1:fp, pkt, pkt_meta, map_key, map_value, mem, ringbuf_mem, buf, trusted_ptr_", // prog_type 2
  5: "ok", // prog_type 2
  6: "gR1:fp, pkt, pkt_meta, map_key, map_value, mem, ringbuf_mem, buf, trusted_ptr_", // prog_type 2
  7: "ok", // prog_type 2
  8: "ok", // prog_type 2
  9: "R2", // prog_type 3
  10: "R2", // prog_type 3
  11: "R2", // prog_type 3
  12: "R2", // prog_type 2
  13: "R2", // prog_type 3
  14: "ok", // prog_type 2
  15: "ok", // prog_type 2
  16: "R1:fp, pkt, pkt_meta, map_key, map_value, mem, ringbuf_mem, buf, trusted_ptr_", // prog_type 2
  17: "ok", // prog_type 2
  18: "R2", // prog_type 3
  19: "ok", // prog_type 3
  20: "R2", // prog_type 3
  21: "R2", // prog_type 3
  22: "gR1:map_ptr", // prog_type 2
  23: "R2", // prog_type 3
  24: "ok", // prog_type 3
  25: "gR2", // prog_type 2
  26: "R2", // prog_type 3
  27: "gR2", // prog_type 2
  28: "R1:fp, pkt, pkt_meta, map_key, map_value, mem, ringbuf_mem, buf, trusted_ptr_", // prog_type 3
  29: "R2", // prog_type 3
  30: "R2", // prog_type 3
  31: "R2", // prog_type 3
  32: "R2", // prog_type 3
  33: "R2", // prog_type 3
  34: "ok", // prog_type 3
  35: "gok", // prog_type 2
  37: "R1:map_ptr", // prog_type 2
  38: "R2", // prog_type 3
  39: "R2", // prog_type 3
  40: "R2", // prog_type 3
  41: "ok", // prog_type 3
  42: "ok", // prog_type 2
  43: "R2", // prog_type 3
  44: "R2", // prog_type 6
  45: "gR1:fp, pkt, pkt_meta, map_key, map_value, mem, ringbuf_mem, buf, trusted_ptr_", // prog_type 2
  46: "ok", // prog_type 3
  47: "ok", // prog_type 3
  48: "R2", // prog_type 3
  49: "R2", // prog_type 13
  50: "R2", // prog_type 3
  51: "R1:map_ptr", // prog_type 6
  52: "R2", // prog_type 14
  53: "R2", // prog_type 13
  54: "R2", // prog_type 6
  55: "gR1:map_ptr", // prog_type 2
  56: "gR2", // prog_type 7
  57: "R2", // prog_type 13
  59: "R2", // prog_type 13
  60: "R2", // prog_type 16
  61: "R2", // prog_type 16
  62: "R2", // prog_type 16
  63: "R2", // prog_type 16
  65: "R2", // prog_type 6
  66: "R2", // prog_type 3
  67: "gR2", // prog_type 2
  68: "R2", // prog_type 3
  69: "gR2", // prog_type 3
  70: "R2", // prog_type 13
  71: "R2", // prog_type 16
  72: "R2", // prog_type 14
  73: "R2", // prog_type 10
  74: "R2", // prog_type 19
  75: "R2", // prog_type 19
  76: "R2", // prog_type 19
  79: "ok", // prog_type 3
  80: "ok", // prog_type 2
  81: "R1:map_ptr", // prog_type 8
  82: "R2", // prog_type 21
  83: "R2", // prog_type 3
  84: "R2", // prog_type 3
  85: "R2", // prog_type 3
  86: "R1:sock_common, sock, tcp_sock, xdp_sock, ptr_, trusted_ptr_", // prog_type 3
  87: "R1:map_ptr", // prog_type 2
  88: "R1:map_ptr", // prog_type 2
  89: "R1:map_ptr", // prog_type 2
  90: "R2", // prog_type 16
  91: "R2", // prog_type 16
  93: "R1:map_value, ptr_", // prog_type 2
  94: "R1:map_value, ptr_", // prog_type 2
  95: "R1:sock_common, sock, tcp_sock, xdp_sock", // prog_type 3
  96: "R1:sock_common, sock, tcp_sock, xdp_sock", // prog_type 3
  97: "ok", // prog_type 3
  98: "R1:sock_common, sock, tcp_sock, xdp_sock", // prog_type 3
  99: "R2", // prog_type 3
  100: "gR1:sock_common, sock, tcp_sock, xdp_sock, ptr_, trusted_ptr_", // prog_type 3
  101: "R2", // prog_type 23
  102: "R2", // prog_type 23
  103: "R2", // prog_type 23
  104: "R2", // prog_type 23
  105: "R1:fp, pkt, pkt_meta, map_key, map_value, mem, ringbuf_mem, buf, trusted_ptr_", // prog_type 2
  106: "R1:fp, pkt, pkt_meta, map_key, map_value, mem, ringbuf_mem, buf, trusted_ptr_", // prog_type 2
  107: "R1:map_ptr", // prog_type 3
  108: "R1:map_ptr", // prog_type 3
  109: "ok", // prog_type 2
  110: "gR1:sock_common, sock, tcp_sock, xdp_sock, ptr_, trusted_ptr_", // prog_type 3
  112: "gR1:fp, pkt, pkt_meta, map_key, map_value, mem, ringbuf_mem, buf, trusted_ptr_", // prog_type 2
  113: "gR1:fp, pkt, pkt_meta, map_key, map_value, mem, ringbuf_mem, buf, trusted_ptr_", // prog_type 2
  114: "gR1:fp, pkt, pkt_meta, map_key, map_value, mem, ringbuf_mem, buf, trusted_ptr_", // prog_type 2
  115: "gR1:fp, pkt, pkt_meta, map_key, map_value, mem, ringbuf_mem, buf, trusted_ptr_", // prog_type 2
  117: "ok", // prog_type 2
  118: "ok", // prog_type 2
  119: "gR2", // prog_type 7
  120: "R2", // prog_type 2
  122: "ok", // prog_type 3
  123: "ok", // prog_type 2
  124: "R2", // prog_type 3
  125: "ok", // prog_type 2
  128: "R1:sock_common, sock, tcp_sock, xdp_sock, ptr_, trusted_ptr_", // prog_type 8
  129: "R1:sock_common, sock, tcp_sock, xdp_sock, ptr_, trusted_ptr_", // prog_type 8
  130: "R1:map_ptr", // prog_type 2
  131: "R1:map_ptr", // prog_type 2
  132: "R1:ringbuf_mem", // prog_type 2
  133: "R1:ringbuf_mem", // prog_type 2
  134: "R1:map_ptr", // prog_type 2
  135: "R2", // prog_type 3
  136: "R1:sock_common, sock, tcp_sock, xdp_sock, ptr_, trusted_ptr_", // prog_type 3
  137: "R1:sock_common, sock, tcp_sock, xdp_sock, ptr_, trusted_ptr_", // prog_type 3
  138: "R1:sock_common, sock, tcp_sock, xdp_sock, ptr_, trusted_ptr_", // prog_type 3
  139: "R1:sock_common, sock, tcp_sock, xdp_sock, ptr_, trusted_ptr_", // prog_type 3
  140: "R1:sock_common, sock, tcp_sock, xdp_sock, ptr_, trusted_ptr_", // prog_type 3
  141: "R1:ptr_, trusted_ptr_, rcu_ptr_", // prog_type 2
  142: "R2", // prog_type 13
  143: "R2", // prog_type 13
  144: "R2", // prog_type 13
  148: "sleep", // prog_type 2
  149: "R1:fp, pkt, pkt_meta, map_key, map_value, mem, ringbuf_mem, buf, trusted_ptr_", // prog_type 2
  151: "ok", // prog_type 3
  152: "R2", // prog_type 3
  153: "R1:percpu_ptr_, percpu_rcu_ptr_, percpu_trusted_ptr_", // prog_type 2
  154: "R1:percpu_ptr_, percpu_rcu_ptr_, percpu_trusted_ptr_", // prog_type 2
  155: "R2", // prog_type 3
  156: "R1:map_ptr", // prog_type 2
  157: "R1:map_ptr", // prog_type 2
  158: "gok", // prog_type 2
  160: "ok", // prog_type 3
  163: "gR2", // prog_type 3
  164: "R1:map_ptr", // prog_type 2
  165: "gR1:fp, pkt, pkt_meta, map_key, map_value, mem, ringbuf_mem, buf, trusted_ptr_", // prog_type 2
  169: "gR1:map_value", // prog_type 2
  170: "gR1:map_value", // prog_type 2
  171: "gR1:map_value", // prog_type 2
  172: "gR1:map_value", // prog_type 2
  173: "gok", // prog_type 2
  174: "ok", // prog_type 2
  175: "gR1:ptr_, trusted_ptr_, rcu_ptr_", // prog_type 2
  176: "gR1:fp, pkt, pkt_meta, map_key, map_value, mem, ringbuf_mem, buf, trusted_ptr_", // prog_type 2
  177: "gR1:fp, pkt, pkt_meta, map_key, map_value, mem, ringbuf_mem, buf, trusted_ptr_", // prog_type 2
  178: "R1:sock_common, sock, tcp_sock, xdp_sock, ptr_, trusted_ptr_", // prog_type 3
  180: "R1:ptr_, trusted_ptr_, rcu_ptr_", // prog_type 2
  181: "R2", // prog_type 2
  182: "R1:fp, pkt, pkt_meta, map_key, map_value, mem, ringbuf_mem, buf, trusted_ptr_", // prog_type 2
  186: "ok", // prog_type 9
  187: "ok", // prog_type 9
  188: "ok", // prog_type 6
  189: "R2", // prog_type 6
  190: "R2", // prog_type 6
  191: "gsleep", // prog_type 2
  192: "R2", // prog_type 3
  194: "R1:map_value, ptr_", // prog_type 2
  195: "R1:map_ptr", // prog_type 2
  196: "R1:sock_common, sock, tcp_sock, xdp_sock", // prog_type 3
  197: "R1:fp, pkt, pkt_meta, map_key, map_value, mem, ringbuf_mem, buf, trusted_ptr_", // prog_type 2
  198: "R1:map_ptr", // prog_type 2
  199: "R1:fp, dynptr_ptr", // prog_type 2
  200: "R1:fp, dynptr_ptr", // prog_type 2
  201: "R1:fp, pkt, pkt_meta, map_key, map_value, mem, ringbuf_mem, buf, trusted_ptr_", // prog_type 2
  202: "R1:fp, dynptr_ptr", // prog_type 2
  203: "R1:fp, dynptr_ptr", // prog_type 2
  204: "gR1:fp, pkt, pkt_meta, map_key, map_value, mem, ringbuf_mem, buf, trusted_ptr_", // prog_type 3
  205: "gR1:fp, pkt, pkt_meta, map_key, map_value, mem, ringbuf_mem, buf, trusted_ptr_", // prog_type 3
  206: "gR1:fp, pkt, pkt_meta, map_key, map_value, mem, ringbuf_mem, buf, trusted_ptr_", // prog_type 3
  207: "gR1:fp, pkt, pkt_meta, map_key, map_value, mem, ringbuf_mem, buf, trusted_ptr_", // prog_type 3
  208: "ok", // prog_type 2
  209: "R1:map_ptr", // prog_type 2
  210: "R1:map_ptr", // prog_type 2
  211: "R1:map_ptr", // prog_type 2
};
