// The runtime copy of the trace contract (sim/trace/fields.ts) must follow the models: every state name the
// node model emits is a state `expect.finalStates` may name, and nothing else is.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { eventFields, NODE_STATES, TRACE_EVENT_TYPES } from '../../../sim/trace/fields.js';

describe('trace contract as data', () => {
  it('NODE_STATES is exactly the set of states models/node.ts emits', () => {
    const src = readFileSync('models/node.ts', 'utf8');
    // `state:` is a literal, or a conditional between literals (`failReason === 'sequence' ? ... : ...`).
    const emitted = new Set(
      [...src.matchAll(/type: 'state',\s*state: ([^,}]+)/g)].flatMap((m) =>
        // Skip the literal the condition compares against (`=== 'sequence'`): it is not a state.
        [...m[1]!.matchAll(/(?<!===\s*)'(\w+)'/g)].map((q) => q[1]!),
      ),
    );
    expect(emitted.size).toBeGreaterThan(5);
    expect([...NODE_STATES].sort()).toEqual([...emitted].sort());
  });

  it('lists fields per event type', () => {
    expect(TRACE_EVENT_TYPES).toContain('disk.wipe');
    expect(eventFields('disk.wipe')).toEqual(['node', 'label']);
  });
});
