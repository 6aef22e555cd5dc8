// The language client's lifecycle: start, stop and restart `hotload lsp`,
// one at a time, and keep the status bar item in step with it.

import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as readline from "node:readline";
import * as vscode from "vscode";
import {
  ExecuteCommandRequest,
  LanguageClient,
  ResponseError,
  RevealOutputChannelOn,
  State,
  type LanguageClientOptions,
  type StaticFeature,
} from "vscode-languageclient/node";

import { ResultDecorations } from "./decorations";
import { importStrategy, ServerNotFoundError, type LocateEnv } from "./locate";
import { commands, resultNotification, section, statusNotification } from "./names";
import { SerialQueue } from "./queue";
import { serverLaunch, type Launch } from "./server";
import { serverLogLine } from "./serverlog";
import { serverSettings, type PathVars } from "./settings";
import { lastCodeLine, parseResult, resultHover, resultText, type ReloadResult } from "./result";
import { parseStatus, statusView, type ClientStatus, type Status } from "./status";
import { TraceChannel } from "./trace";

/**
 * HotloadClient owns the language client, the status bar item and the
 * results shown after a module's last line.
 */
export class HotloadClient implements vscode.Disposable {
  private client: LanguageClient | undefined;
  private readonly queue = new SerialQueue();
  private readonly item = vscode.window.createStatusBarItem("hotload.status", vscode.StatusBarAlignment.Left, 0);
  private readonly moduleResults = new ResultDecorations();
  private readonly trace = new TraceChannel();
  /** Which binary runs, for the tooltip: "server: bundled /…/hotload". */
  private server: string | undefined;

  constructor(
    private readonly extensionPath: string,
    private readonly log: vscode.LogOutputChannel,
  ) {
    this.item.name = "hotload";
    this.item.command = commands.showLog;
  }

  /** start starts the server unless it runs. */
  start(): Promise<void> {
    return this.queue.run("start", () => this.startQueued());
  }

  /** restart stops the server if it runs and starts a new one. */
  restart(): Promise<void> {
    return this.queue.run("restart", async () => {
      await this.stopQueued();
      await this.startQueued();
    });
  }

  /** stop stops the server; it can be started again. */
  stop(): Promise<void> {
    return this.queue.run("stop", () => this.stopQueued());
  }

  /** showStatus shows a status in the status bar item. */
  showStatus(s: Status | ClientStatus): void {
    const view = statusView(s, this.server);
    this.item.text = view.text;
    this.item.tooltip = view.tooltip;
    this.item.backgroundColor = view.error ? new vscode.ThemeColor("statusBarItem.errorBackground") : undefined;
    this.item.show();
  }

  /** requireRunning returns the client if the server runs, and throws if not. */
  requireRunning(): LanguageClient {
    if (this.client?.isRunning() !== true) throw new Error("the server is not running (Hotload: Restart Server starts it)");
    return this.client;
  }

  /** executeCommand runs one of the server's commands and returns its reply. */
  async executeCommand(command: string, args: unknown[] = []): Promise<unknown> {
    return this.requireRunning().sendRequest(ExecuteCommandRequest.type, { command, arguments: args });
  }

  dispose(): void {
    void this.stop();
    this.item.dispose();
    this.moduleResults.dispose();
    this.trace.dispose();
  }

  /**
   * showResult shows a reload's result after the module's last line in the
   * editors that show it, or clears what they showed: after a failure (the
   * diagnostics and an error notification say what failed) and when the
   * document has unsaved changes (its lines are not the code that ran).
   */
  private showResult(r: ReloadResult): void {
    const text = resultText(r);
    const key = vscode.Uri.parse(r.uri).toString();
    const docs = new Set(vscode.window.visibleTextEditors.map((e) => e.document).filter((d) => d.uri.toString() === key));
    for (const doc of docs) {
      this.moduleResults.clear(doc);
      const line = lastCodeLine(doc.lineCount, (l) => doc.lineAt(l).isEmptyOrWhitespace);
      if (text === undefined || doc.isDirty || line === undefined) continue;
      const hover = new vscode.MarkdownString();
      hover.appendCodeblock(resultHover(r), "text");
      this.moduleResults.put(doc, line, text, hover, false);
    }
  }

