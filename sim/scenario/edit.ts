// Variants of a scenario file, made by editing its YAML text rather than the parsed Scenario. A sweep
// that changes its base per cell or per seed (a bootloader swapped in, a power loss drawn from the seed)
// must still print a command that reproduces a failure (STYLE.md habit 4), and `upgradelab run` reads
// files. Editing the text keeps the variant a real scenario file: the caller parses exactly the text it
// writes out for reproduction, comments and all, through the same loader and schema as any other file.
import { isMap, isSeq, parseDocument } from 'yaml';

/** One edit: set the value at a key path (creating maps on the way), delete it, or append to a list. */
export type ScenarioEdit =
  | { set: (string | number)[]; value: unknown }
  | { delete: (string | number)[] }
  | { append: string[]; value: unknown };

/**
 * Apply edits to scenario YAML text and return the new text; `comment` (one or more lines) is put on
 * top. Setting a key below a scalar (e.g. `upgrade.policy.rebootMode` when `policy: talosctl`) throws:
 * write the base file's policy as a mapping (`{ preset: talosctl }`) so variants can refine it.
 */
export function editScenarioText(text: string, edits: readonly ScenarioEdit[], comment?: string): string {
  const doc = parseDocument(text);
  if (doc.errors.length > 0) throw new Error(`editScenarioText: the base text is not YAML: ${doc.errors[0]}`);
  for (const e of edits) {
    if ('set' in e) {
      doc.setIn(e.set, doc.createNode(e.value, { flow: true }));
    } else if ('delete' in e) {
      doc.deleteIn(e.delete);
    } else {
      const list = doc.getIn(e.append, true);
      if (list === undefined) doc.setIn(e.append, doc.createNode([e.value], { flow: false }));
      else if (isSeq(list)) list.add(doc.createNode(e.value, { flow: true }));
      else throw new Error(`editScenarioText: '${e.append.join('.')}' is not a list`);
    }
  }
  if (!isMap(doc.contents)) throw new Error('editScenarioText: a scenario is a mapping');
  const body = doc.toString({ lineWidth: 0 });
  if (comment === undefined) return body;
  const head = comment
    .split('\n')
    .map((l) => (l === '' ? '#' : `# ${l}`))
    .join('\n');
  return `${head}\n${body}`;
}

const UNITS: [string, number][] = [
  ['h', 3_600_000],
  ['m', 60_000],
  ['s', 1_000],
  ['ms', 1],
];

/** Integer ms as a duration the loader reads back exactly: 5400000 -> "1h30m", 61500 -> "1m1s500ms". */
export function durationText(ms: number): string {
  if (!Number.isSafeInteger(ms) || ms < 0)
    throw new Error(`durationText(${ms}): need a non-negative integer`);
  if (ms === 0) return '0s';
  let rest = ms;
  let out = '';
  for (const [unit, size] of UNITS) {
    const q = Math.floor(rest / size);
    if (q > 0) out += `${q}${unit}`;
    rest -= q * size;
  }
  return out;
}
