// SPDX-License-Identifier: GPL-2.0-only
// The committed 6.18 tables against the kernel this test runs on: regenerate
// from /sys/kernel/btf/vmlinux and compare, and compare with pahole's view of
// the same live BTF. Skips (with a printed reason) when the BTF file is not
// readable or pahole is not installed.

import { execFileSync } from "node:child_process";
import { accessSync, constants } from "node:fs";
import { describe, expect, it } from "vitest";

import { parsePahole } from "../scripts/btf/pahole.ts";
import { generate } from "../scripts/gen-uapi.ts";
import type { FieldDesc, StructLayout, UapiTables } from "../src/uapi/layout.ts";
import { linux_6_18 } from "../src/uapi/gen/index.ts";

const LIVE_BTF = "/sys/kernel/btf/vmlinux";
const STRUCTS = ["bpf_map_info", "bpf_prog_info", "bpf_btf_info", "bpf_link_info", "bpf_token_info", "bpf_insn"];

function readable(path: string): boolean {
  try {
    accessSync(path, constants.R_OK);
    return true;
  } catch {
    return false;
  }
}

function hasPahole(): boolean {
  try {
    execFileSync("pahole", ["--version"], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
}

const haveBtf = readable(LIVE_BTF);
const havePahole = haveBtf && hasPahole();
if (!haveBtf) console.log(`uapi-live: ${LIVE_BTF} is not readable, skipping live BTF comparisons`);
else if (!havePahole) console.log("uapi-live: pahole is not installed, skipping pahole comparisons");

/** Every leaf of union bpf_attr, deduplicated by arm. */
function attrFields(t: UapiTables): FieldDesc[] {
  const arms = new Set<readonly FieldDesc[]>();
  for (const c of t.commands) arms.add(c.fields);
  return [...arms].flat();
}

const pos = (f: FieldDesc) => ({
  name: f.name,
  offset: f.offset,
  size: f.size,
  bitOffset: f.bitOffset,
  bitSize: f.bitSize,
});

describe.skipIf(!haveBtf)(`committed tables vs ${LIVE_BTF}`, () => {
  // Generated lazily inside the tests so a skipped suite never touches the file.
  let live: UapiTables | undefined;
  const tables = (): UapiTables => (live ??= generate(LIVE_BTF).model.tables);

  it("has the same sizeof(union bpf_attr) and every bpf_attr field at the same offset and size", () => {
    const t = tables();
    expect(t.attrSize).toBe(linux_6_18.attrSize);
    expect(attrFields(t).map(pos)).toEqual(attrFields(linux_6_18).map(pos));
  });

  it("has the same CHECK_ATTR end and arm for every command", () => {
    const ends = (x: UapiTables) => x.commands.map((c) => ({ cmd: c.cmd, name: c.name, lastField: c.lastField, end: c.end, fields: c.fields.map(pos) }));
    expect(ends(tables())).toEqual(ends(linux_6_18));
  });

  it.each(STRUCTS)("has the same layout of %s", (name) => {
    const ours: StructLayout | undefined = linux_6_18.structs[name];
    const theirs = tables().structs[name];
    expect(theirs).toBeDefined();
    expect(theirs).toEqual(ours);
  });

  it("has the same enums", () => {
    expect(tables().enums).toEqual(linux_6_18.enums);
  });
});

describe.skipIf(!havePahole)(`committed tables vs pahole -C ... ${LIVE_BTF}`, () => {
  const dump = (name: string) => {
    const text = execFileSync("pahole", ["-C", name, LIVE_BTF], {
      encoding: "utf8",
      // pahole 1.24 warns about BTF kinds it predates (DECL_TAG, TYPE_TAG) on stderr.
      stdio: ["ignore", "pipe", "ignore"],
    });
    const types = parsePahole(text);
    expect(types.map((t) => t.name)).toEqual([name]);
    return types[0]!;
  };

  it.each(["bpf_attr", ...STRUCTS])("%s: every pahole leaf has our offset and size", (name) => {
    const type = dump(name);
    const ours = name === "bpf_attr" ? attrFields(linux_6_18) : linux_6_18.structs[name]!.fields;
    if (type.size !== undefined) expect(linux_6_18.structs[name]!.size).toBe(type.size);
    expect(type.leaves.length).toBe(ours.length);
    for (const leaf of type.leaves) {
      const f = ours.find((o) => o.name === leaf.path);
      expect(f, `${name}.${leaf.path}`).toBeDefined();
      expect({ offset: f!.offset, size: f!.size, bitOffset: f!.bitOffset, bitSize: f!.bitSize }, leaf.path).toEqual({
        offset: leaf.offset,
        size: leaf.size,
        bitOffset: leaf.bitOffset,
        bitSize: leaf.bitSize,
      });
    }
  });
});
