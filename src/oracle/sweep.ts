// SPDX-License-Identifier: GPL-2.0-only
// Runs entry-path cases on the live kernel through native/sweep.c, compiled
// on first use with the machine's cc.

import { execFileSync, spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { encodeSweepInput, type EntryCase } from "../corpus/entry.ts";
import { kernelAvailability } from "./native.ts";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const SOURCE = join(ROOT, "native", "sweep.c");
const CACHE = join(ROOT, "node_modules", ".cache", "bpfemu");

function build(): string {
  const src = readFileSync(SOURCE);
  const out = join(CACHE, `sweep-${createHash("sha256").update(src).digest("hex").slice(0, 16)}`);
  if (existsSync(out)) return out;
  mkdirSync(CACHE, { recursive: true });
  const tmp = `${out}.${process.pid}.tmp`;
  try {
    execFileSync("cc", ["-O2", "-Wall", "-o", tmp, SOURCE], { stdio: ["ignore", "pipe", "pipe"] });
    renameSync(tmp, out);
  } finally {
    rmSync(tmp, { force: true });
  }
  return out;
}

export { kernelAvailability };

/** Return values (ret or -errno) of each case on the live kernel. */
export function runEntryCasesOnKernel(cases: readonly EntryCase[]): number[] {
  const bin = build();
  const r = spawnSync(bin, [], { input: encodeSweepInput(cases), maxBuffer: 256 * 1024 * 1024, encoding: "utf8" });
  if (r.status !== 0) throw new Error(`sweep runner failed (${r.status}): ${r.stderr}`);
  const lines = r.stdout.split("\n").filter((l) => l.length > 0);
  if (lines.length !== cases.length) throw new Error(`sweep runner answered ${lines.length} of ${cases.length} cases: ${r.stderr}`);
  return lines.map(Number);
}
