#!/usr/bin/env node
// Thin launcher: the CLI is TypeScript, run through tsx's loader so a clone works after `npm install`.
import { register } from "tsx/esm/api";
register();
const { run } = await import("../src/cli/main.ts");
await run();
