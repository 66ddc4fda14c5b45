// SPDX-License-Identifier: GPL-2.0-only
// record, replay and diff: placeholder until the trace commands land.

import { UsageError, type Io } from "./common.ts";

function notYet(name: string): (argv: readonly string[], io: Io) => number {
  return () => {
    throw new UsageError(`${name}: trace commands are being built`);
  };
}

export const record = notYet("record");
export const replay = notYet("replay");
export const diff = notYet("diff");
