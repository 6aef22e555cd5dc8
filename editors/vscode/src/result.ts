// What a reload's result (the server's hotload/result, after a save or
// Evaluate Module) becomes in the editor: one line after the module's last
// line when it ran to the end. Failures are diagnostics and a notification.
// Free of the vscode module, so tests run it under plain node.

import { formatDuration } from "./status";

/** The params of hotload/result (README, "Runtime status"). */
export interface ReloadResult {
  readonly uri: string;
  readonly module: string;
  /** The module, and the importers re-run after it, ran to the end. */
  readonly ok: boolean;
  /** False when nothing ran (a SyntaxError, no runtime). */
  readonly ran: boolean;
  readonly durationMs: number;
  /** The repr of the module's last top-level expression, or null. */
  readonly value: string | null;
  /** The first lines of what it printed. */
  readonly output: string;
  /** The failure in one line, or null. */
  readonly error: string | null;
}

/** parseResult checks the params of hotload/result; undefined if they are not one. */
export function parseResult(params: unknown): ReloadResult | undefined {
  if (typeof params !== "object" || params === null) return undefined;
  const p = params as Record<string, unknown>;
  if (typeof p.uri !== "string" || typeof p.module !== "string" || typeof p.ok !== "boolean" || typeof p.ran !== "boolean") return undefined;
  const strOrNull = (v: unknown): string | null => (typeof v === "string" ? v : null);
  return {
    uri: p.uri,
    module: p.module,
    ok: p.ok,
    ran: p.ran,
    durationMs: typeof p.durationMs === "number" && Number.isFinite(p.durationMs) ? p.durationMs : 0,
    value: strOrNull(p.value),
    output: typeof p.output === "string" ? p.output : "",
    error: strOrNull(p.error),
  };
}

/** The longest text after the module's last line; the hover has the rest. */
export const maxResultText = 100;

/**
 * resultText is what follows the module's last line after a run that
 * finished: "✓ 12 ms", then "= value" or the first line of output. It is
 * undefined after a failure: the diagnostics show where it failed, and a
 * mark after the last line would point at a line that may never have run.
 */
export function resultText(r: ReloadResult, max = maxResultText): string | undefined {
  if (!r.ok || !r.ran) return undefined;
  let text = `✓ ${formatDuration(r.durationMs)}`;
  const firstOutput = r.output.split("\n")[0] ?? "";
  if (r.value !== null) text += `  = ${r.value.replace(/\s+/g, " ").trim()}`;
  else if (firstOutput !== "") text += `  ${firstOutput}${r.output.includes("\n") ? " …" : ""}`;
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

/** resultHover is the hover of the text after the module's last line. */
export function resultHover(r: ReloadResult): string {
  const lines = [`${r.module} ran in ${formatDuration(r.durationMs)}`];
  if (r.output !== "") lines.push("", r.output);
  if (r.value !== null) lines.push("", `= ${r.value}`);
  lines.push("", "Hotload: Show Log has everything it printed.");
  return lines.join("\n");
}

/**
 * lastCodeLine is the module's last line that is not blank, where its result
 * shows; undefined for an empty file.
 */
export function lastCodeLine(lineCount: number, isBlank: (line: number) => boolean): number | undefined {
  for (let line = lineCount - 1; line >= 0; line--) {
    if (!isBlank(line)) return line;
  }
  return undefined;
}
