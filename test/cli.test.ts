// SPDX-License-Identifier: GPL-2.0-only
// The CLI as a user runs it: `layout --json` against the live kernel's BTF,
// decode/check output, and one-line errors with exit code 2.

import { execFileSync, spawnSync } from "node:child_process";
import { accessSync, constants, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { main, layoutJson } from "../src/cli/main.ts";
import { linux_6_18 } from "../src/index.ts";
import { generate } from "../scripts/gen-uapi.ts";

async function cli(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = "";
  let err = "";
  const code = await main(argv, { out: (s) => (out += s + "\n"), err: (s) => (err += s + "\n") });
  return { code, out, err };
}

const BIN = join(import.meta.dirname, "..", "bin", "bpfemu.js");

describe("bpfemu layout", () => {
  it("--json has the documented shape and every command", async () => {
    const r = await cli("layout", "--json");
    expect(r.code).toBe(0);
    const j = JSON.parse(r.out);
    expect(j.abi).toBe("linux-6.18");
    expect(j.attrSize).toBe(168);
    expect(j.commands).toHaveLength(38);
    expect(j.commands[0]).toMatchObject({ cmd: 0, name: "MAP_CREATE", lastField: "excl_prog_hash_size", end: 92 });
    expect(j.commands[0].fields[0]).toEqual({ name: "map_type", offset: 0, size: 4, type: "__u32" });
    expect(Object.keys(j.structs).sort()).toEqual(["bpf_btf_info", "bpf_insn", "bpf_link_info", "bpf_map_info", "bpf_prog_info", "bpf_token_info"]);
    // Every arm of a union is listed: value and next_key share offset 16.
    const elem = j.commands[1].fields.map((f: { name: string; offset: number }) => `${f.name}@${f.offset}`);
    expect(elem).toEqual(expect.arrayContaining(["value@16", "next_key@16"]));
  });

  let live = false;
  try {
    accessSync("/sys/kernel/btf/vmlinux", constants.R_OK);
    live = true;
  } catch {
    console.log("cli: /sys/kernel/btf/vmlinux is not readable, skipping the live layout comparison");
  }
  it.skipIf(!live)("--json equals the layout derived from the live kernel's BTF", async () => {
    const r = await cli("layout", "--json");
    expect(JSON.parse(r.out)).toEqual(JSON.parse(JSON.stringify(layoutJson(generate("/sys/kernel/btf/vmlinux").model.tables))));
  });

  it("--abi rfc-v1 gives the 152-byte union", async () => {
    const r = await cli("layout", "--json", "--abi", "rfc-v1");
    expect(r.code).toBe(0);
    expect(JSON.parse(r.out).attrSize).toBe(152);
  });
});

describe("bpfemu decode and check", () => {
  it("decodes by name and flags bytes past the last field and the union", async () => {
    const hex = "02000000" + "04000000" + "08000000" + "01000000" + "00".repeat(80) + "01" + "00".repeat(75) + "ff";
    const r = await cli("decode", "BPF_MAP_CREATE", hex);
    expect(r.code).toBe(0);
    expect(r.out).toContain("map_type=BPF_MAP_TYPE_ARRAY");
    expect(r.out).toContain("key_size=4");
    expect(r.out).toMatch(/past LAST_FIELD at 96/);
    expect(r.out).toMatch(/past sizeof\(union bpf_attr\) at 172/);
  });

  it("check runs the bytes and names the failing check", async () => {
    const r = await cli("check", "OBJ_GET_INFO_BY_FD", "2a000000", "--size", "4");
    expect(r.out).toMatch(/= -77 EBADFD/);
    const n = await cli("check", "PROG_QUERY", "00", "--as", "nocap");
    expect(n.out).toMatch(/= -1 EPERM/);
  });

  it("reads @file", async () => {
    const p = join(tmpdir(), `bpfemu-cli-${process.pid}.bin`);
    writeFileSync(p, Uint8Array.from([2, 0, 0, 0]));
    const r = await cli("decode", "0", `@${p}`);
    expect(r.out).toContain("map_type=BPF_MAP_TYPE_ARRAY");
  });
});

describe("bad input: one line, exit 2, no stack trace", () => {
  const cases: [string, string[], RegExp][] = [
    ["unknown command name", ["decode", "NOPE", "00"], /unknown command "NOPE"/],
    ["odd-length hex", ["decode", "0", "abc"], /odd-length hex/],
    ["not hex", ["decode", "0", "zz"], /not hex/],
    ["unreadable file", ["decode", "0", "@/nonexistent/file"], /cannot read/],
    ["unknown subcommand", ["frobnicate"], /unknown command/],
    ["unknown abi", ["layout", "--abi", "linux-2.6"], /unknown ABI/],
  ];
  it.each(cases)("%s", async (_name, argv, msg) => {
    const r = await cli(...argv);
    expect(r.code).toBe(2);
    expect(r.err.trim().split("\n")).toHaveLength(1);
    expect(r.err).toMatch(msg);
  });

  it("the installed bin behaves the same (process exit code, stderr)", () => {
    const r = spawnSync(process.execPath, [BIN, "decode", "0", "abc"], { encoding: "utf8" });
    expect(r.status).toBe(2);
    expect(r.stderr.trim()).toBe("bpfemu: odd-length hex (3 digits)");
    expect(r.stderr).not.toMatch(/at .*\.ts:\d+/);
    const ok = execFileSync(process.execPath, [BIN, "decode", "MAP_CREATE", "02000000"], { encoding: "utf8" });
    expect(ok).toContain("BPF_MAP_TYPE_ARRAY");
  });
});

void linux_6_18;

describe("bpfemu check in a delegated user namespace", () => {
  it("creates a token and shows its masks the way fdinfo does", async () => {
    const r = await cli("check", "TOKEN_CREATE", "0000000003000000", "--as", "userns", "--delegate-cmds", "any", "--delegate-maps", "array:hash");
    expect(r.out).toMatch(/= 4 \(a new fd\)/);
    expect(r.out).toMatch(/allowed_cmds:\tany/);
    // BPF_MAP_TYPE_HASH = 1, BPF_MAP_TYPE_ARRAY = 2
    expect(r.out).toMatch(/allowed_maps:\t0x6/);
    expect(r.out).toMatch(/allowed_progs:\t0x0/);
  });
});
