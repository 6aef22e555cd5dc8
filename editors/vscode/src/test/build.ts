// Building and finding the server for the tests that run it.
import * as assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";

export const extensionDir = path.resolve(__dirname, "..", "..");

/** onPath reports whether a program is on PATH. */
export function onPath(name: string): boolean {
  return (process.env.PATH ?? "").split(path.delimiter).some((d) => d !== "" && fs.existsSync(path.join(d, name)));
}

/** Why the tests that run the real server cannot run here, or false. */
export const cannotRunServer: string | false =
  process.platform !== "linux" ? "the server is Linux-only" : !onPath("go") ? "needs go on PATH" : !onPath("python3") ? "needs python3 on PATH" : false;

/** buildServer builds the server into bin/, as the .vsix has it, and returns its path. */
export function buildServer(): string {
  const r = spawnSync(process.execPath, [path.join(extensionDir, "scripts", "build-server.mjs")], { cwd: extensionDir, encoding: "utf8" });
  assert.equal(r.status, 0, `build-server.mjs: ${r.stderr}`);
  return r.stdout.trim().split("\n").at(-1) ?? "";
}

/** until waits for cond, polling. */
export async function until(what: string, cond: () => boolean, ms = 30_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** within waits for p, but no longer than ms; it reports whether p settled. */
export async function within(ms: number, p: Promise<unknown>): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<false>((resolve) => (timer = setTimeout(resolve, ms, false)));
  try {
    return await Promise.race([
      p.then(
        () => true,
        () => true,
      ),
      timeout,
    ]);
  } finally {
    clearTimeout(timer);
  }
}
