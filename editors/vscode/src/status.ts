// The status bar's text for the server's hotload/status notification.
// Free of the vscode module, so tests run it under plain node.

/** The runtime's states as the server names them. */
export type RuntimeState = "starting" | "ready" | "running" | "dead";

/** The params of hotload/status (README, "Runtime status"). */
export interface Status {
  readonly state: RuntimeState;
  /** The module running now, or that ran last. */
  readonly module?: string;
  /** How long the last run took, in milliseconds; absent if it did not run. */
  readonly lastReloadMs?: number;
  /** The last run's failure in one line; absent if it ran to the end. */
  readonly lastError?: string;
  /** The runtime's process id. */
  readonly pid?: number;
  /** Why the runtime is dead. */
  readonly message?: string;
}

/** States the extension knows of itself: no server runs. */
export interface ClientStatus {
  readonly state: "stopped" | "untrusted";
  readonly message?: string;
}

/** What the status bar item shows. */
export interface StatusView {
  readonly text: string;
  readonly tooltip: string;
  /** Whether to show the item in the error colours. */
  readonly error: boolean;
}

const states: readonly string[] = ["starting", "ready", "running", "dead"] satisfies RuntimeState[];

/**
 * parseStatus checks the params of a hotload/status notification and keeps
 * the fields it knows; it returns undefined for anything else, so a newer
 * server's notification cannot break the status bar.
 */
export function parseStatus(params: unknown): Status | undefined {
  if (typeof params !== "object" || params === null) return undefined;
  const p = params as Record<string, unknown>;
  if (typeof p.state !== "string" || !states.includes(p.state)) return undefined;
  const out: { -readonly [K in keyof Status]: Status[K] } = { state: p.state as RuntimeState };
  if (typeof p.module === "string" && p.module !== "") out.module = p.module;
  if (typeof p.lastReloadMs === "number" && Number.isFinite(p.lastReloadMs) && p.lastReloadMs >= 0) out.lastReloadMs = p.lastReloadMs;
  if (typeof p.pid === "number" && p.pid > 0) out.pid = p.pid;
  if (typeof p.message === "string" && p.message !== "") out.message = p.message;
  if (typeof p.lastError === "string" && p.lastError !== "") out.lastError = p.lastError;
  return out;
}

/** formatDuration writes milliseconds the way a person reads them: 0.5 ms, 12 ms, 1.3 s. */
export function formatDuration(ms: number): string {
  if (ms < 10) return `${(Math.round(ms * 10) / 10).toFixed(1)} ms`;
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  const s = Math.round(ms / 1000);
  return `${Math.floor(s / 60)} min ${s % 60} s`;
}

/**
 * statusView maps a status to the status bar item's text and tooltip;
 * server, if given, says which binary runs ("server: bundled /…/hotload").
 */
export function statusView(s: Status | ClientStatus, server?: string): StatusView {
  const hint = server === undefined ? "Click to show the hotload log." : `${server}\nClick to show the hotload log.`;
  switch (s.state) {
    case "starting":
      return { text: "$(sync~spin) hotload", tooltip: `hotload: starting Python…\n${hint}`, error: false };
    case "running": {
      const text = s.module === undefined ? "$(sync~spin) hotload" : `$(sync~spin) hotload: ${s.module}`;
      const what = s.module === undefined ? "code" : s.module;
      return { text, tooltip: `hotload: running ${what}. Hotload: Interrupt stops it.\n${hint}`, error: false };
    }
    case "ready": {
      const took = s.lastReloadMs === undefined ? undefined : formatDuration(s.lastReloadMs);
      const lines = ["hotload: ready"];
      const module = s.module ?? "the code";
      if (s.lastError !== undefined && took === undefined) lines.push(`${module}: the last run did not start: ${s.lastError}`);
      else if (s.lastError !== undefined) lines.push(`${module}: the last run failed after ${took}: ${s.lastError}`);
      else if (s.module !== undefined && took !== undefined) lines.push(`${s.module} last ran in ${took}`);
      if (s.pid !== undefined) lines.push(`Python pid ${s.pid}`);
      lines.push(hint);
      // A tick only for a run that finished: after a failure the error icon.
      const icon = s.lastError === undefined ? "$(check)" : "$(error)";
      return { text: took === undefined ? `${icon} hotload` : `${icon} hotload ${took}`, tooltip: lines.join("\n"), error: false };
    }
    case "dead":
      return { text: "$(error) hotload", tooltip: `hotload: Python is not running: ${s.message ?? "it stopped"}\n${hint}`, error: true };
    case "stopped":
      return { text: "$(error) hotload", tooltip: `hotload: the server is not running: ${s.message ?? "it stopped"}\n${hint}`, error: true };
    case "untrusted":
      return {
        text: "$(workspace-untrusted) hotload",
        tooltip: "hotload is off: it runs your Python code, so it starts only in a trusted workspace.",
        error: false,
      };
  }
}
