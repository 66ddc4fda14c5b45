// SPDX-License-Identifier: GPL-2.0-only
// Reads `pahole -C name` output back into dotted leaves, so tests can compare
// our BTF flattening with pahole's (which reads BTF through libbpf/dwarves, an
// independent implementation). Only the shapes pahole prints for plain C
// structs/unions are handled: nested anonymous or named struct/union blocks,
// scalar, array and bitfield members with their "/* offset size */" comments.

export interface PaholeLeaf {
  /** Dotted path, named nested blocks prefixed as in our tables ("link_create.tracing.cookie"). */
  readonly path: string;
  readonly offset: number;
  readonly size: number;
  /** Bitfields: bit offset inside the unit at `offset`, and width. */
  readonly bitOffset?: number;
  readonly bitSize?: number;
}

export interface PaholeType {
  readonly kind: "struct" | "union";
  readonly name: string;
  /** From the "size: N" summary comment when pahole prints one (it does not for unions). */
  readonly size?: number;
  readonly leaves: readonly PaholeLeaf[];
}

const OPEN = /^\s*(struct|union)\s*([A-Za-z_]\w*)?\s*\{\s*$/;
const CLOSE = /^\s*\}\s*([A-Za-z_]\w*)?\s*;/;
// "<type> name[16]:4;   /*   84: 0   4 */" -- type words, name, optional dims and width, then the comment.
const LEAF = /^\s*[^/{}]*?([A-Za-z_]\w*)((?:\[\d+\])*)(?::(\d+))?\s*;\s*\/\*\s*(\d+)(?::\s*(\d+))?\s+(\d+)\s*\*\//;
const SIZE = /\/\*\s*size:\s*(\d+)/;

export class PaholeParseError extends Error {
  override readonly name = "PaholeParseError";
}

/** Parse every top-level struct/union in a pahole dump. */
export function parsePahole(text: string): PaholeType[] {
  const out: PaholeType[] = [];
  interface Frame {
    kind: "struct" | "union";
    name: string;
    size: number | undefined;
    leaves: PaholeLeaf[];
  }
  const stack: Frame[] = [];
  const lines = text.split("\n");
  lines.forEach((line, i) => {
    const where = `line ${i + 1}`;
    const open = OPEN.exec(line);
    if (open !== null) {
      stack.push({ kind: open[1] as "struct" | "union", name: open[2] ?? "", size: undefined, leaves: [] });
      return;
    }
    const close = CLOSE.exec(line);
    if (close !== null) {
      const f = stack.pop();
      if (f === undefined) throw new PaholeParseError(`${where}: unbalanced }`);
      const parent = stack[stack.length - 1];
      if (parent === undefined) {
        out.push(f.size === undefined ? { kind: f.kind, name: f.name, leaves: f.leaves } : { kind: f.kind, name: f.name, size: f.size, leaves: f.leaves });
        return;
      }
      const member = close[1] ?? "";
      for (const l of f.leaves) parent.leaves.push(member === "" ? l : { ...l, path: `${member}.${l.path}` });
      return;
    }
    const top = stack[stack.length - 1];
    const size = SIZE.exec(line);
    if (size !== null) {
      if (top !== undefined && stack.length === 1) top.size = Number(size[1]);
      return;
    }
    const leaf = LEAF.exec(line);
    if (leaf !== null) {
      if (top === undefined) throw new PaholeParseError(`${where}: member outside a type`);
      const [, name, , width, off, bit, sz] = leaf;
      if (width !== undefined) {
        top.leaves.push({ path: name!, offset: Number(off), size: Number(sz), bitOffset: Number(bit ?? 0), bitSize: Number(width) });
      } else {
        top.leaves.push({ path: name!, offset: Number(off), size: Number(sz) });
      }
      return;
    }
    const t = line.trim();
    // Blank lines and pahole's own annotations (holes, cacheline markers) carry no members.
    if (t === "" || (t.startsWith("/*") && t.endsWith("*/"))) return;
    throw new PaholeParseError(`${where}: unrecognised pahole line: ${t}`);
  });
  if (stack.length !== 0) throw new PaholeParseError("unterminated type at end of dump");
  return out;
}
