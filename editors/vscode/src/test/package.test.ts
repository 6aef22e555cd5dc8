// package.json against the code, and the code's names against the server's
// Go source, so that a rename on either side fails here and not in an editor.
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, it } from "node:test";

import { commands, resultNotification, section, serverCommands, statusNotification } from "../names";
import { serverSettingKeys } from "../settings";

const extensionDir = path.resolve(__dirname, "..", "..");
const repoRoot = path.resolve(extensionDir, "..", "..");

interface Manifest {
  main: string;
  engines: { vscode: string };
  activationEvents: string[];
  capabilities: { untrustedWorkspaces: { supported: boolean | string; description: string } };
  contributes: {
    commands: { command: string; title: string; category: string }[];
    menus: Record<string, { command: string; when?: string }[]>;
    keybindings: { command: string; key: string; mac?: string; when: string }[];
    configuration: { properties: Record<string, { default: unknown }> };
  };
  devDependencies: Record<string, string>;
}

const manifest = JSON.parse(fs.readFileSync(path.join(extensionDir, "package.json"), "utf8")) as Manifest;

/** goSource is the server's Go source that defines a name. */
function goSource(...files: string[]): string {
  return files.map((f) => fs.readFileSync(path.join(repoRoot, "lsp", f), "utf8")).join("\n");
}

describe("package.json", () => {
  it("contributes exactly the commands the extension registers", () => {
    const contributed = manifest.contributes.commands.map((c) => c.command).sort();
    assert.deepEqual(contributed, Object.values(commands).sort());
    for (const c of manifest.contributes.commands) assert.equal(c.category, "Hotload", c.command);
  });

  it("names no command as the server does", () => {
    // vscode-languageclient registers the server's commands itself; a second
    // registration of one of them would fail the client's start.
    const server = new Set(goSource("general.go", "command.go").match(/"hotload\.[A-Za-z]+"/g)?.map((s) => s.slice(1, -1)));
    assert.ok(server.size >= 4, `found the server's commands: ${[...server].join(", ")}`);
    for (const c of Object.values(commands)) assert.ok(!server.has(c), `${c} is a server command too`);
    for (const c of Object.values(serverCommands)) assert.ok(server.has(c), `the server has no command ${c}`);
  });

  it("shows the editor commands for Python only", () => {
    for (const [menu, items] of Object.entries(manifest.contributes.menus)) {
      for (const item of items) assert.match(item.when ?? "", /editorLangId == python/, `${menu}: ${item.command}`);
    }
    const key = manifest.contributes.keybindings.find((k) => k.command === commands.evaluateSelection);
    assert.ok(key, "Evaluate Selection has a key binding");
    assert.equal(key.when, "editorTextFocus && editorLangId == python");
  });

  it("contributes the server's settings and the extension's own", () => {
    const props = Object.keys(manifest.contributes.configuration.properties).sort();
    const own = ["server.path", "importStrategy", "trace.server"].map((k) => `${section}.${k}`);
    const want = [...serverSettingKeys.map((k) => `${section}.${k}`), ...own].sort();
    assert.deepEqual(props, want);
  });

  it("sends only settings the server reads", () => {
    const settings = goSource("settings.go");
    for (const k of serverSettingKeys) assert.ok(settings.includes(`"${k}"`), `lsp/settings.go does not know ${k}`);
  });

  it("listens to the notifications the server sends", () => {
    assert.ok(goSource("status.go").includes(`"${statusNotification}"`));
    assert.ok(goSource("result.go").includes(`"${resultNotification}"`));
  });

  it("does not run in untrusted workspaces", () => {
    assert.equal(manifest.capabilities.untrustedWorkspaces.supported, false);
    assert.match(manifest.capabilities.untrustedWorkspaces.description, /runs your Python code/);
  });

  it("needs no newer VS Code than @types/vscode describes", () => {
    const engine = manifest.engines.vscode.replace(/^\^/, "");
    assert.equal(manifest.devDependencies["@types/vscode"], engine);
  });

  it("activates on Python and loads the bundle", () => {
    assert.deepEqual(manifest.activationEvents, ["onLanguage:python"]);
    assert.equal(manifest.main, "./dist/extension.js");
  });
});
