// A stand-in for the vscode module, for running the extension under plain
// node: the parts the extension and vscode-languageclient use are real
// enough to watch, and everything else is a harmless do-nothing.
import { createRequire, Module } from "node:module";
import * as path from "node:path";
import { pathToFileURL, fileURLToPath } from "node:url";
import { CancellationTokenSource, Emitter } from "vscode-languageserver-protocol/node";

/**
 * loose is a do-nothing that can be called, constructed, iterated and asked
 * for any property, which is another do-nothing; it is not a promise.
 */
export function loose(): unknown {
  const target = function () {
    /* does nothing */
  };
  return new Proxy(target, {
    get: (_t, prop) => {
      if (prop === "then") return undefined;
      if (prop === Symbol.iterator) {
        return function* () {
          /* empty */
        };
      }
      if (prop === Symbol.toPrimitive) return () => "";
      if (prop === "length") return 0;
      return loose();
    },
    apply: () => loose(),
    construct: () => loose() as object,
  });
}

/** lenient returns obj, with a do-nothing for every property it lacks. */
export function lenient<T extends object>(obj: T): T {
  return new Proxy(obj, {
    get: (target, prop) => (prop in target ? (target as Record<string | symbol, unknown>)[prop] : loose()),
  });
}

export class Position {
  constructor(
    readonly line: number,
    readonly character: number,
  ) {}
}

export class Range {
  readonly start: Position;
  readonly end: Position;
  constructor(a: Position | number, b: Position | number, c?: number, d?: number) {
    this.start = a instanceof Position ? a : new Position(a, b as number);
    this.end = b instanceof Position ? b : new Position(c ?? 0, d ?? 0);
  }
  get isEmpty(): boolean {
    return this.start.line === this.end.line && this.start.character === this.end.character;
  }
}

export class Uri {
  private constructor(private readonly url: URL) {}
  static parse(s: string): Uri {
    return new Uri(new URL(s));
  }
  static file(p: string): Uri {
    return new Uri(pathToFileURL(p));
  }
  get scheme(): string {
    return this.url.protocol.replace(/:$/, "");
  }
  get fsPath(): string {
    return fileURLToPath(this.url);
  }
  get path(): string {
    return this.url.pathname;
  }
  toString(): string {
    return this.url.href;
  }
  toJSON(): string {
    return this.url.href;
  }
}

export class Disposable {
  constructor(private readonly f: () => unknown) {}
  static from(...items: { dispose(): unknown }[]): Disposable {
    return new Disposable(() => {
      for (const i of items) i.dispose();
    });
  }
  dispose(): void {
    this.f();
  }
}

export class ThemeColor {
  constructor(readonly id: string) {}
}

export class MarkdownString {
  value = "";
  appendCodeblock(code: string, language = ""): this {
    this.value += `\n\`\`\`${language}\n${code}\n\`\`\`\n`;
    return this;
  }
}

/** A text document as the extension reads it. */
export function textDocument(file: string, text: string, languageId = "python") {
  const lines = text.split("\n");
  return {
    uri: Uri.file(file),
    fileName: file,
    languageId,
    version: 1,
    isDirty: false,
    isClosed: false,
    lineCount: lines.length,
    getText: (r?: Range) => {
      if (r === undefined) return text;
      return lines
        .slice(r.start.line, r.end.line + 1)
        .map((l, i, all) => l.slice(i === 0 ? r.start.character : 0, i === all.length - 1 ? r.end.character : undefined))
        .join("\n");
    },
    lineAt: (line: number) => {
      const t = lines[line] ?? "";
      return { text: t, range: new Range(line, 0, line, t.length), isEmptyOrWhitespace: t.trim() === "" };
    },
  };
}

/** What the stand-in saw. */
export interface Seen {
  readonly commands: Map<string, (...args: unknown[]) => unknown>;
  readonly listeners: Map<string, ((...args: unknown[]) => unknown)[]>;
  /** Messages shown, as "info: …", "warning: …", "error: …", and "status: …" in the status bar. */
  readonly messages: string[];
  /** The output channel's lines. */
  readonly log: string[];
  readonly statusItem: { text: string; tooltip: string; command: string; backgroundColor: unknown };
  /** Decorations set, by decoration type, on the fake editor. */
  readonly decorations: unknown[][];
}

/** Options of the stand-in. */
export interface FakeOptions {
  readonly trusted: boolean;
  readonly folder?: string;
  /** hotload.* settings, by key below hotload ("server.path"). */
  readonly settings?: Record<string, unknown>;
  readonly activeTextEditor?: unknown;
  /** The open documents. */
  readonly textDocuments?: readonly unknown[];
}

