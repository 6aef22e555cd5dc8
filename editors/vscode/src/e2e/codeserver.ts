// code-server for the end-to-end test: VS Code's workbench and extension
// host, served on 127.0.0.1 with its own HOME, user data and extensions, so
// nothing of this machine's VS Code, settings or PATH leaks in.

import * as assert from "node:assert/strict";
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";

/** Where scripts/e2e-install.mjs put Node 24 and code-server. */
export interface Install {
  readonly node: string;
  readonly codeServer: string;
}

/** How to start code-server. */
export interface Options {
  readonly install: Install;
  /** The .vsix to install. */
  readonly vsix: string;
  /** The workspace folder to open. */
  readonly folder: string;
  /** A fresh folder for HOME, user data and extensions. */
  readonly root: string;
  /** User settings (settings.json). */
  readonly settings: Record<string, unknown>;
}

/** A running code-server. */
export interface CodeServer {
  /** The workbench's URL with the folder open. */
  readonly url: string;
  readonly userDataDir: string;
  readonly extensionsDir: string;
  /** What code-server printed. */
  output(): string;
  /** stop ends code-server and every process it started. */
  stop(): Promise<void>;
}

/**
 * startCodeServer installs the .vsix and starts code-server on a free port,
 * with HOME at root/home (which the caller may have filled: a .profile).
 */
export async function startCodeServer(o: Options): Promise<CodeServer> {
  const home = path.join(o.root, "home");
  const userDataDir = path.join(o.root, "user-data");
  const extensionsDir = path.join(o.root, "extensions");
  fs.mkdirSync(path.join(userDataDir, "User"), { recursive: true });
  fs.mkdirSync(home, { recursive: true });
  fs.mkdirSync(extensionsDir, { recursive: true });
  fs.writeFileSync(path.join(userDataDir, "User", "settings.json"), JSON.stringify(o.settings, null, 2));
  const env: NodeJS.ProcessEnv = {
    HOME: home,
    // The extension host takes PATH from a login shell (/etc/profile and
    // $HOME/.profile), as VS Code does on a desktop.
    PATH: [path.dirname(o.install.node), "/usr/local/bin", "/usr/bin", "/bin"].join(path.delimiter),
    SHELL: "/bin/sh",
    LANG: "C.UTF-8",
    TMPDIR: process.env.TMPDIR ?? "/tmp",
  };
  const dirs = ["--user-data-dir", userDataDir, "--extensions-dir", extensionsDir];
  const installed = spawnSync(o.install.node, [o.install.codeServer, ...dirs, "--install-extension", o.vsix], { env, encoding: "utf8" });
  assert.equal(installed.status, 0, `code-server --install-extension ${o.vsix}:\n${installed.stdout}${installed.stderr}`);

  const args = [
    o.install.codeServer,
    ...dirs,
    "--bind-addr",
    "127.0.0.1:0",
    "--auth",
    "none",
    "--disable-telemetry",
    "--disable-update-check",
    "--disable-workspace-trust",
    "--disable-getting-started-override",
    o.folder,
  ];
  // Its own process group, so stop ends the extension host and the hotload
  // server with it.
  const child = spawn(o.install.node, args, { env, detached: true, stdio: ["ignore", "pipe", "pipe"] });
  let output = "";
  const listening = new Promise<string>((resolve, reject) => {
    const read = (chunk: Buffer) => {
      output += chunk.toString();
      const m = /HTTP server listening on (http:\/\/127\.0\.0\.1:\d+\/)/.exec(output);
      if (m?.[1] !== undefined) resolve(m[1]);
    };
    child.stdout.on("data", read);
    child.stderr.on("data", read);
    child.on("exit", (code, signal) => {
      reject(new Error(`code-server exited (${String(code ?? signal)}) before it listened:\n${output}`));
    });
  });
  const base = await listening;
  return {
    url: `${base}?folder=${encodeURIComponent(o.folder)}`,
    userDataDir,
    extensionsDir,
    output: () => output,
    stop: () => stopGroup(child),
  };
}

/** stopGroup ends a process group: SIGTERM, then SIGKILL after 10 s. */
async function stopGroup(child: ChildProcess): Promise<void> {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once("exit", resolve));
  const pid = child.pid;
  const kill = (signal: NodeJS.Signals) => {
    try {
      process.kill(-pid, signal);
    } catch {
      // the group is gone already
    }
  };
  kill("SIGTERM");
  const timer = setTimeout(() => kill("SIGKILL"), 10_000);
  await exited;
  clearTimeout(timer);
  kill("SIGKILL"); // what is left of the group: the extension host's children
}

/** environ returns a process's environment variable, or undefined. */
export function environ(pid: string, name: string): string | undefined {
  const vars = fs.readFileSync(`/proc/${pid}/environ`, "utf8").split("\0");
  return vars.find((v) => v.startsWith(`${name}=`))?.slice(name.length + 1);
}

/**
 * processesIn lists the processes whose working directory is dir (the
 * hotload server and its Python run in the workspace folder), as
 * "pid command".
 */
export function processesIn(dir: string): string[] {
  const out: string[] = [];
  for (const pid of fs.readdirSync("/proc").filter((p) => /^\d+$/.test(p))) {
    try {
      if (fs.readlinkSync(`/proc/${pid}/cwd`) !== dir) continue;
      out.push(`${pid} ${fs.readFileSync(`/proc/${pid}/cmdline`, "utf8").replace(/\0/g, " ").slice(0, 120)}`);
    } catch {
      // gone, or not ours to read
    }
  }
  return out;
}
