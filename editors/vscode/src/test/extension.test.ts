// activate and deactivate under a stand-in for the vscode module: in an
// untrusted workspace, where the extension must register its commands and
// start no server, and in a trusted one, where vscode-languageclient starts
// the real `hotload lsp` and the commands talk to it.
import * as assert from "node:assert/strict";
import * as childProcess from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { describe, it } from "node:test";

import { commands } from "../names";
import { builtServer, cannotRunServer, extensionDir, until } from "./build";
import { fakeVSCode, load, Range, textDocument, withVSCode } from "./fakevscode";

type Extension = typeof import("../extension");

/** exited reports whether a child process has ended. */
function exited(c: childProcess.ChildProcess): boolean {
  return c.exitCode !== null || c.signalCode !== null;
}

/** context is the ExtensionContext the extension uses. */
function context(subscriptions: { dispose(): unknown }[]): Parameters<Extension["activate"]>[0] {
  return { extensionPath: extensionDir, subscriptions } as unknown as Parameters<Extension["activate"]>[0];
}

// Both the compiled sources and the esbuild bundle the .vsix carries (npm
// run unit builds it first), which has vscode-languageclient inside.
for (const entry of [path.join(extensionDir, "out", "extension.js"), path.join(extensionDir, "dist", "extension.js")]) {
  describe(`activate ${path.relative(extensionDir, entry)} in an untrusted workspace`, () => {
    it("registers the commands, says why it does not start, and waits for trust", async () => {
      const { vscode, seen } = fakeVSCode({ trusted: false });
      const restore = withVSCode(vscode);
      try {
        const ext = load(entry, extensionDir) as Extension;
        const subscriptions: { dispose(): unknown }[] = [];
        ext.activate(context(subscriptions));

        assert.deepEqual([...seen.commands.keys()].sort(), Object.values(commands).sort());
        assert.equal(seen.statusItem.text, "$(workspace-untrusted) hotload");
        assert.equal(seen.statusItem.command, commands.showLog);
        assert.equal(seen.messages.length, 1);
        assert.match(seen.messages[0] ?? "", /^info: .*runs your Python code.*trust/);
        assert.equal(seen.listeners.get("onDidGrantWorkspaceTrust")?.length, 1);

        // Restart Server must not start a server in an untrusted workspace.
        await seen.commands.get(commands.restartServer)?.();
        assert.equal(seen.statusItem.text, "$(workspace-untrusted) hotload");

        // Evaluating with no Python editor says so.
        await seen.commands.get(commands.evaluateModule)?.();
        assert.match(seen.messages.at(-1) ?? "", /open a Python file/);

        await ext.deactivate();
        for (const s of subscriptions) s.dispose();
      } finally {
        restore();
      }
    });
  });
}

