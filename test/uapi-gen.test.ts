// SPDX-License-Identifier: GPL-2.0-only
// The generated uapi tables: reproducible from the committed BTF fixture, and
// checked against numbers that do not come from our own code -- the CHECK_ATTR
// ends probed on the live 6.18 kernel, pahole's reading of the same BTF, and
// bpftool's raw dump of every type.

import { execFileSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";

import { dumpBtf } from "../scripts/btf/dump.ts";
import { parseBtf } from "../scripts/btf/parse.ts";
import { parsePahole } from "../scripts/btf/pahole.ts";
import type { Generated } from "../scripts/gen-uapi.ts";
import { generate, readBtfFile, REPO_ROOT } from "../scripts/gen-uapi.ts";
import type { FieldDesc, StructLayout } from "../src/uapi/layout.ts";
import {
  __MAX_BPF_ATTACH_TYPE,
  __MAX_BPF_CMD,
  __MAX_BPF_LINK_TYPE,
  __MAX_BPF_MAP_TYPE,
  BPF_CMD,
  BPF_F,
  linux_6_18,
} from "../src/uapi/gen/index.ts";

const FIXTURE = join(REPO_ROOT, "fixtures/btf/vmlinux-6.18.btf.gz");
const PAHOLE_DIR = join(REPO_ROOT, "fixtures/btf/pahole-6.18");

/**
 * offsetofend(union bpf_attr, BPF_<CMD>_LAST_FIELD) for cmd 0..37, swept on the
 * live 6.18.44 kernel: probes SW0..SW37 in /work/shared/probes/probe2.c, results
 * in probe2_output.txt, tabulated in /work/shared/docs/kernel-6.18-bpf-syscall.md §2.
 * Each sweep found the first byte whose nonzero value turns the command's
 * result into -EINVAL.
 */
const PROBED_END: readonly (readonly [string, number])[] = [
  ["MAP_CREATE", 92],
  ["MAP_LOOKUP_ELEM", 32],
  ["MAP_UPDATE_ELEM", 32],
  ["MAP_DELETE_ELEM", 16],
  ["MAP_GET_NEXT_KEY", 24],
  ["PROG_LOAD", 168],
  ["OBJ_PIN", 20],
  ["OBJ_GET", 20],
  ["PROG_ATTACH", 32],
  ["PROG_DETACH", 32],
  ["PROG_TEST_RUN", 76],
  ["PROG_GET_NEXT_ID", 8],
  ["MAP_GET_NEXT_ID", 8],
  ["PROG_GET_FD_BY_ID", 4],
  ["MAP_GET_FD_BY_ID", 12],
  ["OBJ_GET_INFO_BY_FD", 16],
  ["PROG_QUERY", 64],
  ["RAW_TRACEPOINT_OPEN", 24],
  ["BTF_LOAD", 40],
  ["BTF_GET_FD_BY_ID", 16],
  ["TASK_FD_QUERY", 48],
  ["MAP_LOOKUP_AND_DELETE_ELEM", 32],
  ["MAP_FREEZE", 4],
  ["BTF_GET_NEXT_ID", 8],
  ["MAP_LOOKUP_BATCH", 56],
  ["MAP_LOOKUP_AND_DELETE_BATCH", 56],
  ["MAP_UPDATE_BATCH", 56],
  ["MAP_DELETE_BATCH", 56],
  ["LINK_CREATE", 60],
  ["LINK_UPDATE", 16],
  ["LINK_GET_FD_BY_ID", 4],
  ["LINK_GET_NEXT_ID", 8],
  ["ENABLE_STATS", 4],
  ["ITER_CREATE", 8],
  ["LINK_DETACH", 4],
  ["PROG_BIND_MAP", 12],
  ["TOKEN_CREATE", 8],
  ["PROG_STREAM_READ_BY_FD", 20],
];

/** Every leaf of union bpf_attr: the distinct arm arrays the commands point at. */
function attrFields(): FieldDesc[] {
  const arms = new Set<readonly FieldDesc[]>();
  for (const c of linux_6_18.commands) arms.add(c.fields);
  return [...arms].flat();
}

function hasTool(name: string): boolean {
  try {
    execFileSync(name, ["--version"], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
}

describe("gen-uapi output", () => {
  let gen: Generated;
  beforeAll(() => {
    gen = generate(FIXTURE);
  });

  it("regenerates byte-identical files from the committed fixture", () => {
    expect([...gen.files.keys()].sort()).toEqual(["src/uapi/gen/consts-6.18.ts", "src/uapi/gen/linux-6.18.ts"]);
    for (const [rel, text] of gen.files) {
      expect(readFileSync(join(REPO_ROOT, rel), "utf8"), rel).toBe(text);
    }
  });

  it("starts every generated file with the licence and provenance header", () => {
    for (const text of gen.files.values()) {
      const [spdx, generated] = text.split("\n");
      expect(spdx).toBe("// SPDX-License-Identifier: GPL-2.0-only");
      expect(generated).toMatch(/^\/\/ @generated from linux 6\.18\.44-fc-v657 BTF .* by scripts\/gen-uapi\.ts -- DO NOT EDIT$/);
    }
  });

  it("parses the 5 MB fixture quickly", () => {
    const bytes = readBtfFile(FIXTURE);
    const t0 = performance.now();
    const btf = parseBtf(bytes);
    const ms = performance.now() - t0;
    expect(btf.types.length).toBeGreaterThan(100_000);
    // Parsing is most of the generator's time (about 0.3 s here); 2 s is the budget, with headroom for a loaded CI box.
    expect(ms).toBeLessThan(2000);
  });
});

describe("linux_6_18 commands", () => {
  it("has one entry per bpf_cmd, indexed by cmd", () => {
    expect(linux_6_18.commands).toHaveLength(__MAX_BPF_CMD);
    expect(__MAX_BPF_CMD).toBe(38);
    linux_6_18.commands.forEach((c, i) => {
      expect(c.cmd).toBe(i);
      expect(BPF_CMD[c.name as keyof typeof BPF_CMD]).toBe(i);
    });
  });

  it.each(PROBED_END.map(([name, end], cmd) => ({ cmd, name, end })))(
    "cmd $cmd $name: end is the kernel-probed $end",
    ({ cmd, name, end }) => {
      const c = linux_6_18.commands[cmd]!;
      expect(c.name).toBe(name);
      expect(c.end).toBe(end);
      // the end must be the end of the named LAST_FIELD in the command's own arm
      const last = c.fields.find((f) => f.name === c.lastField);
      expect(last, c.lastField).toBeDefined();
      expect(last!.offset + last!.size).toBe(end);
    },
  );

  it("has sizeof(union bpf_attr) = 168 (tail checks start there: doc §1, probes E3-E5)", () => {
    expect(linux_6_18.attrSize).toBe(168);
    for (const f of attrFields()) expect(f.offset + f.size).toBeLessThanOrEqual(168);
  });
});

describe("pahole dumps (fixtures/btf/pahole-6.18) agree with our flattening", () => {
  const files = readdirSync(PAHOLE_DIR).filter((f) => f.startsWith("pahole_") && f.endsWith(".txt"));

  it("covers bpf_attr and the six structs", () => {
    expect(files.sort()).toEqual(
      ["attr", "btf_info", "insn", "link_info", "map_info", "prog_info", "token_info"].map((s) => `pahole_bpf_${s}.txt`),
    );
  });

  it.each(files)("%s", (file) => {
    const [type] = parsePahole(readFileSync(join(PAHOLE_DIR, file), "utf8"));
    expect(type).toBeDefined();
    let ours: readonly FieldDesc[];
    if (type!.name === "bpf_attr") {
      ours = attrFields();
    } else {
      const s: StructLayout | undefined = linux_6_18.structs[type!.name];
      expect(s, type!.name).toBeDefined();
      ours = s!.fields;
      if (type!.size !== undefined) expect(s!.size).toBe(type!.size);
    }
    // Same number of leaves both ways, and each pahole leaf is one of ours with the same position.
    expect(ours.length).toBe(type!.leaves.length);
    for (const leaf of type!.leaves) {
      const f = ours.find((o) => o.name === leaf.path);
      expect(f, `${type!.name}.${leaf.path}`).toBeDefined();
      expect({ offset: f!.offset, size: f!.size }, leaf.path).toEqual({ offset: leaf.offset, size: leaf.size });
      if (leaf.bitSize !== undefined) {
        expect(f!.kind).toBe("bits");
        expect({ bitOffset: f!.bitOffset, bitSize: f!.bitSize }, leaf.path).toEqual({
          bitOffset: leaf.bitOffset,
          bitSize: leaf.bitSize,
        });
      } else {
        expect(f!.kind).not.toBe("bits");
      }
    }
  });
});

describe("enums and consts", () => {
  // The numbers below are the ones listed in /work/shared/probes/enums.txt
  // (bpftool dump of the live kernel's BTF) and the flag table of doc §2.
  it("has the sentinels of the live kernel", () => {
    expect(__MAX_BPF_MAP_TYPE).toBe(34);
    expect(__MAX_BPF_ATTACH_TYPE).toBe(58);
    expect(__MAX_BPF_LINK_TYPE).toBe(15);
  });

  it("keeps the PROG_RUN alias in enum order", () => {
    const cmd = linux_6_18.enums["bpf_cmd"]!.values;
    expect(cmd.filter((v) => v.value === 10).map((v) => v.name)).toEqual(["BPF_PROG_TEST_RUN", "BPF_PROG_RUN"]);
  });

  it("has the map flags of doc §2", () => {
    expect(BPF_F.NO_PREALLOC).toBe(0x1);
    expect(BPF_F.TOKEN_FD).toBe(0x10000);
    expect(BPF_F.NO_USER_CONV).toBe(0x40000);
    expect(linux_6_18.enums["BPF_ANY"]!.values).toEqual([
      { name: "BPF_ANY", value: 0 },
      { name: "BPF_NOEXIST", value: 1 },
      { name: "BPF_EXIST", value: 2 },
      { name: "BPF_F_LOCK", value: 4 },
    ]);
  });
});

describe.skipIf(!hasTool("bpftool"))("parser vs bpftool btf dump (raw)", () => {
  it("renders every type of the fixture exactly as bpftool does", () => {
    const bytes = readBtfFile(FIXTURE);
    const dir = mkdtempSync(join(tmpdir(), "bpfemu-btf-"));
    try {
      const raw = join(dir, "vmlinux.btf");
      writeFileSync(raw, bytes);
      const theirs = execFileSync("bpftool", ["btf", "dump", "file", raw], {
        encoding: "utf8",
        maxBuffer: 256 << 20,
        stdio: ["ignore", "pipe", "ignore"],
      });
      const ours = dumpBtf(parseBtf(bytes));
      if (ours !== theirs) {
        // Report the first differing line rather than two 10 MB strings.
        const a = ours.split("\n");
        const b = theirs.split("\n");
        const i = a.findIndex((l, k) => l !== b[k]);
        expect(a[i], `line ${i + 1}`).toBe(b[i]);
      }
      expect(ours.length).toBe(theirs.length);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
if (!hasTool("bpftool")) console.log("uapi-gen: bpftool not installed, skipping the raw-dump comparison");
