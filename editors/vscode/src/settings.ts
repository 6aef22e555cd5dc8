// The hotload.* settings the server reads, as initializationOptions and as
// the answer to workspace/configuration for section "hotload".

import { expandPath } from "./locate";

/** The settings the server knows (README, "Settings"). */
export interface ServerSettings {
  python?: string | string[];
  preload?: string[];
  extraPaths?: string[];
  env?: Record<string, string>;
  reloadDependents?: boolean;
  strategy?: "inplace" | "fresh";
  afterReload?: string;
  timeout?: number;
  pathMap?: Record<string, string>;
  attach?: string;
  /** Which messages are popups: "errors" (this extension's default), "all", "off". */
  notifications?: "errors" | "all" | "off";
  /** `python ARGS…`'s ARGS for Start App, e.g. ["-m", "uvicorn", "main:app"]. */
  app?: string[];
}

/**
 * The keys of ServerSettings. Every other hotload.* setting (server.path,
 * importStrategy, trace.server) belongs to the extension: the server would report it as
 * unknown.
 */
export const serverSettingKeys = [
  "python",
  "preload",
  "extraPaths",
  "env",
  "reloadDependents",
  "strategy",
  "afterReload",
  "timeout",
  "pathMap",
  "attach",
  "notifications",
  "app",
] as const satisfies readonly (keyof ServerSettings)[];

/** What ~ and ${…} in paths expand to. */
export interface PathVars {
  readonly homedir: string;
  readonly workspaceFolder?: string | undefined;
  readonly env?: Readonly<Record<string, string | undefined>>;
}

/**
 * serverSettings turns the hotload configuration section (as
 * workspace.getConfiguration().get("hotload") gives it) into what the server
 * is sent: only the server's keys, each one present even when empty (the
 * server keeps an initializationOptions value that a later answer leaves
 * out, so clearing hotload.python must send ""), with ~, ${workspaceFolder},
 * ${userHome} and ${env:NAME} expanded in python, extraPaths, attach and the
 * local folders of pathMap (not the remote ones). Values of the
 * wrong type are passed on as they are: the server names the setting and
 * says what it wants.
 */
export function serverSettings(section: unknown, vars: PathVars): ServerSettings {
  const out: Record<string, unknown> = {};
  if (typeof section !== "object" || section === null) return out;
  const raw = section as Record<string, unknown>;
  for (const key of serverSettingKeys) {
    const value = raw[key];
    if (value === undefined || value === null) continue;
    out[key] = value;
  }
  const expand = (p: unknown): unknown => (typeof p === "string" ? expandPath(p, vars) : p);
  if (typeof out.python === "string") {
    out.python = expand(out.python);
  } else if (Array.isArray(out.python) && out.python.length > 0) {
    const argv = out.python as unknown[];
    out.python = [expand(argv[0]), ...argv.slice(1)];
  }
  if (Array.isArray(out.extraPaths)) {
    out.extraPaths = (out.extraPaths as unknown[]).map(expand);
  }
  out.attach = out.attach === undefined ? undefined : expand(out.attach);
  if (out.attach === undefined) delete out.attach;
  if (typeof out.pathMap === "object" && out.pathMap !== null && !Array.isArray(out.pathMap)) {
    const local: Record<string, unknown> = {};
    for (const [folder, remote] of Object.entries(out.pathMap as Record<string, unknown>)) {
      local[expandPath(folder, vars)] = remote;
    }
    out.pathMap = local;
  }
  return out;
}
