// The hotload extension: starts `hotload lsp` for Python files and exposes
// its commands. See README.md.

import * as vscode from "vscode";

import { HotloadClient } from "./client";
import { registerCommands } from "./commands";
import { section } from "./names";

let hotload: HotloadClient | undefined;

export function activate(context: vscode.ExtensionContext): void {
  const log = vscode.window.createOutputChannel("hotload", { log: true });
  const client = new HotloadClient(context.extensionPath, log);
  hotload = client;
  context.subscriptions.push(
    log,
    client,
    registerCommands(client, log),
    vscode.workspace.onDidChangeConfiguration((e) => {
      // The other settings reach the running server, which applies them.
      if (e.affectsConfiguration(`${section}.server.path`)) void client.restart();
    }),
  );

  // package.json says untrustedWorkspaces is not supported, so VS Code does
  // not activate the extension in Restricted Mode; this check is for the
  // case it does anyway.
  if (!vscode.workspace.isTrusted) {
    client.showStatus({ state: "untrusted" });
    void vscode.window
      .showInformationMessage(
        "hotload runs your Python code, so it starts only when you trust this workspace.",
        "Manage Workspace Trust",
      )
      .then((choice) => {
        if (choice !== undefined) void vscode.commands.executeCommand("workbench.trust.manage");
      });
    context.subscriptions.push(vscode.workspace.onDidGrantWorkspaceTrust(() => void client.start()));
    return;
  }
  void client.start();
}

export async function deactivate(): Promise<void> {
  await hotload?.stop();
  hotload = undefined;
}
