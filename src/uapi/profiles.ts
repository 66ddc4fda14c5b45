// SPDX-License-Identifier: GPL-2.0-only
// ABI profiles: each is a set of tables (layouts, CHECK_ATTR ends, enum
// ranges) chosen at `new Kernel`. Handlers are shared; what differs between
// kernels is data.

import type { UapiTables } from "./layout.ts";
import { linux_6_18 } from "./gen/linux-6.18.ts";
import { rfc_v1 } from "./profiles/rfc-v1.ts";

export type AbiName = "linux-6.18" | "rfc-v1";

const registry = new Map<string, UapiTables>([
  ["linux-6.18", linux_6_18],
  ["rfc-v1", rfc_v1],
]);

/** Lets a profile module register itself (the rfc-v1 tables live in their own file). */
export function registerTables(t: UapiTables): void {
  registry.set(t.abi, t);
}

export function tablesFor(abi: string): UapiTables {
  const t = registry.get(abi);
  if (t === undefined) throw new RangeError(`unknown ABI profile "${abi}" (known: ${[...registry.keys()].join(", ")})`);
  return t;
}

export function knownAbis(): string[] {
  return [...registry.keys()];
}
