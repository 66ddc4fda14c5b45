// SPDX-License-Identifier: GPL-2.0-only
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import {
  ATTR_END,
  TraceParseError,
  bytesToHex,
  formatAddr,
  hexToBytes,
  parseAddr,
  parseTrace,
  serializeTrace,
} from "../src/trace/format.ts";
import type { Trace } from "../src/trace/format.ts";

// A trace in the shape the runner records: every op kind, masks, a mem image.
// This file tests the syntax only; the E1/E8 rets are the probed kernel's
// (/work/shared/probes/probe_output.txt), the rest is illustrative.
const SAMPLE = [
  `{"bpfemuTrace":1,"name":"sample","description":"every op kind","abi":"linux-6.18","env":{"kind":"root"},"recordedOn":"6.18.44-fc-v657"}`,
  `{"op":"map","addr":"0x10000000","len":16,"hex":"00000000"}`,
  `{"op":"write","addr":"0x10000008","hex":"2a00000000000000"}`,
  `{"op":"bpf","cmd":0,"size":4097,"attr":"00","note":"E1","expect":{"ret":-7,"attr":"00","mem":[]}}`,
  `{"op":"bpf","cmd":0,"size":8,"attr":"","expect":{"ret":-14,"attr":"","mem":[]}}`,
  `{"op":"bpf","cmd":1,"size":32,"attr":"0300000000000000000000100000000008000010000000000000000000000000","expect":{"ret":0,"attr":"0300000000000000000000100000000008000010000000000000000000000000","mem":[{"addr":"0x10000000","hex":"00000000000000000000000000000000"}]},"mask":{"ret":true,"attr":[[0,4]],"mem":[{"addr":"0x10000008","len":8}]}}`,
  `{"op":"close","fd":3,"expect":{"ret":0}}`,
  `{"op":"mkdir","path":"/sys/fs/bpf/d","mode":493,"expect":{"ret":0}}`,
  `{"op":"unlink","path":"/sys/fs/bpf/x","expect":{"ret":-2}}`,
  `{"op":"open","path":"/sys/fs/bpf","flags":65536,"expect":{"ret":4}}`,
].join("\n") + "\n";

function parseError(text: string): TraceParseError {
  try {
    parseTrace(text);
  } catch (e) {
    if (e instanceof TraceParseError) return e;
    throw e;
  }
  throw new Error("parsed without error");
}

const HEADER = `{"bpfemuTrace":1,"name":"t","description":"","abi":"linux-6.18","env":{"kind":"root"},"recordedOn":null}`;

