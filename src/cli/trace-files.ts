// SPDX-License-Identifier: GPL-2.0-only
// Reading and writing trace files for the CLI and the tests: plain or
// gzipped (.gz) JSONL, one trace or a bundle of several per file, and
// directory walks over fixtures/traces/**. Node only.

import { existsSync, mkdirSync, readFileSync, readdirSync, statSync, writeFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { gunzipSync, gzipSync } from "node:zlib";
import { familyOf, parseTraceBundle, serializeTraceBundle } from "../corpus/index.ts";
import type { Trace } from "../trace/format.ts";

export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
export const FIXTURE_TRACES = join(REPO_ROOT, "fixtures", "traces");
export const KNOWN_DIVERGENCES = join(REPO_ROOT, "fixtures", "known-divergences.txt");

export const isTraceFile = (p: string): boolean => /\.jsonl(\.gz)?$/.test(p);

/** Every trace file under `dir` (recursively), sorted by path. */
export function traceFilesUnder(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string): void => {
    for (const e of readdirSync(d, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (isTraceFile(e.name)) out.push(p);
    }
  };
  walk(dir);
  return out;
}

/** Files named on a command line: trace files as they are, directories walked. */
export function expandTracePaths(paths: readonly string[]): string[] {
  const out: string[] = [];
  for (const p of paths) {
    if (!existsSync(p)) throw new Error(`${p}: no such file or directory`);
    if (statSync(p).isDirectory()) out.push(...traceFilesUnder(p));
    else out.push(p);
  }
  return out;
}

export function readTraceFile(path: string): Trace[] {
  const raw = readFileSync(path);
  const text = path.endsWith(".gz") ? gunzipSync(raw).toString("utf8") : raw.toString("utf8");
  try {
    return parseTraceBundle(text);
  } catch (e) {
    throw new Error(`${path}: ${(e as Error).message}`);
  }
}

export function writeTraceFile(path: string, traces: readonly Trace[]): void {
  mkdirSync(dirname(path), { recursive: true });
  const text = serializeTraceBundle(traces);
  writeFileSync(path, path.endsWith(".gz") ? gzipSync(text, { level: 9 }) : text);
}

/**
 * Writes traces to `out`: a file (a bundle; gzipped when it ends in .gz), or
 * a directory (ends with "/" or exists as one): one bundle per family,
 * `<family>.jsonl` (`.jsonl.gz` with gzip). Returns the files written.
 */
export function writeTraces(out: string, traces: readonly Trace[], opts: { gzip?: boolean } = {}): string[] {
  const asDir = out.endsWith("/") || (existsSync(out) && statSync(out).isDirectory());
  if (!asDir) {
    writeTraceFile(out, traces);
    return [out];
  }
  const byFamily = new Map<string, Trace[]>();
  for (const t of traces) {
    const f = familyOf(t.name);
    let l = byFamily.get(f);
    if (!l) byFamily.set(f, (l = []));
    l.push(t);
  }
  const files: string[] = [];
  for (const [f, ts] of byFamily) {
    const p = join(out, `${f}.jsonl${opts.gzip ? ".gz" : ""}`);
    writeTraceFile(p, ts);
    files.push(p);
  }
  return files;
}

/** Every committed trace under fixtures/traces/**, with the file it came from. */
export function fixtureTraces(root = FIXTURE_TRACES): { file: string; trace: Trace }[] {
  if (!existsSync(root)) return [];
  const out: { file: string; trace: Trace }[] = [];
  for (const f of traceFilesUnder(root)) for (const t of readTraceFile(f)) out.push({ file: relative(REPO_ROOT, f), trace: t });
  return out;
}

/** The fixture directory a committed trace file belongs to: fixtures/traces/<dir>/... */
export function fixtureDirOf(file: string): string {
  const m = /fixtures\/traces\/([^/]+)/.exec(file);
  return m ? m[1]! : "other";
}

// ------------------------------------------------------- known divergences

export interface KnownDivergence {
  readonly key: string;
  readonly reason: string;
  readonly line: number;
}

/** `<trace-name>#<op-index> <reason>` per line; blank lines and # comments are skipped. */
export function parseKnownDivergences(text: string): Map<string, KnownDivergence> {
  const out = new Map<string, KnownDivergence>();
  text.split("\n").forEach((l, i) => {
    const s = l.trim();
    if (s === "" || s.startsWith("#")) return;
    const sp = s.indexOf(" ");
    const key = sp < 0 ? s : s.slice(0, sp);
    if (!/#\d+$/.test(key)) throw new Error(`known-divergences line ${i + 1}: expected <trace-name>#<op-index>, got ${JSON.stringify(key)}`);
    out.set(key, { key, reason: sp < 0 ? "" : s.slice(sp + 1).trim(), line: i + 1 });
  });
  return out;
}

export function readKnownDivergences(path = KNOWN_DIVERGENCES): Map<string, KnownDivergence> {
  return existsSync(path) ? parseKnownDivergences(readFileSync(path, "utf8")) : new Map();
}
