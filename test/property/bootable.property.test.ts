// Property 'bootable' (see properties.ts for the space it draws from and why it must hold there). The options
// come from the seed: Talos rules, bootloader, cluster size and policy, then a fault schedule for them.
import { test } from '@fast-check/vitest';
import { describe } from 'vitest';
import { checkWorld, PROPERTIES, PROPERTY_SEED, PROPERTY_TIMEOUT_MS } from './properties.js';
import { worldArb } from './world.js';

const def = PROPERTIES['bootable']!;

describe('property: bootable', () => {
  test.prop([worldArb(def.world)], { numRuns: def.numRuns, seed: PROPERTY_SEED })(
    def.name,
    (world) => {
      checkWorld(def, world);
    },
    PROPERTY_TIMEOUT_MS,
  );
});
