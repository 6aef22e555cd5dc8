// The launch, and the extension's side of the protocol against the real
// `hotload lsp`: what the extension sends, the server must take without a
// complaint, and what the server replies, the extension must read.
import * as assert from "node:assert/strict";
import { spawn, type ChildProcess } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { after, before, describe, it } from "node:test";
import { pathToFileURL } from "node:url";
import {
  ConfigurationRequest,
  createProtocolConnection,
  DidChangeTextDocumentNotification,
  DidOpenTextDocumentNotification,
  ExecuteCommandRequest,
  ExitNotification,
  InitializedNotification,
  InitializeRequest,
  LogMessageNotification,
  ShowMessageNotification,
  ShutdownRequest,
  StreamMessageReader,
  StreamMessageWriter,
  type ProtocolConnection,
  type ShowMessageParams,
} from "vscode-languageserver-protocol/node";

import { inlineText, parseEvaluation } from "../evaluation";
import { builtServer, cannotRunServer, extensionDir, until, within } from "./build";
import type { LocateEnv } from "../locate";
import { section, serverCommands, statusNotification } from "../names";
import { quote, serverLaunch } from "../server";
import { serverSettings } from "../settings";
import { parseStatus, statusView, type Status } from "../status";


function fakeEnv(exe: string[]): LocateEnv {
  return {
    platform: "linux",
    arch: "x64",
    env: { PATH: "/usr/bin", VIRTUAL_ENV: "/venv" },
    homedir: "/home/u",
    extensionPath: "/ext",
    workspaceFolder: "/work/proj",
    path: path.posix,
    isFile: (p) => exe.includes(p),
    isExecutable: (p) => exe.includes(p),
  };
}

describe("serverLaunch", () => {
  it("runs `hotload lsp` in the workspace with the extension host's environment", () => {
    const launch = serverLaunch("", fakeEnv(["/usr/bin/hotload"]));
    assert.deepEqual(launch.executable, {
      command: "/usr/bin/hotload",
      args: ["lsp"],
      options: { cwd: "/work/proj", env: { PATH: "/usr/bin", VIRTUAL_ENV: "/venv" } },
    });
    assert.equal(launch.located.source, "PATH");
    assert.equal(launch.commandLine, "/usr/bin/hotload lsp");
  });

  it("writes the command line so it can be pasted into a shell", () => {
    assert.equal(quote("/opt/my tools/hotload"), "'/opt/my tools/hotload'");
    assert.equal(quote("it's"), `'it'\\''s'`);
    assert.equal(quote(""), "''");
    assert.equal(serverLaunch("/opt/my tools/hotload", fakeEnv(["/opt/my tools/hotload"])).commandLine, "'/opt/my tools/hotload' lsp");
  });
});



/** The hotload section as VS Code's getConfiguration().get("hotload") gives it with the defaults. */
function defaultSection(): Record<string, unknown> {
  const manifest = JSON.parse(fs.readFileSync(path.join(extensionDir, "package.json"), "utf8")) as {
    contributes: { configuration: { properties: Record<string, { default: unknown }> } };
  };
  const out: Record<string, unknown> = {};
  for (const [key, prop] of Object.entries(manifest.contributes.configuration.properties)) {
    const parts = key.split(".").slice(1);
    let obj = out;
    for (const p of parts.slice(0, -1)) obj = (obj[p] ??= {}) as Record<string, unknown>;
    obj[parts.at(-1) ?? ""] = prop.default;
  }
  return out;
}



