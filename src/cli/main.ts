// SPDX-License-Identifier: GPL-2.0-only
// The bpfemu command line: decode, check, layout, demo, and the trace
// commands (record, replay, diff). Bad input gets one line and exit code 2.

import { pathToFileURL } from "node:url";
import { Kernel, bpf_token_show_fdinfo, tablesFor, knownAbis } from "../index.ts";
import type { BpfToken } from "../kernel/bpf.ts";
import type { UapiTables } from "../uapi/layout.ts";
import { UsageError, abiOf, cmdArg, describe, parseArgs, ranges, readBytesArg, sizeOf, type Io } from "./common.ts";

export { UsageError, type Io } from "./common.ts";

const USAGE = `usage: bpfemu <command> [options]

  decode <cmd> <hex|@file> [--size N] [--abi A] [--all]   print every field of the attr, strace-style
  check  <cmd> <hex|@file> [--size N] [--abi A] [--as root|nocap|userns] [--delegate-cmds X ...]
                                                          run the bytes on a fresh emulated kernel
  layout [--json] [--abi A]                               every command's fields, LAST_FIELD and CHECK_ATTR end
  record <cases...> -o <trace>                            run cases on the live kernel, write a trace
  replay <trace...>                                       run traces on the emulator, compare with the kernel's answers
  diff [cases...]                                         run on both, report agreement
  demo                                                    decode, check and replay bundled examples

<cmd> is a number or a name: MAP_CREATE, BPF_MAP_CREATE. ABIs: ${knownAbis().join(", ")}.`;

export function cmdDecode(argv: readonly string[], io: Io): number {
  const { pos, opts } = parseArgs(argv, ["size", "abi"]);
  const tables = tablesFor(abiOf(opts));
  const cmd = cmdArg(tables, pos[0]);
  if (pos[1] === undefined) throw new UsageError("missing <hex|@file>");
  const bytes = readBytesArg(pos[1]);
  const size = sizeOf(opts, bytes);
  io.out(describe(tables, cmd, bytes, size, opts.has("all")));
  return 0;
}

export function cmdCheck(argv: readonly string[], io: Io): number {
  const { pos, opts } = parseArgs(argv, ["size", "abi", "as", "delegate-cmds", "delegate-maps", "delegate-progs", "delegate-attachs"]);
  const abi = abiOf(opts);
  const tables = tablesFor(abi);
  const cmd = cmdArg(tables, pos[0]);
  if (pos[1] === undefined) throw new UsageError("missing <hex|@file>");
  const bytes = readBytesArg(pos[1]);
  const size = sizeOf(opts, bytes);
  const as = opts.get("as") ?? "root";
  if (as !== "root" && as !== "nocap" && as !== "userns") throw new UsageError(`--as takes root, nocap or userns, not ${String(as)}`);
  const kernel = new Kernel({ abi });
  let task;
  if (as === "userns") {
    // uid 0 in a new user namespace; the delegated bpffs root is fd 3.
    const bpffs: Record<string, string> = {};
    for (const k of ["cmds", "maps", "progs", "attachs"]) {
      const v = opts.get(`delegate-${k}`);
      if (typeof v === "string") bpffs[`delegate_${k}`] = v;
    }
    task = kernel.spawn({ userns: "new", bpffs });
  } else task = as === "root" ? kernel.spawn() : kernel.spawn({ caps: [] });
  const attr = bytes.slice();
  const ret = task.sys_bpf(cmd, attr, size);
  io.out(describe(tables, cmd, bytes, size));
  if (ret < 0) io.out(`= ${ret} ${task.lastError?.name ?? ""} (${task.lastError?.reason ?? ""})`);
  else io.out(`= ${ret}${ret > 2 ? " (a new fd)" : ""}`);
  const f = ret > 2 ? task.files.get(ret) : undefined;
  if (f !== undefined && f.f_op.name === "bpf-token") io.out(`  fdinfo:\n${bpf_token_show_fdinfo(tables, f.private_data as BpfToken).replace(/^/gm, "    ").trimEnd()}`);
  const changed: number[] = [];
  for (let i = 0; i < attr.length; i++) if (attr[i] !== bytes[i]) changed.push(i);
  if (changed.length) io.out(`  the kernel wrote attr bytes ${ranges(changed)}`);
  return 0;
}

