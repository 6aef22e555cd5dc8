// Builds the hotload server for a VS Code target into
// bin/<platform>-<arch>/hotload (hotload.exe on Windows), where the
// extension looks for its bundled binary (src/locate.ts). Usage: node scripts/build-server.mjs [--target T]
// with T a vsce target (linux-x64 by default on an x64 Linux host).
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { fileURLToPath } from "node:url";

const here = path.dirname(fileURLToPath(import.meta.url));
/** The extension's folder. */
export const extensionDir = path.resolve(here, "..");
/** The repository's root, where go.mod is. */
export const repoRoot = path.resolve(extensionDir, "..", "..");

/**
 * The vsce targets the server builds for (scripts/targets.json), as GOOS,
 * GOARCH and the bin/ folder the extension looks in. CGO_ENABLED=0 makes
 * the binaries static, so the Linux ones run on Alpine too.
 */
const targetList = JSON.parse(fs.readFileSync(path.join(here, "targets.json"), "utf8"));
export const targets = targetList.targets;
/** The six targets a release packages (package.mjs --all). */
export const releaseTargets = targetList.all;

/** hostTarget is the vsce target of this machine. */
export function hostTarget() {
  return `${process.platform}-${process.arch}`;
}

/** buildServer builds the server for target and returns the binary's path. */
export function buildServer(target) {
  const t = targets[target];
  if (t === undefined) {
    throw new Error(`cannot build the server for ${target}: it builds for ${Object.keys(targets).join(", ")}`);
  }
  const out = path.join(extensionDir, "bin", t.dir, t.goos === "windows" ? "hotload.exe" : "hotload");
  // -trimpath keeps this machine's paths out of the binary; -s -w drop the
  // symbol table and DWARF, a third of its size.
  const args = ["build", "-trimpath", "-ldflags=-s -w", "-o", out, "./cmd/hotload"];
  const env = { ...process.env, GOOS: t.goos, GOARCH: t.goarch, CGO_ENABLED: "0" };
  const r = spawnSync("go", args, { cwd: repoRoot, env, stdio: "inherit" });
  if (r.error !== undefined) throw new Error(`go ${args.join(" ")}: ${r.error.message}`);
  if (r.status !== 0) throw new Error(`go ${args.join(" ")} failed with status ${r.status}`);
  return out;
}

/** argValue returns the value after the last flag in argv, or def. */
export function argValue(argv, flag, def) {
  const i = argv.lastIndexOf(flag);
  return i >= 0 && i + 1 < argv.length ? argv[i + 1] : def;
}

if (process.argv[1] !== undefined && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  console.log(buildServer(argValue(process.argv, "--target", hostTarget())));
}
