// SPDX-License-Identifier: GPL-2.0-only
// The rfc-v1 tables (src/uapi/profiles/rfc-v1.ts): the values the BPF token
// v1 patches and the series' base header state, and, when the base header and
// a C toolchain are at hand, a regeneration check plus an independent gcc
// offsetof()/sizeof() sweep of every field against the committed tables.

import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync, mkdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";

import { applyV1Edits, BASE_BLOB, BASE_LIBBPF_COMMIT, generate, gitBlobId, OUT_FILE, REPO_ROOT } from "../scripts/gen-rfc-v1.ts";
import { Kernel, tablesFor } from "../src/index.ts";
import { rfc_v1 } from "../src/uapi/profiles/rfc-v1.ts";

const enumVal = (e: string, n: string): number | undefined => rfc_v1.enums[e]?.values.find((v) => v.name === n)?.value;
const field = (cmd: string, name: string) => rfc_v1.commands.find((c) => c.name === cmd)?.fields.find((f) => f.name === name);

describe("rfc-v1 tables: values stated by the v1 patches and the base header", () => {
  it("is registered: tablesFor('rfc-v1') and new Kernel({abi: 'rfc-v1'})", () => {
    expect(tablesFor("rfc-v1")).toBe(rfc_v1);
    expect(new Kernel({ abi: "rfc-v1" }).tables).toBe(rfc_v1);
  });

  it("sizeof(union bpf_attr) is 152: prog_load grows to 148 and the union is 8-aligned (doc §1.2)", () => {
    expect(rfc_v1.attrSize).toBe(152);
  });

  it("token_create {flags@0 u32, token_fd@4 u32, allowed_cmds@8, allowed_map_types@16, allowed_prog_types@24, allowed_attach_types@32} (doc §1.2; P01/P07/P14)", () => {
    const rows = rfc_v1.commands[36]!.fields.map((f) => [f.name, f.offset, f.size, f.type]);
    expect(rows).toEqual([
      ["token_create.flags", 0, 4, "__u32"],
      ["token_create.token_fd", 4, 4, "__u32"],
      ["token_create.allowed_cmds", 8, 8, "__u64"],
      ["token_create.allowed_map_types", 16, 8, "__u64"],
      ["token_create.allowed_prog_types", 24, 8, "__u64"],
      ["token_create.allowed_attach_types", 32, 8, "__u64"],
    ]);
  });

  it("token fds are unsigned u32 fields at map_token_fd@72, btf_token_fd@32, prog_token_fd@144 (doc §1.2; P07/P10/P14)", () => {
    expect(field("MAP_CREATE", "map_token_fd")).toMatchObject({ offset: 72, size: 4, type: "__u32", kind: "u32" });
    expect(field("BTF_LOAD", "btf_token_fd")).toMatchObject({ offset: 32, size: 4, type: "__u32", kind: "u32" });
    expect(field("PROG_LOAD", "prog_token_fd")).toMatchObject({ offset: 144, size: 4, type: "__u32", kind: "u32" });
    // None of the later fields exist.
    for (const [cmd, f] of [
      ["MAP_CREATE", "value_type_btf_obj_fd"],
      ["MAP_CREATE", "excl_prog_hash"],
      ["PROG_LOAD", "fd_array_cnt"],
      ["PROG_LOAD", "signature"],
      ["PROG_LOAD", "keyring_id"],
      ["BTF_LOAD", "btf_flags"],
      ["PROG_ATTACH", "relative_fd"],
      ["PROG_ATTACH", "expected_revision"],
      ["PROG_QUERY", "query.revision"],
      ["BTF_GET_FD_BY_ID", "fd_by_id_token_fd"],
      ["RAW_TRACEPOINT_OPEN", "raw_tracepoint.cookie"],
    ] as const)
      expect(field(cmd, f), `${cmd}.${f}`).toBeUndefined();
  });

  it("CHECK_ATTR ends: the series' three token commands and TOKEN_CREATE (doc §1.2: 76, 36, 148, 40)", () => {
    const end = (n: string) => rfc_v1.commands.find((c) => c.name === n)?.end;
    expect(end("MAP_CREATE")).toBe(76);
    expect(end("BTF_LOAD")).toBe(36);
    expect(end("PROG_LOAD")).toBe(148);
    expect(end("TOKEN_CREATE")).toBe(40);
  });

  it("LAST_FIELDs of the other commands are the base tree's (RFC 'revamp bpf_attr' of 2023-05-24, same base blob; tcx, uprobe_multi and raw_tp-cookie series)", () => {
    const last = Object.fromEntries(rfc_v1.commands.map((c) => [c.name, c.lastField]));
    expect(last).toMatchObject({
      MAP_LOOKUP_ELEM: "flags",
      MAP_UPDATE_ELEM: "flags",
      MAP_DELETE_ELEM: "key",
      MAP_GET_NEXT_KEY: "next_key",
      MAP_LOOKUP_AND_DELETE_ELEM: "flags",
      MAP_FREEZE: "map_fd",
      OBJ_PIN: "path_fd",
      OBJ_GET: "path_fd",
      PROG_ATTACH: "replace_bpf_fd",
      PROG_DETACH: "attach_type",
      PROG_GET_NEXT_ID: "next_id",
      PROG_GET_FD_BY_ID: "prog_id",
      MAP_GET_FD_BY_ID: "open_flags",
      BTF_GET_FD_BY_ID: "btf_id",
      LINK_GET_FD_BY_ID: "link_id",
      PROG_QUERY: "query.prog_attach_flags",
      LINK_CREATE: "link_create.kprobe_multi.cookies",
      RAW_TRACEPOINT_OPEN: "raw_tracepoint.prog_fd",
    });
  });

  it("enum bpf_cmd is 0..36 with BPF_TOKEN_CREATE = 36, no __MAX_BPF_CMD and no PROG_STREAM_READ_BY_FD; cmd 37 is EINVAL (doc §1.1; P01)", () => {
    expect(rfc_v1.commands.length).toBe(37);
    expect(enumVal("bpf_cmd", "BPF_TOKEN_CREATE")).toBe(36);
    expect(enumVal("bpf_cmd", "BPF_PROG_BIND_MAP")).toBe(35);
    expect(enumVal("bpf_cmd", "__MAX_BPF_CMD")).toBeUndefined();
    expect(enumVal("bpf_cmd", "BPF_PROG_STREAM_READ_BY_FD")).toBeUndefined();
    const t = new Kernel({ abi: "rfc-v1" }).spawn();
    expect(t.sys_bpf(37, new Uint8Array(152), 152)).toBe(-22);
  });

  it("sentinels: __MAX_BPF_MAP_TYPE 33 (P07), __MAX_BPF_PROG_TYPE 33 (P14), __MAX_BPF_ATTACH_TYPE 45 (base header: BPF_STRUCT_OPS = 44 is last; the doc's 46 counts BPF_NETFILTER, authored 2023-06-05)", () => {
    expect(enumVal("bpf_map_type", "__MAX_BPF_MAP_TYPE")).toBe(33);
    expect(enumVal("bpf_map_type", "BPF_MAP_TYPE_CGRP_STORAGE")).toBe(32);
    expect(enumVal("bpf_prog_type", "__MAX_BPF_PROG_TYPE")).toBe(33);
    expect(enumVal("bpf_prog_type", "BPF_PROG_TYPE_NETFILTER")).toBe(32);
    expect(enumVal("bpf_attach_type", "__MAX_BPF_ATTACH_TYPE")).toBe(45);
    expect(enumVal("bpf_attach_type", "BPF_STRUCT_OPS")).toBe(44);
    expect(enumVal("bpf_attach_type", "BPF_NETFILTER")).toBeUndefined();
  });

  it("BPF_F_TOKEN_IGNORE_UNKNOWN_{CMDS,MAP_TYPES,PROG_TYPES,ATTACH_TYPES} = 1, 2, 4, 8 (doc §1.1)", () => {
    expect(rfc_v1.enums["BPF_F_TOKEN_IGNORE_UNKNOWN_CMDS"]?.values).toEqual([
      { name: "BPF_F_TOKEN_IGNORE_UNKNOWN_CMDS", value: 1 },
      { name: "BPF_F_TOKEN_IGNORE_UNKNOWN_MAP_TYPES", value: 2 },
      { name: "BPF_F_TOKEN_IGNORE_UNKNOWN_PROG_TYPES", value: 4 },
      { name: "BPF_F_TOKEN_IGNORE_UNKNOWN_ATTACH_TYPES", value: 8 },
    ]);
  });

  it("has no bpf_token_info (added upstream in 2025, doc §3)", () => {
    expect(rfc_v1.structs["bpf_token_info"]).toBeUndefined();
    expect(Object.keys(rfc_v1.structs)).toEqual(["bpf_map_info", "bpf_prog_info", "bpf_btf_info", "bpf_link_info", "bpf_insn"]);
  });
});