describe("trace format v1", () => {
  it("round-trips byte for byte", () => {
    const t = parseTrace(SAMPLE);
    expect(t.ops).toHaveLength(9);
    expect(serializeTrace(t)).toBe(SAMPLE);
    expect(serializeTrace(parseTrace(serializeTrace(t)))).toBe(SAMPLE);
  });

  it("decodes fields into bigint addresses and byte arrays", () => {
    const t = parseTrace(SAMPLE);
    expect(t.env).toEqual({ kind: "root" });
    expect(t.recordedOn).toBe("6.18.44-fc-v657");
    const map = t.ops[0]!;
    expect(map.op === "map" && map.addr).toBe(0x10000000n);
    const e2big = t.ops[2]!;
    if (e2big.op !== "bpf") throw new Error("op kind");
    expect(e2big.cmd).toBe(0);
    expect(e2big.size).toBe(4097);
    expect(e2big.expect?.ret).toBe(-7);
    const lookup = t.ops[4]!;
    if (lookup.op !== "bpf") throw new Error("op kind");
    expect(lookup.expect?.mem[0]?.addr).toBe(0x10000000n);
    expect(lookup.mask).toEqual({ ret: true, attr: [[0, 4]], mem: [{ addr: 0x10000008n, len: 8 }] });
  });

  it("serializes a userns env with only the options given, in a fixed order", () => {
    const t: Trace = {
      name: "u",
      description: "",
      abi: "linux-6.18",
      env: { kind: "userns", bpffs: { delegate_progs: "XDP", delegate_cmds: "map_create" } },
      recordedOn: null,
      ops: [],
    };
    const text = serializeTrace(t);
    expect(text).toBe(
      `{"bpfemuTrace":1,"name":"u","description":"","abi":"linux-6.18","env":{"kind":"userns","bpffs":{"delegate_cmds":"map_create","delegate_progs":"XDP"}},"recordedOn":null}\n`,
    );
    expect(parseTrace(text)).toEqual(t);
  });

  it("treats a missing recordedOn as null and skips blank lines", () => {
    const t = parseTrace(`{"bpfemuTrace":1,"name":"t","description":"","abi":"linux-6.18","env":{"kind":"nocap"}}\n\n{"op":"close","fd":3}\n\n`);
    expect(t.recordedOn).toBeNull();
    expect(t.ops).toEqual([{ op: "close", fd: 3 }]);
  });

  it("hex and address helpers", () => {
    expect(bytesToHex(new Uint8Array([0, 1, 0xab, 0xff]))).toBe("0001abff");
    expect(hexToBytes("0001abff")).toEqual(new Uint8Array([0, 1, 0xab, 0xff]));
    expect(() => hexToBytes("ABCD")).toThrow(RangeError);
    expect(() => hexToBytes("abc")).toThrow(RangeError);
    expect(formatAddr(ATTR_END)).toBe("0x7ff000100000");
    expect(parseAddr("0x7ff000100000")).toBe(ATTR_END);
    expect(() => parseAddr("4096")).toThrow(RangeError);
    expect(() => parseAddr("0x1" + "0".repeat(16))).toThrow(RangeError);
  });

  it("the native runner places the attr at the same ATTR_END", () => {
    const src = readFileSync(new URL("../native/bpfrun.c", import.meta.url), "utf8");
    expect(src).toMatch(new RegExp(`#define ATTR_END ${formatAddr(ATTR_END)}ULL`));
  });

  describe("errors name the line and the field", () => {
    const cases: [string, string, RegExp][] = [
      ["empty file", "", /^line 1: empty trace/],
      ["not JSON", `${HEADER}\n{"op":"close",`, /^line 2: invalid JSON/],
      ["no header", `{"op":"close","fd":3}`, /^line 1, field "bpfemuTrace": missing/],
      ["future version", HEADER.replace(`"bpfemuTrace":1`, `"bpfemuTrace":2`), /^line 1, field "bpfemuTrace": unsupported trace version 2/],
      ["bad env kind", HEADER.replace(`"root"`, `"admin"`), /^line 1, field "env.kind": unknown env kind "admin"/],
      ["unknown delegate option", HEADER.replace(`{"kind":"root"}`, `{"kind":"userns","bpffs":{"delegate_foo":"any"}}`), /^line 1, field "env.bpffs.delegate_foo": unknown field/],
      ["unknown op", `${HEADER}\n{"op":"ioctl"}`, /^line 2, field "op": unknown op "ioctl"/],
      ["uppercase hex", `${HEADER}\n{"op":"bpf","cmd":0,"size":8,"attr":"AB"}`, /^line 2, field "attr": not lowercase hex/],
      ["odd hex", `${HEADER}\n{"op":"bpf","cmd":0,"size":8,"attr":"abc"}`, /^line 2, field "attr": not lowercase hex/],
      ["decimal address", `${HEADER}\n{"op":"map","addr":"4096","len":8}`, /^line 2, field "addr": not a "0x\.\.\." lowercase hex address/],
      ["unaligned map", `${HEADER}\n{"op":"map","addr":"0x1001","len":8}`, /^line 2, field "addr": not page-aligned/],
      ["map in the attr window", `${HEADER}\n{"op":"map","addr":"0x7ff000100000","len":8}`, /^line 2, field "addr": region overlaps the attr window/],
      ["size not u32", `${HEADER}\n{"op":"bpf","cmd":0,"size":-1,"attr":""}`, /^line 2, field "size": -1 is outside \[0, 4294967295\]/],
      ["fractional fd", `${HEADER}\n{"op":"close","fd":3.5}`, /^line 2, field "fd": expected an integer/],
      ["typo in a field", `${HEADER}\n{"op":"close","fd":3,"expcet":{"ret":0}}`, /^line 2, field "expcet": unknown field/],
      ["expect attr length", `${HEADER}\n{"op":"bpf","cmd":0,"size":8,"attr":"00","expect":{"ret":0,"attr":"0000","mem":[]}}`, /^line 2, field "expect.attr": has 2 bytes, the op's attr has 1/],
      ["mem image without addr", `${HEADER}\n{"op":"bpf","cmd":0,"size":8,"attr":"","expect":{"ret":0,"attr":"","mem":[{"hex":"00"}]}}`, /^line 2, field "expect.mem\[0\].addr": missing/],
      ["mask ret false", `${HEADER}\n{"op":"close","fd":3,"mask":{"ret":false}}`, /^line 2, field "mask.ret": expected true/],
      ["mask attr range", `${HEADER}\n{"op":"bpf","cmd":0,"size":8,"attr":"","mask":{"attr":[[0]]}}`, /^line 2, field "mask.attr\[0\]": expected \[offset, length\]/],
      ["second header", `${HEADER}\n${HEADER}`, /^line 2, field "bpfemuTrace": a second header/],
      ["map hex longer than len", `${HEADER}\n{"op":"map","addr":"0x10000000","len":1,"hex":"0000"}`, /^line 2, field "hex": 2 bytes do not fit in len 1/],
    ];
    for (const [what, text, re] of cases) {
      it(what, () => {
        expect(parseError(text).message).toMatch(re);
      });
    }
  });
});
