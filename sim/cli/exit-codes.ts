// Exit codes of the upgradelab command line, one meaning each (issue 11 item 9). Scripts and CI branch on
// them, so they are documented in `--help` and the README from this one table.

export const EXIT = {
  /** The run is clean (or every expectation of its `expect:` block is met); a trace or file checks out. */
  ok: 0,
  /** An invariant was violated or an expectation was not met; a trace failed its check. */
  violation: 1,
  /** Bad input: a scenario, trace, option or output path is wrong; nothing ran (or nothing was written). */
  badInput: 2,
  /** An internal error: a bug in upgradelab itself (the message says where the partial trace is). */
  internal: 3,
  /** The run stopped before its duration (the event cap): its verdicts are incomplete, never a PASS. */
  stoppedEarly: 4,
} as const;

export const EXIT_CODES_HELP = `
Exit codes:
  0  clean: no invariant violated, or every expectation met; the trace or files check out
  1  an invariant was violated or an expectation not met (the output ends with the command that
     reproduces it); check-trace: the trace is partial, edited or malformed
  2  bad input: the scenario, trace, option or output path is named with the reason; nothing ran
  3  internal error: a bug in upgradelab (please report it with the reproduce line)
  4  the run stopped early (event cap) before its duration: the verdicts are incomplete`;
