// The packaged .vsix in a real VS Code: code-server 4.139.1 (VS Code
// 1.139.1) driven headless through Debian's Chromium, as a person would use
// it. Run by `make test-vscode-e2e` (npm run e2e), which installs
// code-server first (scripts/e2e-install.mjs) and packages the .vsix.
// Screenshots of every step are kept in e2e-artifacts/ when a check fails.

import * as assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { after, before, describe, it, type TestContext } from "node:test";

import { environ, processesIn, startCodeServer, type CodeServer, type Install } from "./codeserver";
import { Workbench } from "./workbench";

const extensionDir = path.resolve(__dirname, "..", "..");
const artifacts = process.env.HOTLOAD_E2E_ARTIFACTS ?? path.join(extensionDir, "e2e-artifacts");

/** The project the test opens. */
const project: Record<string, string> = {
  "helper.py": "def double(n):\n    return n * 2\n",
  "lib.py": 'from helper import double\n\nx = 20\nprint("x is", x)\ndouble(x)\n',
  "spin.py": "import time\n\nwhile True:\n    time.sleep(0.01)\n",
};
const good = project["lib.py"] ?? "";
/** lib.py broken: double(None) raises in helper.py, called from lib.py line 5. */
const broken = 'from helper import double\n\nx = 20\nprint("x is", x)\ndouble(None)\n';
const typeError = "TypeError: unsupported operand type(s) for *: 'NoneType' and 'int'";

function install(): Install {
  const r = spawnSync(process.execPath, [path.join(extensionDir, "scripts", "e2e-install.mjs"), "--check"], { encoding: "utf8" });
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout) as Install;
}

function python(): string {
  const r = spawnSync("python3", ["-c", "import sys; print(sys.executable)"], { encoding: "utf8" });
  assert.equal(r.status, 0, `python3: ${r.stderr}`);
  return r.stdout.trim();
}

/** vsix is the package npm run package made, or $HOTLOAD_E2E_VSIX. */
function vsix(): string {
  if (process.env.HOTLOAD_E2E_VSIX) return process.env.HOTLOAD_E2E_VSIX;
  const name = fs.readdirSync(extensionDir).find((f) => /^hotload-linux-x64-.*\.vsix$/.test(f));
  assert.ok(name, "no hotload-linux-x64-*.vsix: npm run package makes it");
  return path.join(extensionDir, name);
}

/** logFiles lists the files below dir. */
function logFiles(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir, { recursive: true, encoding: "utf8" }).map((f) => path.join(dir, f)).filter((f) => fs.statSync(f).isFile());
}

