// The server's stderr in the log channel at the right level: `hotload lsp`
// logs with zap's console encoder, "<time>\t<LEVEL>\t<message>\t<fields>".
// Free of the vscode module, so tests run it under plain node.

/** The LogOutputChannel method for a line. */
export type LogLevel = "trace" | "debug" | "info" | "warn" | "error";

const levels: Readonly<Record<string, LogLevel>> = {
  DEBUG: "debug",
  INFO: "info",
  WARN: "warn",
  ERROR: "error",
  DPANIC: "error",
  PANIC: "error",
  FATAL: "error",
};

/**
 * serverLogLine gives a line of the server's stderr its level and drops
 * zap's timestamp (the channel adds its own). A line in no known format,
 * a Go panic say, is an error.
 */
export function serverLogLine(line: string): { level: LogLevel; text: string } {
  const m = /^\d{4}-\d\d-\d\dT[\d:.]+(?:Z|[+-]\d\d:?\d\d)?\t([A-Z]+)\t(.*)$/.exec(line);
  const level = m === null ? undefined : levels[m[1] ?? ""];
  if (m === null || level === undefined) return { level: "error", text: line };
  return { level, text: (m[2] ?? "").replace(/\t/g, "  ") };
}
