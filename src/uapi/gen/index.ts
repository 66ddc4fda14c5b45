// SPDX-License-Identifier: GPL-2.0-only
// Hand-written: re-exports the generated tables (regenerate with scripts/gen-uapi.ts).
export * from "./linux-6.18.ts";
export * from "./consts-6.18.ts";
