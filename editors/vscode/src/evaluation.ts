// What an evaluation's reply becomes in the editor: one short line after the
// evaluated code (the server's log message has the whole story).
// Free of the vscode module, so tests run it under plain node.

/** The reply of hotload.evaluateModule and hotload.evaluateSelection. */
export interface Evaluation {
  readonly module: string;
  /** The repr of the last expression's value; null for None or a statement. */
  readonly value: string | null;
  readonly output: string;
  /** The traceback or failure; null when it ran. */
  readonly error: string | null;
}

/** parseEvaluation checks a command's reply; undefined if it is not an evaluation. */
export function parseEvaluation(reply: unknown): Evaluation | undefined {
  if (typeof reply !== "object" || reply === null) return undefined;
  const r = reply as Record<string, unknown>;
  const strOrNull = (v: unknown): v is string | null | undefined => v === undefined || v === null || typeof v === "string";
  if (!strOrNull(r.value) || !strOrNull(r.error) || !strOrNull(r.module) || !strOrNull(r.output)) return undefined;
  return { module: r.module ?? "", value: r.value ?? null, output: r.output ?? "", error: r.error ?? null };
}

/** The text after the evaluated code. */
export interface Inline {
  readonly text: string;
  readonly error: boolean;
}

/** The longest inline text; the hover and the log have the rest. */
export const maxInline = 100;

/**
 * inlineText is the evaluation in one line: "= value", or "✗ " and the
 * error's last line (for a traceback, "ZeroDivisionError: division by zero"),
 * or "✓" when the code ran and had no value.
 */
export function inlineText(ev: Evaluation, max = maxInline): Inline {
  if (ev.error !== null) return { text: shorten(`✗ ${lastLine(ev.error)}`, max), error: true };
  if (ev.value !== null) return { text: shorten(`= ${ev.value.replace(/\s+/g, " ").trim()}`, max), error: false };
  return { text: "✓", error: false };
}

/** The part of a document a position names. */
export interface Position {
  readonly line: number;
  readonly character: number;
}

/**
 * anchorLine is the line whose end shows an evaluation of the range from
 * start to end: the range's last line, not counting a last line the range
 * only touches at its start (whole lines selected) or blank lines at its end
 * (a module's trailing newlines).
 */
export function anchorLine(start: Position, end: Position, isBlank: (line: number) => boolean): number {
  let line = end.line;
  if (end.character === 0 && line > start.line) line--;
  while (line > start.line && isBlank(line)) line--;
  return line;
}

function lastLine(s: string): string {
  const lines = s.split("\n").map((l) => l.trim()).filter((l) => l !== "");
  return lines.at(-1) ?? s.trim();
}

function shorten(s: string, max: number): string {
  return s.length <= max ? s : `${s.slice(0, max - 1)}…`;
}
