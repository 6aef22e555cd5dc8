// Builds the .vsix for one target, or for every release target: each holds
// the server binary for its target in bin/, the bundled extension in dist/
// (vsce runs vscode:prepublish), and nothing else. Usage:
//   node scripts/package.mjs [--target T]   one target (default linux-x64)
//   node scripts/package.mjs --all          linux, darwin, win32 × x64, arm64
// Each .vsix is hotload-<target>-<version>.vsix in this folder;
// packaging/vsix_test.go checks the binary in each.
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";

import { argValue, buildServer, extensionDir, releaseTargets } from "./build-server.mjs";

const wanted = process.argv.includes("--all") ? releaseTargets : [argValue(process.argv, "--target", "linux-x64")];

// The extension is bundled by esbuild, so vsce needs no dependency listing;
// every check that could ask a question is answered by package.json.
const vsce = path.join(extensionDir, "node_modules", ".bin", "vsce");

if (process.argv.includes("--all")) {
  // Packages of an earlier version would stand beside the new ones.
  for (const f of fs.readdirSync(extensionDir)) {
    if (/^hotload-.*\.vsix$/.test(f)) fs.rmSync(path.join(extensionDir, f));
  }
}

for (const target of wanted) {
  // A .vsix is for one platform: only its binary may be in bin/.
  fs.rmSync(path.join(extensionDir, "bin"), { recursive: true, force: true });
  const binary = buildServer(target);
  console.log(`${target}: built ${path.relative(extensionDir, binary)} (${(fs.statSync(binary).size / 2 ** 20).toFixed(1)} MiB)`);
  const r = spawnSync(vsce, ["package", "--target", target, "--no-dependencies"], { cwd: extensionDir, stdio: ["ignore", "inherit", "inherit"] });
  if (r.error !== undefined) throw r.error;
  if (r.status !== 0) process.exit(r.status ?? 1);
}
