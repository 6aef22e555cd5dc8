// The palette's commands, and the results of evaluations shown after the
// code they came from.

import * as vscode from "vscode";

import type { HotloadClient } from "./client";
import { ResultDecorations } from "./decorations";
import { anchorLine, inlineText, parseEvaluation } from "./evaluation";
import { commands, serverCommands } from "./names";

/** How long a command's acknowledgement stays in the status bar. */
const ackMs = 8000;

/**
 * registerCommands registers the extension's commands. What an evaluation
 * did is in the log once, as the server's window/logMessage; the extension
 * shows it in the editor only.
 */
export function registerCommands(hotload: HotloadClient, log: vscode.LogOutputChannel): vscode.Disposable {
  const results = new ResultDecorations();
  const run = (f: (editor: vscode.TextEditor) => Promise<unknown>) => async () => {
    const editor = vscode.window.activeTextEditor;
    if (editor === undefined || editor.document.languageId !== "python" || editor.document.uri.scheme !== "file") {
      void vscode.window.showInformationMessage("hotload: open a Python file first.");
      return;
    }
    await f(editor).catch(showError(log));
  };

  /** app runs an app command and acknowledges it in the status bar: "app started (pid 42)". */
  const app = (command: string, done: string) => async () => {
    const reply = await hotload.executeCommand(command).catch(showError(log));
    if (!isObject(reply)) return;
    const pid = typeof reply.pid === "number" && reply.pid > 0 ? ` (pid ${reply.pid})` : "";
    vscode.window.setStatusBarMessage(`hotload: ${done}${pid}`, ackMs);
  };

  return vscode.Disposable.from(
    results,
    vscode.commands.registerCommand(
      commands.evaluateModule,
      run(async (editor) => {
        const doc = editor.document;
        // The server runs the file as saved; its hotload/result shows the
        // outcome after the module's last line (see client.ts) unless the
        // buffer's lines differ from what ran.
        if (doc.isDirty) vscode.window.setStatusBarMessage(`hotload: ran ${fileName(doc)} as saved; unsaved changes did not run`, ackMs);
        await hotload.executeCommand(serverCommands.evaluateModule, [doc.uri.toString()]);
      }),
    ),
    vscode.commands.registerCommand(
      commands.evaluateSelection,
      run(async (editor) => {
        const client = hotload.requireRunning();
        // An empty selection evaluates its line.
        const sel = editor.selection;
        const doc = editor.document;
        const range = sel.isEmpty ? doc.lineAt(sel.active.line).range : new vscode.Range(sel.start, sel.end);
        const args = [doc.uri.toString(), client.code2ProtocolConverter.asRange(range)];
        const reply = await hotload.executeCommand(serverCommands.evaluateSelection, args);
        const ev = parseEvaluation(reply);
        if (ev === undefined) {
          log.warn(`${serverCommands.evaluateSelection} replied ${JSON.stringify(reply)}`);
          return;
        }
        const last = Math.min(range.end.line, doc.lineCount - 1);
        const end = last < range.end.line ? doc.lineAt(last).range.end : range.end;
        const line = anchorLine(range.start, end, (l) => doc.lineAt(l).isEmptyOrWhitespace);
        const inline = inlineText(ev);
        const hover = new vscode.MarkdownString();
        hover.appendCodeblock(ev.error ?? ev.value ?? (ev.output || "None"), ev.error === null && ev.value !== null ? "python" : "text");
        results.put(doc, line, inline.text, hover, inline.error);
      }),
    ),
    vscode.commands.registerCommand(commands.interruptRuntime, async () => {
      const reply = await hotload.executeCommand(serverCommands.interruptRuntime).catch(showError(log));
      if (isObject(reply) && reply.interrupted === false) vscode.window.setStatusBarMessage("hotload: nothing is running", ackMs);
    }),
    vscode.commands.registerCommand(commands.restartRuntime, async () => {
      const ok = await hotload.executeCommand(serverCommands.restartRuntime).then(() => true, showError(log));
      if (ok === true) vscode.window.setStatusBarMessage("hotload: runtime restarted", ackMs);
    }),
    vscode.commands.registerCommand(commands.restartServer, () => hotload.restart()),
    vscode.commands.registerCommand(commands.showLog, () => log.show(true)),
    // The app is the hotload.app setting. The server pops up failures (and,
    // with hotload.notifications "all", the rest); the status bar has the rest.
    vscode.commands.registerCommand(commands.startApp, app(serverCommands.startApp, "app started")),
    vscode.commands.registerCommand(commands.stopApp, app(serverCommands.stopApp, "the app is not running")),
    vscode.commands.registerCommand(commands.restartApp, app(serverCommands.restartApp, "app restarted")),
  );
}

function showError(log: vscode.LogOutputChannel) {
  return (err: unknown): undefined => {
    const message = err instanceof Error ? err.message : String(err);
    log.error(message);
    void vscode.window.showErrorMessage(`hotload: ${message}`);
    return undefined;
  };
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null;
}

function fileName(doc: vscode.TextDocument): string {
  return doc.uri.path.split("/").at(-1) ?? doc.uri.path;
}