describe("the .vsix in VS Code (code-server, headless Chromium)", { timeout: 15 * 60_000 }, () => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), "hotload-e2e-"));
  const folder = path.join(root, "proj");
  const shots = path.join(root, "screenshots");
  const staleBin = path.join(root, "home", "go", "bin");
  let server: CodeServer | undefined;
  let wb: Workbench | undefined;
  let failed = false;
  let bundled = "";

  /** step runs one step of the story, with a screenshot after it; after a failed step the rest are skipped. */
  const step = (name: string, f: (wb: Workbench, t: TestContext) => Promise<void>): void => {
    it(name, async (t) => {
      // HOTLOAD_E2E_ALL_STEPS=1 runs every step regardless, to see each check fail against an older build.
      if ((failed && process.env.HOTLOAD_E2E_ALL_STEPS !== "1") || wb === undefined) {
        t.skip("an earlier step failed");
        return;
      }
      try {
        await f(wb, t);
      } catch (err) {
        failed = true;
        throw err;
      } finally {
        await wb.shot(name).catch(() => undefined);
      }
    });
  };

  /** The hotload output channel's log file. */
  const hotloadLog = () => {
    const file = logFiles(path.join(server?.userDataDir ?? "", "logs")).find((f) => f.endsWith(path.join("hotload-dev.hotload", "hotload.log")));
    return file === undefined ? "" : fs.readFileSync(file, "utf8");
  };

  before(async () => {
    fs.mkdirSync(folder);
    for (const [name, text] of Object.entries(project)) fs.writeFileSync(path.join(folder, name), text);
    // A stale build in ~/go/bin, on PATH through ~/.profile, must not run
    // (rough edge 6).
    fs.mkdirSync(staleBin, { recursive: true });
    fs.writeFileSync(path.join(staleBin, "hotload"), "#!/bin/sh\necho 'a stale hotload on PATH ran' >&2\nexit 3\n", { mode: 0o755 });
    fs.writeFileSync(path.join(root, "home", ".profile"), 'PATH="$HOME/go/bin:$PATH"\n');
    server = await startCodeServer({
      install: install(),
      vsix: vsix(),
      folder,
      root,
      settings: {
        // code-server's and Codespaces' default saves after every pause;
        // the README's advice turns it off for Python files (rough edge 8).
        "files.autoSave": "afterDelay",
        "[python]": { "files.autoSave": "off" },
        "hotload.python": python(),
        "hotload.trace.server": "messages",
        "workbench.startupEditor": "none",
        "workbench.editor.enablePreview": false,
        "workbench.tips.enabled": false,
        "workbench.secondarySideBar.defaultVisibility": "hidden",
        "chat.disableAIFeatures": true,
        "security.workspace.trust.enabled": false,
        "telemetry.telemetryLevel": "off",
        "update.mode": "none",
        "extensions.autoUpdate": false,
        "extensions.autoCheckUpdates": false,
        "git.enabled": false,
        "editor.minimap.enabled": false,
        "editor.hover.delay": 300,
        // The test types whole texts: nothing may add to them.
        "editor.autoClosingBrackets": "never",
        "editor.autoClosingQuotes": "never",
        "editor.autoIndent": "none",
        "editor.quickSuggestions": { other: false, comments: false, strings: false },
        "editor.suggestOnTriggerCharacters": false,
        "editor.parameterHints.enabled": false,
      },
    });
    const manifest = JSON.parse(fs.readFileSync(path.join(extensionDir, "package.json"), "utf8")) as { publisher: string; name: string; version: string };
    bundled = path.join(server.extensionsDir, `${manifest.publisher}.${manifest.name}-${manifest.version}`, "bin", "linux-x64", "hotload");
    wb = await Workbench.open(server.url, path.join(root, "chromium-profile"), shots);
  });

  after(async () => {
    await wb?.close().catch(() => undefined);
    await server?.stop();
    // The server's Python runs in the project folder: nothing may be left.
    const deadline = Date.now() + 10_000;
    while (processesIn(folder).length > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    const left = processesIn(folder);
    if (failed || left.length > 0 || process.env.HOTLOAD_E2E_KEEP === "1") {
      fs.mkdirSync(artifacts, { recursive: true });
      fs.cpSync(shots, path.join(artifacts, "screenshots"), { recursive: true });
      if (server !== undefined) {
        fs.writeFileSync(path.join(artifacts, "code-server.log"), server.output());
        fs.cpSync(path.join(server.userDataDir, "logs"), path.join(artifacts, "logs"), { recursive: true });
      }
      console.error(`e2e: screenshots and logs kept in ${artifacts}`);
    }
    fs.rmSync(root, { recursive: true, force: true });
    assert.deepEqual(left, [], "processes left in the project folder after code-server stopped");
  });

  step("starts the bundled server, not the hotload on PATH", async (wb) => {
    await wb.openFile("lib.py");
    const s = await wb.waitStatus("ready", (s) => s.label.includes("hotload: ready"));
    assert.equal(s.icon, "check");
    assert.ok(s.label.includes(`server: bundled ${bundled}`), `the tooltip names the bundled server: ${s.label}`);
    assert.doesNotMatch(hotloadLog(), /stale hotload/);
    // The check means something: the stale one is on the server's PATH.
    const lsp = processesIn(folder).find((p) => p.includes("hotload lsp"));
    assert.ok(lsp !== undefined, processesIn(folder).join("\n"));
    assert.ok(environ(lsp.split(" ")[0] ?? "", "PATH")?.split(":").includes(staleBin), "~/go/bin is on the server's PATH");
  });

  step("a successful save shows its result after the last line and in the status bar, without a notification", async (wb) => {
    await wb.typeAtEnd("\n");
    await wb.save();
    const after = await wb.until("the result after the last line", async () => (await wb.afterTexts()).get(5));
    assert.equal(after.length, 1);
    assert.match(after[0] ?? "", /^✓ [\d.]+ m?s {2}= 40$/);
    const s = await wb.waitStatus("a run's time", (s) => /hotload [\d.]+ m?s/.test(s.text));
    assert.equal(s.icon, "check");
    assert.match(s.label, /lib last ran in [\d.]+ m?s/);
    assert.deepEqual(await wb.toasts(), []);
  });

  step("a failed save: Problems panel, hover, status bar and one error notification", async (wb) => {
    await wb.setText(broken);
    await wb.save();
    const s = await wb.waitStatus("the failure", (s) => s.icon === "error");
    assert.match(s.label, /lib: the last run failed after [\d.]+ m?s: TypeError: unsupported operand/);
    assert.ok(s.label.includes("(helper.py:2)"), s.label);
    assert.ok(s.text.startsWith("hotload"), s.text);
    const counts = await wb.until("one error counted", async () => {
      const c = await wb.problemCounts();
      return c.errors > 0 ? c : undefined;
    });
    assert.deepEqual(counts, { errors: 1, warnings: 0 });
    const problems = await wb.problems();
    const errors = problems.filter((p) => p.includes(typeError) && !p.includes("called from here"));
    assert.equal(errors.length, 1, problems.join("\n"));
    assert.ok(problems.some((p) => p.includes(`called from here: ${typeError}`)), problems.join("\n"));
    const hover = await wb.hoverLine(5, "double");
    assert.ok(hover.includes(`called from here: ${typeError}`), hover);
    const toasts = await wb.until("the error notification", async () => {
      const t = await wb.toasts();
      return t.length > 0 ? t : undefined;
    });
    assert.equal(toasts.length, 1, toasts.join("\n"));
    assert.match(toasts[0] ?? "", /^lib: TypeError: unsupported operand .* \(helper\.py:2\)/);
    // No result after the last line: it failed.
    assert.equal((await wb.afterTexts()).size, 0);
    await wb.clearToasts();
  });

  step("a SyntaxError: the status bar says nothing ran", async (wb) => {
    await wb.setText(broken.replace("double(None)", "double(None"));
    await wb.save();
    const s = await wb.waitStatus("a run that did not start", (s) => s.label.includes("did not start"));
    assert.equal(s.icon, "error");
    assert.equal(s.text, "hotload", "no time: nothing ran");
    assert.match(s.label, /lib: the last run did not start: SyntaxError: '\(' was never closed \(lib\.py:5\)/);
    await wb.until("the error notification", async () => ((await wb.toasts()).length > 0 ? true : undefined));
    await wb.clearToasts();
    await wb.setText(broken);
    await wb.save();
    await wb.waitStatus("the failure again", (s) => s.icon === "error" && / [\d.]+ m?s$/.test(s.text));
    await wb.until("the error notification", async () => ((await wb.toasts()).length > 0 ? true : undefined));
    await wb.clearToasts();
  });

  step("Evaluate Selection failing as the save did: still one error, in the badge and the panel", async (wb) => {
    const tracebacks = (hotloadLog().match(/Traceback \(most recent call last\)/g) ?? []).length;
    await wb.selectText("double(None)");
    await wb.command("Hotload: Evaluate Selection");
    const after = await wb.until("the error after the selection", async () => (await wb.afterTexts()).get(5));
    assert.deepEqual(after, [`✗ ${typeError}`]);
    assert.deepEqual(await wb.problemCounts(), { errors: 1, warnings: 0 });
    const problems = await wb.problems();
    assert.equal(problems.filter((p) => p.includes(typeError) && !p.includes("called from here")).length, 1, problems.join("\n"));
    // The traceback is logged once, by the server.
    await wb.until("the traceback in the log", () => Promise.resolve((hotloadLog().match(/Traceback \(most recent call last\)/g) ?? []).length > tracebacks ? true : undefined));
    await wb.page.waitForTimeout(500); // a second copy (the extension's) would follow the reply at once
    assert.equal((hotloadLog().match(/Traceback \(most recent call last\)/g) ?? []).length, tracebacks + 1);
    assert.deepEqual(await wb.toasts(), []);
  });

  step("Evaluate Module on unsaved changes runs the file as saved and says so", async (wb) => {
    await wb.typeAtEnd("unsaved = 1\n");
    await wb.command("Hotload: Evaluate Module");
    const toasts = await wb.until("the error notification", async () => {
      const t = await wb.toasts();
      return t.length > 0 ? t : undefined;
    });
    assert.equal(toasts.length, 1, toasts.join("\n"));
    assert.match(toasts[0] ?? "", /rolled back: the module keeps the code and state it had before this run/);
    assert.doesNotMatch(toasts[0] ?? "", /save/);
    const bar = await wb.statusBarTexts();
    assert.ok(bar.some((t) => t.includes("hotload: ran lib.py as saved; unsaved changes did not run")), bar.join(" | "));
    // Nothing pinned after the unsaved line that never ran.
    const after = await wb.afterTexts();
    assert.equal(after.get(6), undefined, JSON.stringify([...after]));
    await wb.clearToasts();
  });

  step("the fix saved: the error clears, the result shows, no notification", async (wb) => {
    await wb.setText(good);
    await wb.save();
    const s = await wb.waitStatus("success", (s) => s.icon === "check");
    assert.match(s.label, /lib last ran in [\d.]+ m?s/);
    await wb.until("no problems", async () => ((await wb.problemCounts()).errors === 0 ? true : undefined));
    const after = await wb.until("the result after the last line", async () => (await wb.afterTexts()).get(5));
    assert.match(after.join(" "), /^✓ [\d.]+ m?s {2}= 40$/);
    assert.deepEqual(await wb.toasts(), []);
  });

  step("Evaluate Selection shows the value after the selection, logged once", async (wb) => {
    await wb.selectText("double(x)");
    await wb.command("Hotload: Evaluate Selection");
    await wb.until("the value after the selection", async () => ((await wb.afterTexts()).get(5)?.includes("= 40") === true ? true : undefined));
    await wb.until("the evaluation in the log", () => Promise.resolve(hotloadLog().includes("double(x)") ? true : undefined));
    await wb.page.waitForTimeout(500); // a second copy (the extension's) would follow the reply at once
    assert.equal((hotloadLog().match(/double\(x\)/g) ?? []).length, 1, hotloadLog());
  });

  step("Interrupt stops an endless loop", async (wb) => {
    await wb.openFile("spin.py");
    await wb.typeAtEnd("\n");
    await wb.save();
    const running = await wb.waitStatus("running spin", (s) => s.text.includes("hotload: spin"));
    assert.match(running.icon, /^sync/);
    await wb.command("Hotload: Interrupt");
    const toasts = await wb.until("the interrupt's notification", async () => {
      const t = await wb.toasts();
      return t.length > 0 ? t : undefined;
    });
    assert.match(toasts.join("\n"), /spin: KeyboardInterrupt/);
    const s = await wb.waitStatus("the interrupted run", (s) => s.icon === "error");
    assert.match(s.label, /spin: the last run failed after .*KeyboardInterrupt/);
    await wb.clearToasts();
  });

  step("Restart Runtime starts a fresh Python", async (wb) => {
    const pid = (s: { label: string }) => /Python pid (\d+)/.exec(s.label)?.[1];
    const before = pid(await wb.status());
    assert.ok(before !== undefined);
    await wb.command("Hotload: Restart Runtime");
    await wb.waitStatus("a new pid", (s) => pid(s) !== undefined && pid(s) !== before);
    const bar = await wb.statusBarTexts();
    assert.ok(bar.some((t) => t.includes("hotload: runtime restarted")), bar.join(" | "));
    assert.deepEqual(await wb.toasts(), []);
  });

  step("hotload.trace.server shows the LSP messages", () => {
    const traced = logFiles(path.join(server?.userDataDir ?? "", "logs")).filter((f) => fs.readFileSync(f, "utf8").includes("Sending request 'initialize"));
    assert.equal(traced.length, 1, `one log has the trace: ${traced.join(", ")}`);
    assert.match(traced[0] ?? "", /hotload \(LSP trace\)/);
    return Promise.resolve();
  });

  step("[python] files.autoSave off keeps a Python file unsaved while others save after a pause", async (wb) => {
    await wb.openFile("lib.py");
    await wb.typeAtEnd("# a pause while typing\n");
    fs.writeFileSync(path.join(folder, "notes.txt"), "notes\n");
    await wb.openFile("notes.txt");
    await wb.typeAtEnd("more\n");
    await wb.page.locator(".tabs-container .tab.active.dirty").waitFor({ state: "detached" }); // saved after the delay
    assert.ok(await wb.page.locator('.tabs-container .tab.dirty[aria-label^="lib.py"]').count() === 1, "lib.py is still unsaved");
  });
});
