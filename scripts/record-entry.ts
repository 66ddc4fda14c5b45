// SPDX-License-Identifier: GPL-2.0-only
// Records the live kernel's answers to the entry-path corpus into
// fixtures/entry/linux-6.18.rets.gz (one return value per case, in corpus
// order), so `npm test` can compare the emulator without root.
// Usage: npx tsx scripts/record-entry.ts

import { writeFileSync } from "node:fs";
import { gzipSync } from "node:zlib";
import { release } from "node:os";
import { entryCases } from "../src/corpus/entry.ts";
import { kernelAvailability, runEntryCasesOnKernel } from "../src/oracle/sweep.ts";

const avail = kernelAvailability();
if (!avail.ok) {
  console.error(`cannot record: ${avail.reason}`);
  process.exit(1);
}
const cases = entryCases();
const rets = runEntryCasesOnKernel(cases);
const header = `# bpfemu entry-path corpus: ${cases.length} return values recorded on ${release()} at ${new Date().toISOString()}\n`;
writeFileSync("fixtures/entry/linux-6.18.rets.gz", gzipSync(header + rets.join("\n") + "\n", { level: 9 }));
console.log(`recorded ${cases.length} cases from ${release()}`);
