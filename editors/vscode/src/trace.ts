// hotload.trace.server: the LSP messages between VS Code and the server in
// their own output channel, "hotload (LSP trace)".
//
// vscode-languageclient 11 traces only when its trace channel's log level
// is Trace, and then reads the setting only to choose between "messages"
// and "verbose"; with the log channel's default level, Info, the setting did
// nothing. This channel's level follows the setting instead.

import * as vscode from "vscode";

import { section } from "./names";

/** The hotload.trace.server values. */
export type TraceSetting = "off" | "messages" | "verbose";

/** traceSetting reads the setting; anything unknown is "off". */
export function traceSetting(value: unknown): TraceSetting {
  return value === "messages" || value === "verbose" ? value : "off";
}

/**
 * TraceChannel is the language client's traceOutputChannel: a log channel
 * whose level is Trace exactly when hotload.trace.server is not "off", and
 * which writes every line it is given to a plain output channel.
 */
export class TraceChannel implements vscode.LogOutputChannel {
  readonly name = "hotload (LSP trace)";
  private out: vscode.OutputChannel | undefined;
  private readonly changed = new vscode.EventEmitter<vscode.LogLevel>();
  readonly onDidChangeLogLevel = this.changed.event;
  private level: vscode.LogLevel;
  private readonly listener: vscode.Disposable;

  constructor() {
    this.level = this.read();
    this.listener = vscode.workspace.onDidChangeConfiguration((e) => {
      if (!e.affectsConfiguration(`${section}.trace.server`)) return;
      this.level = this.read();
      this.changed.fire(this.level);
    });
  }

  get logLevel(): vscode.LogLevel {
    return this.level;
  }

  private read(): vscode.LogLevel {
    const setting = traceSetting(vscode.workspace.getConfiguration(section).get("trace.server"));
    return setting === "off" ? vscode.LogLevel.Off : vscode.LogLevel.Trace;
  }

  /** The output channel, made on the first line, so "off" adds none. */
  private channel(): vscode.OutputChannel {
    this.out ??= vscode.window.createOutputChannel(this.name);
    return this.out;
  }

  private write(line: string): void {
    if (this.level !== vscode.LogLevel.Off) this.channel().appendLine(line);
  }

  trace(message: string): void {
    this.write(message);
  }
  debug(message: string): void {
    this.write(message);
  }
  info(message: string): void {
    this.write(message);
  }
  warn(message: string): void {
    this.write(message);
  }
  error(error: string | Error): void {
    this.write(error instanceof Error ? (error.stack ?? error.message) : error);
  }
  append(value: string): void {
    this.channel().append(value);
  }
  appendLine(value: string): void {
    this.channel().appendLine(value);
  }
  replace(value: string): void {
    this.channel().replace(value);
  }
  clear(): void {
    this.out?.clear();
  }
  show(preserveFocus?: boolean): void;
  show(column?: vscode.ViewColumn, preserveFocus?: boolean): void;
  show(a?: boolean | vscode.ViewColumn, b?: boolean): void {
    this.channel().show(typeof a === "boolean" ? a : b);
  }
  hide(): void {
    this.out?.hide();
  }
  dispose(): void {
    this.listener.dispose();
    this.changed.dispose();
    this.out?.dispose();
  }
}
