// Building and finding the server for the tests that run it.
import * as assert from "node:assert/strict";
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

/**
 * builtServer returns the server in bin/<platform>-<arch>/, as the .vsix has
 * it. `npm run unit` builds it before any test starts, so no test's timeout
 * counts a go build (minutes with a cold Go build cache on a small machine).
 */
export function builtServer(): string {
  const binary = path.join(extensionDir, "bin", `${process.platform}-${process.arch}`, "hotload");
  assert.ok(fs.existsSync(binary), `${binary} is missing: npm run build-server builds it (npm run unit does)`);
  return binary;
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
