// Text that came from a user (scenario names, file paths, seeds, values quoted in messages) is printed
// with control characters escaped, so a name holding a newline or an ANSI escape cannot fake a
// `result: PASS` line or repaint the terminal (issue 11 item 11).

// C0 controls, DEL, C1 controls, line/paragraph separators and the bidirectional overrides.
const UNPRINTABLE = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

const HAS_UNPRINTABLE = new RegExp(UNPRINTABLE.source);

export function printable(text: string): string {
  return text.replace(UNPRINTABLE, (c) => {
    if (c === '\n') return '\\n';
    if (c === '\t') return '\\t';
    if (c === '\r') return '\\r';
    return `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`;
  });
}

/** Quotes a shell argument so it can be pasted back as one word. */
export function shellQuote(arg: string): string {
  if (/^[\w@%+=:,./-]+$/.test(arg)) return arg;
  // Control characters cannot be pasted inside single quotes; ANSI-C quoting ($'...') spells them out.
  if (HAS_UNPRINTABLE.test(arg)) {
    return `$'${printable(arg.replace(/\\/g, '\\\\')).replace(/'/g, "\\'")}'`;
  }
  return `'${arg.replace(/'/g, `'\\''`)}'`;
}

/**
 * The `--seed` argument that gives back exactly this seed: a number as digits, a string as itself, except a
 * string that looks like a number, which is JSON-quoted ("42") so it is not read back as the number 42.
 */
export function seedArgument(seed: string | number): string {
  if (typeof seed === 'number') return String(seed);
  return /^-?\d+$/.test(seed) || /^".*"$/.test(seed) ? JSON.stringify(seed) : seed;
}

/** Reads `--seed`: digits are a number, "..." (JSON-quoted) is always a string, anything else a string. */
export function parseSeedArgument(raw: string | undefined): string | number | undefined {
  if (raw === undefined) return undefined;
  if (/^".*"$/.test(raw)) {
    try {
      const v: unknown = JSON.parse(raw);
      if (typeof v === 'string') return v;
    } catch {
      // Not valid JSON: take the text as it is.
    }
    return raw;
  }
  return /^-?\d+$/.test(raw) && Number.isSafeInteger(Number(raw)) ? Number(raw) : raw;
}