export function layoutJson(tables: UapiTables): unknown {
  return {
    abi: tables.abi,
    attrSize: tables.attrSize,
    commands: tables.commands.map((c) => ({
      cmd: c.cmd,
      name: c.name,
      lastField: c.lastField,
      end: c.end,
      fields: c.fields.map((f) => ({ name: f.name, offset: f.offset, size: f.size, type: f.type })),
    })),
    structs: Object.fromEntries(
      Object.entries(tables.structs).map(([k, s]) => [k, { size: s.size, fields: s.fields.map((f) => ({ name: f.name, offset: f.offset, size: f.size, type: f.type, ...(f.bitSize !== undefined ? { bitOffset: f.bitOffset, bitSize: f.bitSize } : {}) })) }]),
    ),
  };
}

export function cmdLayout(argv: readonly string[], io: Io): number {
  const { opts } = parseArgs(argv, ["abi"]);
  const tables = tablesFor(abiOf(opts));
  if (opts.has("json")) {
    io.out(JSON.stringify(layoutJson(tables), null, 1));
    return 0;
  }
  io.out(`${tables.abi}: sizeof(union bpf_attr) = ${tables.attrSize}   (${tables.source})`);
  for (const c of tables.commands) {
    io.out(`\n${String(c.cmd).padStart(2)} BPF_${c.name}   LAST_FIELD ${c.lastField}, CHECK_ATTR end ${c.end}`);
    for (const f of c.fields) io.out(`     ${String(f.offset).padStart(4)} ${String(f.size).padStart(3)}  ${f.type.padEnd(12)} ${f.name}`);
  }
  for (const [name, s] of Object.entries(tables.structs)) {
    io.out(`\nstruct ${name} (${s.size} bytes)`);
    for (const f of s.fields) io.out(`     ${String(f.offset).padStart(4)} ${String(f.size).padStart(3)}  ${f.type.padEnd(12)} ${f.name}${f.bitSize !== undefined ? `:${f.bitSize} (bit ${f.bitOffset})` : ""}`);
  }
  return 0;
}

type Command = (argv: readonly string[], io: Io) => number | Promise<number>;

async function traceCommand(name: "record" | "replay" | "diff"): Promise<Command> {
  const m = (await import("./trace.ts")) as Record<string, Command>;
  const c = m[name];
  if (c === undefined) throw new UsageError(`${name} is not available`);
  return c;
}

export async function main(argv: readonly string[], io: Io): Promise<number> {
  const [sub, ...rest] = argv;
  try {
    switch (sub) {
      case "decode":
        return cmdDecode(rest, io);
      case "check":
        return cmdCheck(rest, io);
      case "layout":
        return cmdLayout(rest, io);
      case "demo":
        return await (await import("./demo.ts")).demo(rest, io);
      case "record":
      case "replay":
      case "diff":
        return await (await traceCommand(sub))(rest, io);
      case undefined:
      case "help":
      case "--help":
      case "-h":
        io.out(USAGE);
        return sub === undefined ? 2 : 0;
      default:
        throw new UsageError(`unknown command ${JSON.stringify(sub)} (try bpfemu help)`);
    }
  } catch (e) {
    if (e instanceof UsageError) {
      io.err(`bpfemu: ${e.message}`);
      return 2;
    }
    io.err(`bpfemu: internal error: ${e instanceof Error ? e.message : String(e)}`);
    return 1;
  }
}

/** Runs the CLI on process.argv and sets the exit code. */
export async function run(): Promise<void> {
  const code = await main(process.argv.slice(2), { out: (s) => process.stdout.write(s + "\n"), err: (s) => process.stderr.write(s + "\n") });
  process.exitCode = code;
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) await run();
