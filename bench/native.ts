// SPDX-License-Identifier: GPL-2.0-only
// The live-kernel side of the bench: compiles native/bench.c with the
// machine's cc into node_modules/.cache (never a committed binary), feeds it
// the streams and parses its rounds.

import { execFileSync, spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync } from "node:fs";
import { join } from "node:path";
import { bytesToHex } from "../src/trace/format.ts";
import type { SideResult, TimingOptions } from "./emulator.ts";
import type { BenchOp, Stream } from "./streams.ts";

const REPO_ROOT = join(import.meta.dirname, "..");
const SOURCE = join(REPO_ROOT, "native", "bench.c");
const CACHE_DIR = join(REPO_ROOT, "node_modules", ".cache", "bpfemu");
const CFLAGS = ["-O2", "-Wall", "-std=gnu11"];

export function buildBench(): string {
  const src = readFileSync(SOURCE);
  const hash = createHash("sha256").update(src).update(CFLAGS.join(" ")).digest("hex").slice(0, 16);
  const out = join(CACHE_DIR, `bench-${hash}`);
  if (!existsSync(out)) {
    mkdirSync(CACHE_DIR, { recursive: true });
    const tmp = `${out}.${process.pid}.tmp`;
    try {
      execFileSync("cc", [...CFLAGS, "-o", tmp, SOURCE], { stdio: ["ignore", "pipe", "pipe"] });
      renameSync(tmp, out);
    } finally {
      rmSync(tmp, { force: true });
    }
  }
  return out;
}

const utf8 = new TextEncoder();
const hexOrDash = (b: Uint8Array): string => (b.length === 0 ? "-" : bytesToHex(b));

function opLine(o: BenchOp): string {
  switch (o.op) {
    case "map":
      return `M ${o.addr.toString(16)} ${o.len} ${hexOrDash(o.bytes ?? new Uint8Array())}`;
    case "write":
      return `W ${o.addr.toString(16)} ${hexOrDash(o.bytes)}`;
    case "bpf":
      return `B ${o.cmd} ${o.size >>> 0} ${hexOrDash(o.attr)} ${o.repeat}`;
    case "close":
      return `C ${o.fd === "last" ? -1 : o.fd}`;
    case "open":
      return `O ${o.flags} ${hexOrDash(utf8.encode(o.path))}`;
    case "reset":
      return "Z";
  }
}

export function encodeStreams(streams: readonly Stream[]): string {
  const lines: string[] = [];
  for (const s of streams) {
    const name = bytesToHex(utf8.encode(s.name));
    if (s.env.kind === "userns") {
      const b = s.env.bpffs;
      const v = [b.delegate_cmds, b.delegate_maps, b.delegate_progs, b.delegate_attachs].map((x) => (x === undefined ? "-" : hexOrDash(utf8.encode(x))));
      lines.push(`S ${name} userns ${v.join(" ")}`);
    } else lines.push(`S ${name} root`);
    for (const o of s.setup) lines.push(opLine(o));
    lines.push("L");
    for (const o of s.body) lines.push(opLine(o));
    lines.push("E");
  }
  return `${lines.join("\n")}\n`;
}

export type KernelCheck = { ok: true; bin: string } | { ok: false; reason: string };

/** Root, cc and a bpf() that creates a map: otherwise the kernel side is skipped, with the reason. */
export function kernelUsable(): KernelCheck {
  if (process.platform !== "linux") return { ok: false, reason: "not Linux" };
  if (typeof process.getuid === "function" && process.getuid() !== 0) return { ok: false, reason: "not root" };
  let bin: string;
  try {
    bin = buildBench();
  } catch (e) {
    const err = e as { stderr?: Buffer; message: string };
    return { ok: false, reason: `cannot build native/bench.c with cc: ${err.stderr?.toString().trim() || err.message}` };
  }
  // One ARRAY map create in a stream of its own.
  const probe: Stream = {
    name: "probe",
    description: "",
    env: { kind: "root" },
    setup: [],
    body: [{ op: "bpf", cmd: 0, size: 20, attr: Uint8Array.of(2, 0, 0, 0, 4, 0, 0, 0, 4, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0), repeat: 1 }, { op: "close", fd: "last" }],
  };
  const r = spawnSync(bin, ["-r", "1", "-m", "1", "-w", "0"], { input: encodeStreams([probe]), encoding: "latin1", timeout: 20000 });
  if (r.status !== 0) return { ok: false, reason: `bench runner failed: ${(r.stderr || r.error?.message || `status ${r.status}`).trim()}` };
  const res = parseOutput(r.stdout).get("probe");
  if (res === undefined || res.error !== undefined) return { ok: false, reason: `bench runner: ${res?.error ?? "no output"}` };
  if ((res.firstRets[0] ?? -1) < 0) return { ok: false, reason: `bpf(BPF_MAP_CREATE) failed with ${res.firstRets[0]}` };
  return { ok: true, bin };
}

export function parseOutput(text: string): Map<string, SideResult> {
  const out = new Map<string, SideResult>();
  let cur: { name: string; firstRets: number[]; rounds: number[]; error?: string } | null = null;
  const flush = (): void => {
    if (cur === null) return;
    const { name, ...rest } = cur;
    out.set(name, rest.error === undefined ? { firstRets: rest.firstRets, rounds: rest.rounds } : rest);
    cur = null;
  };
  for (const line of text.split("\n")) {
    const [k, ...rest] = line.split(" ");
    if (k === "S") {
      flush();
      cur = { name: Buffer.from(rest[0] ?? "", "hex").toString("utf8"), firstRets: [], rounds: [] };
    } else if (cur === null) continue;
    else if (k === "F") cur.firstRets = rest.filter((x) => x !== "").map(Number);
    else if (k === "T") cur.rounds.push((Number(rest[0]) * 1e9) / Number(rest[1]));
    else if (k === "K" && rest[0] !== "ok") cur.error = rest.slice(1).join(" ");
  }
  flush();
  return out;
}

/** Runs every stream on the kernel in one runner process. */
export function runOnKernel(bin: string, streams: readonly Stream[], opts: TimingOptions): Map<string, SideResult> {
  const r = spawnSync(bin, ["-r", String(opts.rounds), "-m", String(opts.roundMs), "-w", String(opts.warmupMs)], {
    input: encodeStreams(streams),
    encoding: "latin1",
    maxBuffer: 64 << 20,
    timeout: 600_000,
  });
  if (r.status !== 0) throw new Error(`bench runner exited ${r.status}: ${r.stderr}`);
  return parseOutput(r.stdout);
}
