// How the command line reports an error that reached the top: user errors (a bad scenario, trace, option or
// output path) are one escaped sentence per problem and exit 2, with no stack trace; anything else is a bug
// in upgradelab and exits 3 with its stack (issue 11 items 7, 8 and 9).
import { formatProblem, ScenarioError } from '../scenario/load.js';
import { TraceError } from '../trace/reader.js';
import { TraceSinkError } from '../trace/writer.js';
import { EXIT } from './exit-codes.js';
import { printable } from './text.js';

/** A wrong option or argument on the command line. */
export class UsageError extends Error {
  override name = 'UsageError';
}

/** A crash of the simulator itself, with what the user needs to report it. */
export class InternalError extends Error {
  override name = 'InternalError';
  constructor(
    readonly original: unknown,
    readonly notes: string[],
  ) {
    super(original instanceof Error ? original.message : String(original));
  }
}

export interface Report {
  code: number;
  /** What to print on stderr (ends with a newline). */
  text: string;
}

export function reportError(err: unknown): Report {
  if (err instanceof ScenarioError) {
    const lines = err.problems.map((p) =>
      formatProblem({
        ...p,
        file: printable(p.file),
        field: printable(p.field),
        message: printable(p.message),
      }),
    );
    return { code: EXIT.badInput, text: `upgradelab: ${lines.join('\n')}\n` };
  }
  if (err instanceof TraceError || err instanceof TraceSinkError || err instanceof UsageError) {
    return { code: EXIT.badInput, text: `upgradelab: ${printable(err.message)}\n` };
  }
  const errno = (err as NodeJS.ErrnoException | null)?.code;
  if (err instanceof Error && typeof errno === 'string' && /^E[A-Z]+$/.test(errno) && 'path' in err) {
    // A file the user named could not be opened (ENOENT, EACCES, EISDIR, ...): an operating error.
    return { code: EXIT.badInput, text: `upgradelab: ${printable(err.message)}\n` };
  }
  const cause = err instanceof InternalError ? err.original : err;
  const notes = err instanceof InternalError ? err.notes : [];
  const detail = cause instanceof Error ? (cause.stack ?? cause.message) : String(cause);
  return {
    code: EXIT.internal,
    text:
      `upgradelab: internal error, a bug in upgradelab (exit ${EXIT.internal}); please report it:\n` +
      `${detail}\n${notes.map((n) => `${n}\n`).join('')}`,
  };
}
