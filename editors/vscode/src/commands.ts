// The palette's commands, and the results of evaluations shown after the
// code they came from.

import * as vscode from "vscode";

import type { HotloadClient } from "./client";
import { anchorLine, inlineText, logText, parseEvaluation, type Evaluation } from "./evaluation";
import { commands, serverCommands } from "./names";

/** registerCommands registers the extension's commands. */
export function registerCommands(hotload: HotloadClient, log: vscode.LogOutputChannel): vscode.Disposable {
  const results = new ResultDecorations();
  const evaluate = async (editor: vscode.TextEditor, range: vscode.Range, what: string, command: string, args: unknown[]) => {
    const reply = await hotload.executeCommand(command, args);
    const ev = parseEvaluation(reply);
    if (ev === undefined) {
      log.warn(`${command} replied ${JSON.stringify(reply)}`);
      return;
    }
    if (ev.error === null) log.info(logText(what, ev));
    else log.error(logText(what, ev));
    results.show(editor, range, ev);
  };
  const run = (f: (editor: vscode.TextEditor) => Promise<unknown>) => async () => {
    const editor = vscode.window.activeTextEditor;
    if (editor === undefined || editor.document.languageId !== "python" || editor.document.uri.scheme !== "file") {
      void vscode.window.showInformationMessage("hotload: open a Python file first.");
      return;
    }
    await f(editor).catch(showError(log));
  };
  const server = (command: string) => () => hotload.executeCommand(command).then(() => undefined, showError(log));

  return vscode.Disposable.from(
    results,
    vscode.commands.registerCommand(
      commands.evaluateModule,
      run(async (editor) => {
        const doc = editor.document;
        const whole = new vscode.Range(0, 0, doc.lineCount, 0);
        const note = doc.isDirty ? " (as saved; unsaved changes did not run)" : "";
        await evaluate(editor, whole, `evaluate module${note}`, serverCommands.evaluateModule, [doc.uri.toString()]);
      }),
    ),
    vscode.commands.registerCommand(
      commands.evaluateSelection,
      run(async (editor) => {
        const client = hotload.requireRunning();
        // An empty selection evaluates its line.
        const sel = editor.selection;
        const range = sel.isEmpty ? editor.document.lineAt(sel.active.line).range : new vscode.Range(sel.start, sel.end);
        const what = firstLine(editor.document.getText(range));
        const args = [editor.document.uri.toString(), client.code2ProtocolConverter.asRange(range)];
        await evaluate(editor, range, what, serverCommands.evaluateSelection, args);
      }),
    ),
    vscode.commands.registerCommand(commands.interruptRuntime, server(serverCommands.interruptRuntime)),
    vscode.commands.registerCommand(commands.restartRuntime, server(serverCommands.restartRuntime)),
    vscode.commands.registerCommand(commands.restartServer, () => hotload.restart()),
    vscode.commands.registerCommand(commands.showLog, () => log.show(true)),
    // The app is the hotload.app setting; the server says what happened.
    vscode.commands.registerCommand(commands.startApp, server(serverCommands.startApp)),
    vscode.commands.registerCommand(commands.stopApp, server(serverCommands.stopApp)),
    vscode.commands.registerCommand(commands.restartApp, server(serverCommands.restartApp)),
  );
}

function showError(log: vscode.LogOutputChannel) {
  return (err: unknown) => {
    const message = err instanceof Error ? err.message : String(err);
    log.error(message);
    void vscode.window.showErrorMessage(`hotload: ${message}`);
  };
}

function firstLine(code: string): string {
  const lines = code.trim().split("\n");
  return lines.length > 1 ? `${lines[0] ?? ""} …` : (lines[0] ?? "");
}

/**
 * ResultDecorations shows each evaluation's result after the end of the code
 * it evaluated, one per line, until the document changes.
 */
class ResultDecorations implements vscode.Disposable {
  private readonly type = vscode.window.createTextEditorDecorationType({
    after: { margin: "0 0 0 2em", fontStyle: "italic" },
    rangeBehavior: vscode.DecorationRangeBehavior.ClosedClosed,
  });
  /** The decorations of each document, by its URI, one per line. */
  private readonly byDocument = new Map<string, Map<number, vscode.DecorationOptions>>();
  private readonly listeners: vscode.Disposable[];

  constructor() {
    this.listeners = [
      vscode.workspace.onDidChangeTextDocument((e) => {
        if (e.contentChanges.length > 0 && this.byDocument.delete(e.document.uri.toString())) this.apply(e.document);
      }),
      vscode.workspace.onDidCloseTextDocument((doc) => this.byDocument.delete(doc.uri.toString())),
      // An editor that comes back (another tab, a split) starts without decorations.
      vscode.window.onDidChangeVisibleTextEditors((editors) => editors.forEach((ed) => this.apply(ed.document))),
    ];
  }

  show(editor: vscode.TextEditor, range: vscode.Range, ev: Evaluation): void {
    const doc = editor.document;
    const last = Math.min(range.end.line, doc.lineCount - 1);
    const end = last < range.end.line ? doc.lineAt(last).range.end : range.end;
    const line = anchorLine(range.start, end, (l) => doc.lineAt(l).isEmptyOrWhitespace);
    const eol = doc.lineAt(line).range.end;
    const inline = inlineText(ev);
    const hover = new vscode.MarkdownString();
    hover.appendCodeblock(ev.error ?? ev.value ?? (ev.output || "None"), ev.error === null && ev.value !== null ? "python" : "text");
    const key = doc.uri.toString();
    const decorations = this.byDocument.get(key) ?? new Map<number, vscode.DecorationOptions>();
    decorations.set(line, {
      range: new vscode.Range(eol, eol),
      hoverMessage: hover,
      renderOptions: {
        after: {
          contentText: inline.text,
          color: new vscode.ThemeColor(inline.error ? "editorError.foreground" : "editorCodeLens.foreground"),
        },
      },
    });
    this.byDocument.set(key, decorations);
    this.apply(doc);
  }

  private apply(doc: vscode.TextDocument): void {
    const options = [...(this.byDocument.get(doc.uri.toString())?.values() ?? [])];
    for (const editor of vscode.window.visibleTextEditors) {
      if (editor.document === doc) editor.setDecorations(this.type, options);
    }
  }

  dispose(): void {
    for (const l of this.listeners) l.dispose();
    this.type.dispose();
  }
}