// The timeout is a guard against a hang: npm run unit builds the server first.
describe("activate in a trusted workspace", { skip: cannotRunServer, timeout: 120_000 }, () => {
  it("starts the server, evaluates, restarts once on a double click, and stops it", async (t) => {
    const binary = builtServer();
    const folder = fs.mkdtempSync(path.join(os.tmpdir(), "hotload-vscode-"));
    t.after(() => fs.rmSync(folder, { recursive: true, force: true }));
    const file = path.join(folder, "lib.py");
    const text = "x = 20\nx + 5\nx * 2\n";
    fs.writeFileSync(file, text);

    const decorations: unknown[] = [];
    const editor = {
      document: textDocument(file, text),
      selection: Object.assign(new Range(1, 0, 1, 5), { active: { line: 1, character: 5 } }),
      setDecorations: (_type: unknown, options: unknown[]) => decorations.push(options),
    };
    const settings: Record<string, unknown> = {
      "server.path": binary,
      python: "",
      preload: [],
      extraPaths: [],
      env: {},
      notifications: "errors",
      "trace.server": "off",
    };
    const { vscode, seen } = fakeVSCode({
      trusted: true,
      folder,
      settings,
      activeTextEditor: editor,
      textDocuments: [editor.document],
    });

    // Count the servers the language client spawns.
    const spawned: childProcess.ChildProcess[] = [];
    const spawn = childProcess.spawn;
    const cp = childProcess as { spawn: typeof spawn };
    cp.spawn = ((...args: Parameters<typeof spawn>) => {
      const child = spawn(...args);
      spawned.push(child);
      return child;
    }) as typeof spawn;
    const restore = withVSCode(vscode);
    t.after(() => {
      cp.spawn = spawn;
      restore();
      for (const c of spawned) c.kill("SIGKILL"); // a failed test must not leave servers behind
    });

    const ext = load(path.join(extensionDir, "out", "extension.js"), extensionDir) as Extension;
    const subscriptions: { dispose(): unknown }[] = [];
    ext.activate(context(subscriptions));
    await until("the status bar to say ready", () => seen.statusItem.text.startsWith("$(check) hotload"));
    assert.equal(spawned.length, 1);
    assert.ok(
      seen.log.some((l) => l.includes(`starting ${binary} lsp (setting) in ${folder}`)),
      `the log has the command line:\n${seen.log.join("\n")}`,
    );
    // The middleware answers workspace/configuration with the server's
    // settings only; server.path and trace.server would be "unknown".
    assert.deepEqual(
      seen.messages.filter((m) => /setting/.test(m)),
      [],
    );

    const story = () => `log:\n${seen.log.join("\n")}\nmessages:\n${seen.messages.join("\n")}`;
    assert.match(seen.statusItem.tooltip, new RegExp(`server: setting ${binary}`), "the tooltip names the binary that runs");
    // Evaluate Module shows the module's value after its last line (the
    // server's hotload/result), and no notification: it went well.
    await seen.commands.get(commands.evaluateModule)?.();
    await until("the result after the last line", () => /"contentText":"✓ [\d.]+ m?s {2}= 40"/.test(JSON.stringify(decorations.at(-1))));
    assert.deepEqual(
      seen.messages.filter((m) => m.startsWith("info:")),
      [],
      story(),
    );
    // Evaluate Selection shows the selection's value after it.
    await seen.commands.get(commands.evaluateSelection)?.();
    assert.match(JSON.stringify(decorations.at(-1)), /"contentText":"= 25"/, story());
    // Regression: the log had each evaluation twice, the server's line and the extension's.
    await until("the evaluation in the log", () => seen.log.some((l) => l.includes("x + 5")));
    assert.equal(seen.log.filter((l) => l.includes("x + 5")).length, 1, story());

    // A changed setting reaches the server, which pulls it through the
    // middleware and starts a new runtime, without a complaint.
    settings.preload = ["json"];
    for (const f of seen.listeners.get("onDidChangeConfiguration") ?? []) f({ affectsConfiguration: (s: string) => "hotload.preload".startsWith(s) });
    await until("the new runtime", () => seen.log.some((m) => m.includes("settings changed; started a new runtime")));
    assert.deepEqual(seen.messages, [], story());
    assert.equal(spawned.length, 1, "a setting other than server.path does not restart the server");

    // Interrupt with nothing running: the status bar says so.
    await seen.commands.get(commands.interruptRuntime)?.();
    assert.deepEqual(seen.messages, ["status: hotload: nothing is running"], story());

    // Two quick clicks on Restart Server restart once, and one server runs.
    const first = spawned[0];
    assert.ok(first);
    await Promise.all([seen.commands.get(commands.restartServer)?.(), seen.commands.get(commands.restartServer)?.()]);
    assert.equal(spawned.length, 2);
    await until("the first server to exit", () => exited(first), 10_000);
    await until("the status bar to say ready again", () => seen.statusItem.text.startsWith("$(check) hotload"));

    await ext.deactivate();
    const second = spawned[1];
    assert.ok(second);
    await until("the server to exit on deactivate", () => exited(second), 10_000);
    for (const s of subscriptions) s.dispose();
  });
});
