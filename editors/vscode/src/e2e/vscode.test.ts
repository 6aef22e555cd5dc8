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

import { processesIn, startCodeServer, type CodeServer, type Install } from "./codeserver";
import { Workbench } from "./workbench";

const extensionDir = path.resolve(__dirname, "..", "..");
const artifacts = process.env.HOTLOAD_E2E_ARTIFACTS ?? path.join(extensionDir, "e2e-artifacts");

/** The project the test opens. */
const project: Record<string, string> = {
  "helper.py": "def double(n):\n    return n * 2\n",
  "lib.py": 'from helper import double\n\nx = 20\nprint("x is", x)\ndouble(x)\n',
  "spin.py": "import time\n\nwhile True:\n    time.sleep(0.01)\n",
};
export const good = project["lib.py"] ?? "";
/** lib.py broken: double(None) raises in helper.py, called from lib.py line 5. */
export const broken = 'from helper import double\n\nx = 20\nprint("x is", x)\ndouble(None)\n';
export const typeError = "TypeError: unsupported operand type(s) for *: 'NoneType' and 'int'";

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

/** vsix is the package npm run package made. */
function vsix(): string {
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
  let server: CodeServer | undefined;
  let wb: Workbench | undefined;
  let failed = false;
  let bundled = "";

  /** step runs one step of the story, with a screenshot after it; after a failed step the rest are skipped. */
  const step = (name: string, f: (wb: Workbench, t: TestContext) => Promise<void>): void => {
    it(name, async (t) => {
      if (failed || wb === undefined) {
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
    // A stale hotload on PATH that must not be run (rough edge 6).
    const stale = path.join(root, "stale-bin");
    fs.mkdirSync(stale);
    fs.writeFileSync(path.join(stale, "hotload"), "#!/bin/sh\necho 'a stale hotload on PATH ran' >&2\nexit 3\n", { mode: 0o755 });
    server = await startCodeServer({
      install: install(),
      vsix: vsix(),
      folder,
      root,
      pathFirst: [stale],
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
    bundled = path.join(server.extensionsDir, "hotload-dev.hotload-0.1.0", "bin", "linux-x64", "hotload");
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
  });

  step("a successful save shows its result after the last line and in the status bar, without a notification", async (wb) => {
    await wb.typeAtEnd("\n");
    await wb.save();
    const after = await wb.until("the result after the last line", async () => (await wb.afterTexts()).get(5));
    assert.match(after, /^✓ [\d.]+ m?s {2}= 40$/);
    const s = await wb.waitStatus("a run's time", (s) => /hotload [\d.]+ m?s/.test(s.text));
    assert.equal(s.icon, "check");
    assert.match(s.label, /lib last ran in [\d.]+ m?s/);
    assert.deepEqual(await wb.toasts(), []);
  });
});