// ---------------------------------------------------------------------------
// With the base header: regeneration and an independent gcc sweep.
// ---------------------------------------------------------------------------

function findHeader(): { path: string } | { reason: string } {
  const env = process.env["RFC_V1_BASE_HEADER"];
  if (env !== undefined && existsSync(env)) return { path: env };
  const mirror = "/work/.mirror/libbpf+libbpf/repo";
  if (!existsSync(mirror)) return { reason: `set RFC_V1_BASE_HEADER to libbpf ${BASE_LIBBPF_COMMIT.slice(0, 12)}:include/uapi/linux/bpf.h (no libbpf mirror at ${mirror})` };
  try {
    const text = execFileSync("git", ["-C", mirror, "show", `${BASE_LIBBPF_COMMIT}:include/uapi/linux/bpf.h`], { maxBuffer: 1 << 24 });
    const dir = mkdtempSync(join(tmpdir(), "rfc-v1-hdr-"));
    const path = join(dir, "bpf.h");
    writeFileSync(path, text);
    return { path };
  } catch (e) {
    return { reason: `cannot read the base header from ${mirror}: ${e instanceof Error ? e.message : String(e)}` };
  }
}

function haveTool(cmd: string, args: string[]): boolean {
  try {
    execFileSync(cmd, args, { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
}

const hdr = findHeader();
const tools = haveTool("gcc", ["--version"]) && haveTool("pahole", ["--version"]);
const skipReason = "reason" in hdr ? hdr.reason : !tools ? "gcc and pahole are needed" : "";
if (skipReason !== "") console.log(`[rfc-v1-tables.test] regeneration checks skipped: ${skipReason}`);

describe("rfc-v1 tables: from the base header", () => {
  it.skipIf(skipReason !== "")("the input is the series' base: git blob 9273c654743c, as in P01's 'index' line", () => {
    const path = (hdr as { path: string }).path;
    expect(gitBlobId(new Uint8Array(readFileSync(path)))).toBe(BASE_BLOB);
  });

  it.skipIf(skipReason !== "")("scripts/gen-rfc-v1.ts reproduces the committed file", () => {
    const { text } = generate((hdr as { path: string }).path);
    expect(text === readFileSync(join(REPO_ROOT, OUT_FILE), "utf8")).toBe(true);
  });

  it.skipIf(skipReason !== "")("gcc offsetof()/sizeof() of every bpf_attr field, every info-struct field and each CHECK_ATTR end matches the tables", () => {
    const header = applyV1Edits(readFileSync((hdr as { path: string }).path, "utf8"));
    const dir = mkdtempSync(join(tmpdir(), "rfc-v1-offsetof-"));
    try {
      mkdirSync(join(dir, "inc/linux"), { recursive: true });
      writeFileSync(join(dir, "inc/linux/bpf.h"), header);
      const lines: string[] = [];
      const want: string[] = [];
      const emit = (type: string, name: string, off: number, size: number) => {
        lines.push(`printf("%s %zu %zu\\n", "${type}.${name}", offsetof(${type}, ${name}), sizeof(((${type} *)0)->${name}));`);
        want.push(`${type}.${name} ${off} ${size}`);
      };
      const seen = new Set<string>();
      for (const c of rfc_v1.commands)
        for (const f of c.fields) {
          if (seen.has(f.name)) continue;
          seen.add(f.name);
          emit("union bpf_attr", f.name, f.offset, f.size);
        }
      for (const s of Object.values(rfc_v1.structs))
        for (const f of s.fields) if (f.kind !== "bits") emit(`struct ${s.name}`, f.name, f.offset, f.size);
      for (const c of rfc_v1.commands) {
        lines.push(`printf("end %s %zu\\n", "${c.name}", offsetof(union bpf_attr, ${c.lastField}) + sizeof(((union bpf_attr *)0)->${c.lastField}));`);
        want.push(`end ${c.name} ${c.end}`);
      }
      lines.push(`printf("sizeof %zu\\n", sizeof(union bpf_attr));`);
      want.push(`sizeof ${rfc_v1.attrSize}`);
      for (const s of Object.values(rfc_v1.structs)) {
        lines.push(`printf("sizeof %s %zu\\n", "${s.name}", sizeof(struct ${s.name}));`);
        want.push(`sizeof ${s.name} ${s.size}`);
      }
      const src = `#include <stdio.h>\n#include <stddef.h>\n#include <linux/bpf.h>\nint main(void) {\n${lines.join("\n")}\nreturn 0;\n}\n`;
      writeFileSync(join(dir, "p.c"), src);
      execFileSync("gcc", ["-I", join(dir, "inc"), "-o", join(dir, "p"), join(dir, "p.c")]);
      const got = execFileSync(join(dir, "p"), { encoding: "utf8" }).trim().split("\n");
      expect(got).toEqual(want);
      expect(want.length).toBeGreaterThan(250);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