describe("hotload lsp", { skip: cannotRunServer, timeout: 180_000 }, () => {
  let proc: ChildProcess | undefined;
  let conn: ProtocolConnection | undefined;
  const statuses: Status[] = [];
  const unparsed: unknown[] = [];
  const shown: ShowMessageParams[] = [];
  const logged: string[] = [];
  const folder = fs.mkdtempSync(path.join(os.tmpdir(), "hotload-vscode-"));
  const file = path.join(folder, "lib.py");
  const uri = pathToFileURL(file).href;

  const execute = async (command: string, args: unknown[]): Promise<unknown> => {
    assert.ok(conn);
    return (await conn.sendRequest(ExecuteCommandRequest.type, { command, arguments: args })) as unknown;
  };

  before(
    async () => {
      const binary = builtServer();
      fs.writeFileSync(file, "x = 20\nx + 5\n");
      const vars = { homedir: os.homedir(), workspaceFolder: folder, env: process.env };
      const launch = serverLaunch(binary, {
        platform: process.platform,
        arch: process.arch,
        env: process.env,
        homedir: os.homedir(),
        extensionPath: extensionDir,
        workspaceFolder: folder,
        path,
        isFile: (p) => fs.statSync(p, { throwIfNoEntry: false })?.isFile() === true,
        isExecutable: (p) => fs.statSync(p, { throwIfNoEntry: false })?.isFile() === true,
      });
      const { command, args, options } = launch.executable;
      const p = spawn(command, args, { cwd: options?.cwd, env: options?.env as NodeJS.ProcessEnv, stdio: ["pipe", "pipe", "pipe"] });
      proc = p;
      p.stderr.on("data", (d: Buffer) => logged.push(d.toString()));
      const c = createProtocolConnection(new StreamMessageReader(p.stdout), new StreamMessageWriter(p.stdin));
      conn = c;
      // As the client's middleware answers: only the server's settings.
      c.onRequest(ConfigurationRequest.type, (params) => params.items.map((item) => (item.section === section ? serverSettings(defaultSection(), vars) : null)));
      c.onNotification(ShowMessageNotification.type, (m) => {
        shown.push(m);
      });
      c.onNotification(LogMessageNotification.type, (m) => {
        logged.push(m.message);
      });
      c.onNotification(statusNotification, (params: unknown) => {
        const s = parseStatus(params);
        if (s === undefined) unparsed.push(params);
        else statuses.push(s);
      });
      c.listen();
      await c.sendRequest(InitializeRequest.type, {
        processId: process.pid,
        // eslint-disable-next-line @typescript-eslint/no-deprecated -- required by the type; VS Code still sends it
        rootUri: null,
        workspaceFolders: [{ uri: pathToFileURL(folder).href, name: "proj" }],
        capabilities: { workspace: { configuration: true } },
        initializationOptions: serverSettings(defaultSection(), vars),
      });
      await c.sendNotification(InitializedNotification.type, {});
      await until("the runtime to be ready", () => statuses.some((s) => s.state === "ready"));
      await c.sendNotification(DidOpenTextDocumentNotification.type, {
        textDocument: { uri, languageId: "python", version: 1, text: fs.readFileSync(file, "utf8") },
      });
    },
    { timeout: 60_000 }, // a guard: the first start of Python on a loaded machine
  );

  after(
    async () => {
      const p = proc;
      if (conn !== undefined && p?.exitCode === null) {
        const exited = new Promise((resolve) => p.once("exit", resolve));
        // A server that does not answer must not hold the test up.
        await within(5000, conn.sendRequest(ShutdownRequest.type).then(() => conn?.sendNotification(ExitNotification.type)));
        await within(5000, exited);
      }
      if (p?.exitCode === null) p.kill("SIGKILL"); // did not exit in time
      conn?.dispose();
      fs.rmSync(folder, { recursive: true, force: true });
    },
    { timeout: 20_000 },
  );

  it("takes the settings without a complaint", () => {
    // The whole section would bring server.path and trace.server along,
    // which the server reports as unknown settings.
    const complaints = shown.filter((m) => /setting|initializationOptions/i.test(m.message));
    assert.deepEqual(complaints, []);
  });

  it("evaluates the module", async () => {
    const ev = parseEvaluation(await execute(serverCommands.evaluateModule, [uri]));
    assert.ok(ev, "the reply is an evaluation");
    assert.equal(ev.module, "lib");
    assert.deepEqual(inlineText(ev), { text: "= 25", error: false });
  });

  it("evaluates a selection of the editor's text", async () => {
    const ev = parseEvaluation(await execute(serverCommands.evaluateSelection, [uri, { start: { line: 1, character: 0 }, end: { line: 1, character: 5 } }]));
    assert.ok(ev);
    assert.deepEqual(inlineText(ev), { text: "= 25", error: false });
  });

  it("shows an error's last line", async () => {
    assert.ok(conn);
    await conn.sendNotification(DidChangeTextDocumentNotification.type, {
      textDocument: { uri, version: 2 },
      contentChanges: [{ text: "x = 20\nx + 5\nprint('hi')\n1 / 0\n" }],
    });
    const ev = parseEvaluation(await execute(serverCommands.evaluateSelection, [uri, { start: { line: 2, character: 0 }, end: { line: 4, character: 0 } }]));
    assert.ok(ev);
    assert.equal(ev.output, "hi\n");
    assert.deepEqual(inlineText(ev), { text: "✗ ZeroDivisionError: division by zero", error: true });
  });

  it("reports its state for the status bar", async () => {
    await until("ready after the last run", () => statuses.at(-1)?.state === "ready");
    assert.deepEqual(unparsed, []);
    assert.ok(statuses.some((s) => s.state === "running" && s.module === "lib"), JSON.stringify(statuses));
    const last = statuses.at(-1);
    assert.ok(last);
    // The last run raised (the test above): no tick, and the error says why.
    assert.match(statusView(last).text, /^\$\(error\) hotload \d+(\.\d)? ms$/);
    assert.match(last.lastError ?? "", /^ZeroDivisionError: division by zero \(lib\.py:4\)$/);
  });

  it("answers interrupt when nothing runs", async () => {
    assert.deepEqual(await execute(serverCommands.interruptRuntime, []), { interrupted: false });
  });
});