/** fakeVSCode makes the stand-in and what it records. */
export function fakeVSCode(opts: FakeOptions): { vscode: unknown; seen: Seen } {
  const seen: Seen = {
    commands: new Map(),
    listeners: new Map(),
    messages: [],
    log: [],
    statusItem: { text: "", tooltip: "", command: "", backgroundColor: undefined },
    decorations: [],
  };
  const event =
    (name: string) =>
    (fn: (...args: unknown[]) => unknown): Disposable => {
      const list = seen.listeners.get(name) ?? [];
      list.push(fn);
      seen.listeners.set(name, list);
      return new Disposable(() => undefined);
    };
  const show = (kind: string) => (message: string) => {
    seen.messages.push(`${kind}: ${message}`);
    return Promise.resolve(undefined);
  };
  const line = (level: string) => (message: unknown) => seen.log.push(level === "" ? String(message) : `[${level}] ${String(message)}`);
  const settings = opts.settings ?? {};
  const configuration = (section?: string) => ({
    get: (key: string, def?: unknown) => {
      const full = section === undefined ? key : `${section}.${key}`;
      if (full === "hotload") {
        // The whole section, nested as VS Code gives it.
        const out: Record<string, unknown> = {};
        for (const [k, v] of Object.entries(settings)) {
          const parts = k.split(".");
          let obj = out;
          for (const p of parts.slice(0, -1)) obj = (obj[p] ??= {}) as Record<string, unknown>;
          obj[parts.at(-1) ?? ""] = v;
        }
        return out;
      }
      const k = full.replace(/^hotload\./, "");
      return full.startsWith("hotload.") && k in settings ? settings[k] : def;
    },
    has: () => false,
    inspect: () => undefined,
    update: () => Promise.resolve(),
  });
  const folder = opts.folder;
  const vscode = lenient({
    version: "1.91.0",
    Position,
    Range,
    Uri,
    Disposable,
    ThemeColor,
    MarkdownString,
    EventEmitter: Emitter,
    CancellationTokenSource,
    CancellationError: class CancellationError extends Error {},
    StatusBarAlignment: { Left: 1, Right: 2 },
    DecorationRangeBehavior: { ClosedClosed: 1 },
    LogLevel: { Off: 0, Trace: 1, Debug: 2, Info: 3, Warning: 4, Error: 5 },
    env: lenient({ appName: "fake", language: "en", machineId: "0" }),
    window: lenient({
      createOutputChannel: (name: string) =>
        lenient({
          name,
          logLevel: 3,
          onDidChangeLogLevel: event("onDidChangeLogLevel"),
          append: line(""),
          appendLine: line(""),
          trace: line("trace"),
          debug: line("debug"),
          info: line("info"),
          warn: line("warning"),
          error: line("error"),
          show: () => undefined,
          dispose: () => undefined,
        }),
      createStatusBarItem: () => Object.assign(seen.statusItem, { name: "", show: () => undefined, dispose: () => undefined }),
      createTextEditorDecorationType: () => ({ dispose: () => undefined }),
      showInformationMessage: show("info"),
      showWarningMessage: show("warning"),
      showErrorMessage: show("error"),
      setStatusBarMessage: (message: string) => {
        seen.messages.push(`status: ${message}`);
        return new Disposable(() => undefined);
      },
      onDidChangeVisibleTextEditors: event("onDidChangeVisibleTextEditors"),
      onDidChangeActiveTextEditor: event("onDidChangeActiveTextEditor"),
      activeTextEditor: opts.activeTextEditor,
      visibleTextEditors: opts.activeTextEditor === undefined ? [] : [opts.activeTextEditor],
    }),
    workspace: lenient({
      isTrusted: opts.trusted,
      workspaceFolders: folder === undefined ? undefined : [{ uri: Uri.file(folder), name: path.basename(folder), index: 0 }],
      textDocuments: opts.textDocuments ?? [],
      notebookDocuments: [],
      getConfiguration: configuration,
      onDidChangeConfiguration: event("onDidChangeConfiguration"),
      onDidGrantWorkspaceTrust: event("onDidGrantWorkspaceTrust"),
      onDidChangeTextDocument: event("onDidChangeTextDocument"),
      onDidCloseTextDocument: event("onDidCloseTextDocument"),
      onDidOpenTextDocument: event("onDidOpenTextDocument"),
      onDidSaveTextDocument: event("onDidSaveTextDocument"),
      onWillSaveTextDocument: event("onWillSaveTextDocument"),
      onDidChangeWorkspaceFolders: event("onDidChangeWorkspaceFolders"),
    }),
    languages: lenient({
      // The extension's selector is Python files.
      match: (_selector: unknown, doc: { languageId: string; uri: Uri }) => (doc.languageId === "python" && doc.uri.scheme === "file" ? 10 : 0),
      createDiagnosticCollection: () => lenient({ set: () => undefined, delete: () => undefined, clear: () => undefined, dispose: () => undefined }),
    }),
    commands: lenient({
      registerCommand: (id: string, fn: (...args: unknown[]) => unknown) => {
        if (seen.commands.has(id)) throw new Error(`command '${id}' already exists`);
        seen.commands.set(id, fn);
        return new Disposable(() => seen.commands.delete(id));
      },
      executeCommand: () => Promise.resolve(undefined),
    }),
  });
  return { vscode, seen };
}

/** withVSCode hands vscode to every require("vscode") until the returned function is called. */
export function withVSCode(vscode: unknown): () => void {
  const loader = Module as unknown as { _load: (request: string, ...rest: unknown[]) => unknown };
  const load = loader._load;
  loader._load = function (request: string, ...rest: unknown[]) {
    return request === "vscode" ? vscode : load.call(this, request, ...rest);
  };
  return () => {
    loader._load = load;
  };
}

/**
 * load loads the extension at entry afresh, with the vscode-languageclient it
 * uses, so that they see the stand-in withVSCode installed, not an earlier one.
 */
export function load(entry: string, root: string): unknown {
  const require = createRequire(__filename);
  for (const key of Object.keys(require.cache)) {
    if (key.startsWith(root + path.sep)) Reflect.deleteProperty(require.cache, key);
  }
  return require(entry);
}
