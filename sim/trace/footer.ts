// The footer's hash and shape (issue 11 item 10). The hash covers every line before the footer exactly as
// written *and* the footer itself without its `hash` field (serialised with the footer's own key order), so
// no verdict, metric, count or stop reason can be edited without the hash saying so. The reader validates
// the footer's shape before trusting any of it.
import type { Hash } from 'node:crypto';
import type { TraceFooter } from './types.js';

export const HASH_PATTERN = /^[0-9a-f]{64}$/;

/** Completes `prefix` (the running hash of the lines before the footer) with the footer minus its hash. */
export function footerHash(prefix: Hash, footer: Record<string, unknown>): string {
  const { hash: _hash, ...rest } = footer;
  return prefix.copy().update(JSON.stringify(rest), 'utf8').digest('hex');
}

const METRIC_FIELDS = [
  'simulatedMs',
  'events',
  'upgradeDurationMs',
  'timeWithoutQuorumMs',
  'writesAttempted',
  'writesAcknowledged',
  'writesLost',
  'nodesOnTarget',
] as const satisfies readonly (keyof TraceFooter['metrics'])[];

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const isCount = (v: unknown) => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;

/** What is wrong with a footer's shape, one sentence per problem ([] when it is a well-formed footer). */
export function footerShapeProblems(f: Json): string[] {
  const out: string[] = [];
  if (typeof f.hash !== 'string')
    out.push(`footer field 'hash' must be a string, got ${JSON.stringify(f.hash)}`);
  else if (!HASH_PATTERN.test(f.hash)) out.push("footer field 'hash' is not a hex SHA-256 (64 hex digits)");
  if (typeof f.t !== 'number' || !Number.isFinite(f.t) || f.t < 0)
    out.push("footer field 't' must be a non-negative number");
  if (typeof f.stop !== 'string' || f.stop === '') out.push("footer field 'stop' must be a non-empty string");
  if (!isObject(f.counts) || !Object.values(f.counts).every(isCount))
    out.push("footer field 'counts' must map event types to counts");
  if (!Array.isArray(f.verdicts)) {
    out.push("footer field 'verdicts' must be a list");
  } else {
    f.verdicts.forEach((v, i) => {
      if (
        !isObject(v) ||
        typeof v.invariant !== 'string' ||
        typeof v.ok !== 'boolean' ||
        !isCount(v.violations)
      )
        out.push(`footer field 'verdicts[${i}]' must be {invariant, ok, violations}`);
      else if (v.ok !== (v.violations === 0))
        out.push(`footer field 'verdicts[${i}]' says ok=${v.ok} with ${v.violations} violations`);
    });
  }
  if (!isObject(f.metrics)) {
    out.push("footer field 'metrics' must be an object");
  } else {
    for (const k of METRIC_FIELDS) {
      const v = f.metrics[k];
      const fine = k === 'upgradeDurationMs' ? v === null || isCount(v) : isCount(v);
      if (!fine)
        out.push(`footer field 'metrics.${k}' must be a count${k === 'upgradeDurationMs' ? ' or null' : ''}`);
    }
  }
  return out;
}
