// SPDX-License-Identifier: GPL-2.0-only
// Installs the delegated-bpffs builder behind spawn({ userns: "new" }).
// Kept apart from namespaces.ts so that loading the Kernel class never
// depends on the namespace code (task.ts imports namespaces.ts).

import { Kernel } from "./kernel.ts";
import { spawnUserns } from "./namespaces.ts";

Kernel.spawnUserns = spawnUserns;
