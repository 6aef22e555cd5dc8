// How the server is launched: `hotload lsp` over stdio, in the workspace.
// Free of the vscode module, so tests run it under plain node.

import type { Executable } from "vscode-languageclient/node";

import { locateServer, type ImportStrategy, type LocateEnv, type Located } from "./locate";

/** The server's launch: what the language client runs, and where it came from. */
export interface Launch {
  readonly executable: Executable & { readonly args: string[] };
  readonly located: Located;
  /** The command line as a person would type it, for the log. */
  readonly commandLine: string;
}

/**
 * serverLaunch locates the binary (see locateServer, with the
 * hotload.importStrategy setting) and returns
 * `{ command, args: ["lsp"], options: { cwd, env } }`. The server runs in the
 * first workspace folder, the runtime's working directory too, with the
 * extension host's environment, so $VIRTUAL_ENV and PATH reach Python.
 * It throws ServerNotFoundError when there is no binary.
 */
export function serverLaunch(configuredPath: string, e: LocateEnv, strategy: ImportStrategy = "useBundled"): Launch {
  const located = locateServer(configuredPath, e, strategy);
  const args = ["lsp"];
  const executable = {
    command: located.command,
    args,
    options: { cwd: e.workspaceFolder, env: { ...e.env } },
  };
  return { executable, located, commandLine: [located.command, ...args].map(quote).join(" ") };
}

/** quote quotes a word for a POSIX shell when it needs it. */
export function quote(word: string): string {
  if (word !== "" && /^[\w@%+=:,./-]+$/.test(word)) return word;
  return `'${word.replace(/'/g, `'\\''`)}'`;
}