  private async startQueued(): Promise<void> {
    if (this.client !== undefined) return;
    this.server = undefined;
    if (!vscode.workspace.isTrusted) {
      this.showStatus({ state: "untrusted" }); // it runs the user's code
      return;
    }
    this.showStatus({ state: "starting" });
    const folder = vscode.workspace.workspaceFolders?.find((f) => f.uri.scheme === "file")?.uri.fsPath;
    const config = vscode.workspace.getConfiguration(section);
    const vars: PathVars = { homedir: os.homedir(), workspaceFolder: folder, env: process.env };
    let launch: Launch;
    try {
      launch = serverLaunch(config.get<string>("server.path", ""), locateEnv(this.extensionPath, folder), importStrategy(config.get("importStrategy")));
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      this.log.error(message);
      if (err instanceof ServerNotFoundError) this.log.error(`looked at:\n  ${err.tried.join("\n  ")}`);
      this.showStatus({ state: "stopped", message });
      void vscode.window.showErrorMessage(`hotload: ${message}`, "Open Settings", "Show Log").then((choice) => {
        if (choice === "Open Settings") void vscode.commands.executeCommand("workbench.action.openSettings", "hotload.server.path");
        if (choice === "Show Log") this.log.show(true);
      });
      return;
    }
    this.log.info(`starting ${launch.commandLine} (${launch.located.source}) in ${launch.executable.options?.cwd ?? "(no folder)"}`);
    this.server = `server: ${launch.located.source} ${launch.located.command}`;
    this.showStatus({ state: "starting" });

    const clientOptions: LanguageClientOptions = {
      documentSelector: [{ scheme: "file", language: "python" }],
      outputChannel: this.log,
      traceOutputChannel: this.trace,
      stdioOptions: {
        stdout: (input, log) => lines(input, (line) => log.info(line)),
        stderr: (input, log) => lines(input, (line) => {
          const { level, text } = serverLogLine(line);
          log[level](text);
        }),
      },
      revealOutputChannelOn: RevealOutputChannelOn.Never,
      diagnosticCollectionName: "hotload",
      initializationOptions: () => serverSettings(vscode.workspace.getConfiguration().get(section), vars),
      synchronize: { configurationSection: section },
      middleware: {
        // The server shows evaluation results as inlay hints for clients
        // without their own display; this extension draws them as
        // decorations (with the whole text on hover), so it drops the hints.
        provideInlayHints: () => [],
        workspace: {
          // The default answer is the whole hotload section, server.path and
          // trace.server too, which the server would report as unknown.
          configuration: async (params, token, next) => {
            const answer: unknown = await next(params, token);
            if (!Array.isArray(answer)) return answer as ResponseError;
            return answer.map((value: unknown, i) => (params.items[i]?.section === section ? serverSettings(value, vars) : value));
          },
        },
      },
    };
    const client = new LanguageClient("hotload", "hotload", launch.executable, clientOptions);
    client.registerFeature(inlineResults);
    client.onNotification(statusNotification, (params: unknown) => {
      const s = parseStatus(params);
      if (s !== undefined && this.client === client) this.showStatus(s);
    });
    client.onNotification(resultNotification, (params: unknown) => {
      const r = parseResult(params);
      if (r !== undefined && this.client === client) this.showResult(r);
    });
    client.onDidChangeState((e) => {
      if (e.newState === State.Stopped && this.client === client) this.showStatus({ state: "stopped", message: "it stopped" });
    });
    this.client = client;
    try {
      await client.start();
    } catch (err) {
      this.log.error(`cannot start the server: ${err instanceof Error ? err.message : String(err)}`);
      await this.stopQueued(); // so that the next start tries again
      this.showStatus({ state: "stopped", message: "it could not start; see the log" });
    }
  }

  private async stopQueued(): Promise<void> {
    const client = this.client;
    if (client === undefined) return;
    this.client = undefined;
    try {
      await client.dispose(2000);
    } catch (err) {
      this.log.error(`stopping the server: ${err instanceof Error ? err.message : String(err)}`);
    }
    this.showStatus({ state: "stopped", message: "it was stopped" });
  }
}

/** lines calls f with each line of a stream. */
function lines(input: NodeJS.ReadableStream, f: (line: string) => void): void {
  readline.createInterface({ input, crlfDelay: Infinity, terminal: false }).on("line", f);
}

/** locateEnv is the real world for locateServer. */
function locateEnv(extensionPath: string, workspaceFolder: string | undefined): LocateEnv {
  return {
    platform: process.platform,
    arch: process.arch,
    env: process.env,
    homedir: os.homedir(),
    extensionPath,
    workspaceFolder,
    path,
    isFile: (p) => fs.statSync(p, { throwIfNoEntry: false })?.isFile() === true,
    isExecutable: (p) => {
      try {
        fs.accessSync(p, fs.constants.X_OK);
        return fs.statSync(p).isFile();
      } catch {
        return false;
      }
    },
    makeExecutable: (p) => {
      try {
        fs.chmodSync(p, 0o755);
        return true;
      } catch {
        return false;
      }
    },
  };
}

/**
 * Tells the server that the extension shows evaluation results itself (as
 * decorations), so the server sends no message for them.
 */
const inlineResults: StaticFeature = {
  fillClientCapabilities(capabilities) {
    const declared: unknown = capabilities.experimental;
    const others = typeof declared === "object" && declared !== null ? declared : {};
    capabilities.experimental = { ...others, hotload: { inlineResults: true } };
  },
  initialize() {},
  getState: () => ({ kind: "static" }),
  clear() {},
};
