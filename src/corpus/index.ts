// SPDX-License-Identifier: GPL-2.0-only
// Corpus selection (`all`, generator names, `family:<name>`, globs over case
// names) and trace bundles: several format-v1 traces concatenated in one
// file, each starting at its header line. No Node API.

import { TraceParseError, parseTrace, serializeTrace, type Trace } from "../trace/format.ts";
import { GENERATORS, GENERATOR_ALIASES, generateCorpus, type CorpusCase } from "./generators.ts";

export { GENERATORS, GENERATOR_ALIASES, generateCorpus, type CorpusCase } from "./generators.ts";

/** The family of a trace, from its name: core/<family>/..., token/... → "token", maps/... → "maps". */
export function familyOf(name: string): string {
  const parts = name.split("/");
  if (parts[0] === "core" && parts.length > 2) return parts[1]!;
  return parts.length > 1 ? parts[0]! : "other";
}

function globToRegExp(glob: string): RegExp {
  let re = "";
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i]!;
    if (c === "*") {
      if (glob[i + 1] === "*") {
        re += ".*";
        i++;
      } else re += "[^/]*";
    } else if (c === "?") re += "[^/]";
    else re += c.replace(/[.+^${}()|[\]\\]/g, "\\$&");
  }
  return new RegExp(`^${re}$`);
}

export class SelectionError extends Error {}

/**
 * The cases a selector names: `all`; a generator (`size`, `maps`, ...) or an
 * alias (`entry`, `fuzz`, `sequences`); `family:<name>`; or a glob over case
 * names (`core/flags/MAP_CREATE.*`, `**MAP_FREEZE**`). Throws SelectionError
 * when nothing matches.
 */
export function selectCases(selectors: readonly string[]): CorpusCase[] {
  const gens = new Set<string>();
  const globs: RegExp[] = [];
  const known = new Set(GENERATORS.map((g) => g.name));
  for (const s of selectors) {
    const fam = s.startsWith("family:") ? s.slice(7) : s;
    if (s === "all") for (const g of known) gens.add(g);
    else if (GENERATOR_ALIASES[fam] !== undefined) for (const g of GENERATOR_ALIASES[fam]) gens.add(g);
    else if (known.has(fam)) gens.add(fam);
    else if (s.startsWith("family:")) throw new SelectionError(`no family ${JSON.stringify(fam)} (families: ${[...known].join(", ")})`);
    else if (/[*?]/.test(s) || s.includes("/")) globs.push(globToRegExp(s));
    else throw new SelectionError(`${JSON.stringify(s)} is not a generator (${[...known, ...Object.keys(GENERATOR_ALIASES), "all"].join(", ")}), a family:<name> or a glob`);
  }
  const out: CorpusCase[] = [];
  const seen = new Set<string>();
  const add = (c: CorpusCase): void => {
    if (!seen.has(c.trace.name)) {
      seen.add(c.trace.name);
      out.push(c);
    }
  };
  if (gens.size) for (const c of generateCorpus([...gens])) add(c);
  if (globs.length) {
    for (const c of generateCorpus()) if (globs.some((g) => g.test(c.trace.name))) add(c);
    if (out.length === 0) throw new SelectionError(`no case matches ${selectors.join(" ")}`);
  }
  return out;
}

// ------------------------------------------------------------------ bundles

const HEADER_RE = /^\s*\{\s*"bpfemuTrace"\s*:/;

/**
 * Parses a file holding one or more traces (each starts at a header line).
 * Errors name the line in the whole file.
 */
export function parseTraceBundle(text: string): Trace[] {
  const lines = text.split("\n");
  const starts: number[] = [];
  for (let i = 0; i < lines.length; i++) if (HEADER_RE.test(lines[i]!)) starts.push(i);
  if (starts.length <= 1) return [parseTrace(text)];
  if (lines.slice(0, starts[0]).some((l) => l.trim() !== "")) throw new TraceParseError(1, undefined, "ops before the first trace header");
  const out: Trace[] = [];
  for (let k = 0; k < starts.length; k++) {
    const from = starts[k]!;
    const to = starts[k + 1] ?? lines.length;
    try {
      out.push(parseTrace(lines.slice(from, to).join("\n")));
    } catch (e) {
      if (e instanceof TraceParseError) throw new TraceParseError(e.line + from, e.field, e.message.replace(/^line \d+(, field "[^"]*")?: /, ""));
      throw e;
    }
  }
  return out;
}

export function serializeTraceBundle(traces: readonly Trace[]): string {
  return traces.map(serializeTrace).join("");
}
