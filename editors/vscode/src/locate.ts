// Finding the hotload binary. Nothing here touches the file system or the
// process directly: the caller passes them in, so tests can fake them.

/** How a path is taken apart and put together: node's path or path.win32. */
export interface PathOps {
  readonly delimiter: string;
  readonly sep: string;
  isAbsolute(p: string): boolean;
  join(...parts: string[]): string;
  resolve(...parts: string[]): string;
}

/** What locateServer needs from the world. */
export interface LocateEnv {
  /** process.platform: "linux", "darwin", "win32", … */
  readonly platform: string;
  /** process.arch: "x64", "arm64", … */
  readonly arch: string;
  /** The environment; PATH is read from it. */
  readonly env: Readonly<Record<string, string | undefined>>;
  /** The user's home folder, for ~ and ${userHome}. */
  readonly homedir: string;
  /** Where the extension is installed; bin/<platform>-<arch>/ is below it. */
  readonly extensionPath: string;
  /** The first workspace folder, if any: relative paths start there. */
  readonly workspaceFolder?: string | undefined;
  readonly path: PathOps;
  /** Reports whether p is a regular file. */
  isFile(p: string): boolean;
  /** Reports whether p is a file this process may execute. */
  isExecutable(p: string): boolean;
  /**
   * Makes p executable and reports whether that worked. Used for the bundled
   * binary only, whose mode an unzip may have lost.
   */
  makeExecutable?(p: string): boolean;
}

/** Where the server binary was found. */
export interface Located {
  readonly command: string;
  /** "setting" (hotload.server.path), "PATH" or "bundled". */
  readonly source: "setting" | "PATH" | "bundled";
}

/**
 * The hotload.importStrategy setting, as ruff-vscode has it: "useBundled"
 * runs the binary in the extension, so a stale `hotload` on PATH cannot
 * take its place unseen; "fromEnvironment" runs `hotload` on PATH.
 * Either falls back to the other when its own binary is missing.
 */
export type ImportStrategy = "useBundled" | "fromEnvironment";

/** importStrategy reads the setting; anything else is "useBundled". */
export function importStrategy(value: unknown): ImportStrategy {
  return value === "fromEnvironment" ? "fromEnvironment" : "useBundled";
}

/** ServerNotFoundError says that no hotload binary was found, and where it looked. */
export class ServerNotFoundError extends Error {
  constructor(
    message: string,
    /** The places looked at, in order. */
    readonly tried: readonly string[],
  ) {
    super(message);
    this.name = "ServerNotFoundError";
  }
}

/** The binary's file name on a platform. */
export function binaryName(platform: string): string {
  return platform === "win32" ? "hotload.exe" : "hotload";
}

/** The bundled binary's path below the extension: bin/linux-x64/hotload. */
export function bundledPath(e: Pick<LocateEnv, "platform" | "arch" | "extensionPath" | "path">): string {
  return e.path.join(e.extensionPath, "bin", `${e.platform}-${e.arch}`, binaryName(e.platform));
}

/**
 * Expands ~, ${userHome}, ${workspaceFolder} and ${env:NAME} in a path from a
 * setting. A variable that has no value is left as it is.
 */
export function expandPath(
  p: string,
  vars: { readonly homedir: string; readonly workspaceFolder?: string | undefined; readonly env?: Readonly<Record<string, string | undefined>> },
): string {
  let out = p.replace(/\$\{(userHome|workspaceFolder|env:([A-Za-z_][A-Za-z0-9_]*))\}/g, (whole, name: string, envName?: string) => {
    if (name === "userHome") return vars.homedir;
    if (name === "workspaceFolder") return vars.workspaceFolder ?? whole;
    return vars.env?.[envName ?? ""] ?? whole;
  });
  if (out === "~" || out.startsWith("~/") || out.startsWith("~\\")) {
    out = vars.homedir + out.slice(1);
  }
  return out;
}

/**
 * Finds the hotload binary: the hotload.server.path setting if set; else,
 * by strategy, the binary bundled in the extension for this platform and
 * then hotload on PATH ("useBundled", the default), or the other way round
 * ("fromEnvironment"). A configured path that does not work is an error,
 * never silently replaced by another binary, so the user runs the server
 * they asked for.
 *
 * configured may be absolute, relative to the workspace folder (if it has a
 * separator), or a bare name looked up on PATH.
 */
export function locateServer(configured: string, e: LocateEnv, strategy: ImportStrategy = "useBundled"): Located {
  const tried: string[] = [];
  const setting = configured.trim();
  if (setting !== "") {
    const p = expandPath(setting, { homedir: e.homedir, workspaceFolder: e.workspaceFolder, env: e.env });
    let found: string | undefined;
    if (e.path.isAbsolute(p)) {
      tried.push(p);
      found = e.isExecutable(p) ? p : undefined;
    } else if (p.includes("/") || p.includes(e.path.sep)) {
      const abs = e.path.resolve(e.workspaceFolder ?? e.homedir, p);
      tried.push(abs);
      found = e.isExecutable(abs) ? abs : undefined;
    } else {
      found = searchPath(p, e, tried);
    }
    if (found === undefined) {
      throw new ServerNotFoundError(`hotload.server.path: ${configured} is not an executable file (looked at ${tried.join(", ")})`, tried);
    }
    return { command: found, source: "setting" };
  }
  const fromPath = (): Located | undefined => {
    const found = searchPath("hotload", e, tried);
    return found === undefined ? undefined : { command: found, source: "PATH" };
  };
  const fromExtension = (): Located | undefined => {
    const bundled = bundledPath(e);
    tried.push(bundled);
    const ok = e.isExecutable(bundled) || (e.isFile(bundled) && e.makeExecutable?.(bundled) === true);
    return ok ? { command: bundled, source: "bundled" } : undefined;
  };
  const found = strategy === "fromEnvironment" ? (fromPath() ?? fromExtension()) : (fromExtension() ?? fromPath());
  if (found !== undefined) return found;
  throw new ServerNotFoundError(
    `cannot find the hotload binary: set hotload.server.path, put hotload on PATH (go install ./cmd/hotload), ` +
      `or install the extension built for ${e.platform}-${e.arch}`,
    tried,
  );
}

/** searchPath looks for name in each PATH folder, appending what it tried. */
function searchPath(name: string, e: LocateEnv, tried: string[]): string | undefined {
  const dirs = (envValue(e, "PATH") ?? "").split(e.path.delimiter).filter((d) => d !== "");
  let names = [name];
  if (e.platform === "win32" && !/\.[^.\\/]+$/.test(name)) {
    const exts = (envValue(e, "PATHEXT") ?? ".COM;.EXE;.BAT;.CMD").split(";").filter((x) => x !== "");
    names = exts.map((x) => name + x.toLowerCase());
  }
  for (const dir of dirs) {
    for (const n of names) {
      const p = e.path.join(dir, n);
      tried.push(p);
      if (e.isExecutable(p)) return p;
    }
  }
  return undefined;
}

/** envValue reads a variable, ignoring case on Windows as Windows does. */
function envValue(e: LocateEnv, name: string): string | undefined {
  if (e.platform !== "win32") return e.env[name];
  const key = Object.keys(e.env).find((k) => k.toUpperCase() === name);
  return key === undefined ? undefined : e.env[key];
}
