// Text after a line of code, until the document changes: the results of
// evaluations, and of a module's last run after its last line.

import * as vscode from "vscode";

/** ResultDecorations shows one text after the end of each line it is given. */
export class ResultDecorations implements vscode.Disposable {
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

  /** put shows text after line of doc, replacing what that line showed. */
  put(doc: vscode.TextDocument, line: number, text: string, hover: vscode.MarkdownString, error: boolean): void {
    const eol = doc.lineAt(line).range.end;
    const key = doc.uri.toString();
    const decorations = this.byDocument.get(key) ?? new Map<number, vscode.DecorationOptions>();
    decorations.set(line, {
      range: new vscode.Range(eol, eol),
      hoverMessage: hover,
      renderOptions: {
        after: {
          contentText: text,
          color: new vscode.ThemeColor(error ? "editorError.foreground" : "editorCodeLens.foreground"),
        },
      },
    });
    this.byDocument.set(key, decorations);
    this.apply(doc);
  }

  /** clear removes every text shown in doc. */
  clear(doc: vscode.TextDocument): void {
    if (this.byDocument.delete(doc.uri.toString())) this.apply(doc);
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
