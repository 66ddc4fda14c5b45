// SPDX-License-Identifier: GPL-2.0-only
// The id allocator (bpf.ts Idr: a ring indexed by id & mask with a spill map)
// against a plain Map that does what idr_alloc_cyclic does, on random
// alloc/remove/find/nextAfter sequences, with growth, collisions and the wrap
// at INT_MAX. The kernel-visible id order is checked by the recorded traces
// (GET_NEXT_ID, ids in info); this checks the data structure under them.

import { describe, expect, it } from "vitest";
import { Idr } from "../src/kernel/bpf.ts";

const INT_MAX = 0x7fffffff;

class ModelIdr {
  readonly objs = new Map<number, number>();
  next = 1;
  alloc(obj: number): number {
    for (;;) {
      const id = this.next;
      this.next = this.next >= INT_MAX - 1 ? 1 : this.next + 1;
      if (!this.objs.has(id)) {
        this.objs.set(id, obj);
        return id;
      }
    }
  }
  nextAfter(start: number): number | undefined {
    let best: number | undefined;
    for (const id of this.objs.keys()) if (id > start && (best === undefined || id < best)) best = id;
    return best;
  }
}

describe("Idr", () => {
  for (const [name, cursor] of [["from 1", 1], ["across the wrap at INT_MAX", INT_MAX - 3000]] as const) {
    it(`agrees with a Map model ${name}`, () => {
      let seed = 0x1234567;
      const rnd = (n: number): number => {
        seed ^= seed << 13;
        seed ^= seed >>> 17;
        seed ^= seed << 5;
        return (seed >>> 0) % n;
      };
      const idr = new Idr<number>();
      const model = new ModelIdr();
      idr.setCursor(cursor);
      model.next = cursor;
      const live: number[] = [];
      const kept: number[] = [];
      for (let step = 0; step < 60_000; step++) {
        const r = rnd(10);
        // Phases that grow the live set to a few thousand, then shrink it.
        const growing = Math.floor(step / 15_000) % 2 === 0;
        if (r < (growing ? 6 : 3)) {
          const id = idr.alloc(step);
          expect(id).toBe(model.alloc(step));
          // Some ids live for the whole run, so later ids land on their ring slots (the spill map).
          if (step % 97 === 0) kept.push(id);
          else live.push(id);
        } else if (r < 9 && live.length) {
          const id = live.splice(rnd(live.length), 1)[0]!;
          idr.remove(id);
          model.objs.delete(id);
        } else {
          const pick = rnd(3);
          const probe = pick === 0 && live.length ? live[rnd(live.length)]! : pick === 1 && kept.length ? kept[rnd(kept.length)]! : rnd(INT_MAX);
          expect(idr.find(probe)).toBe(model.objs.get(probe));
          expect(idr.nextAfter(probe)).toBe(model.nextAfter(probe));
        }
      }
      expect(idr.size).toBe(model.objs.size);
    });
  }
});
