// Builds the .vsix for one target: the server binary for it in bin/, the
// bundled extension in dist/ (vsce runs vscode:prepublish), and nothing
// else. Usage: node scripts/package.mjs [--target T] (default linux-x64).
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";

import { argValue, buildServer, extensionDir } from "./build-server.mjs";

const target = argValue(process.argv, "--target", "linux-x64");

// A .vsix is for one platform: only its binary may be in bin/.
fs.rmSync(path.join(extensionDir, "bin"), { recursive: true, force: true });
const binary = buildServer(target);
console.log(`built ${path.relative(extensionDir, binary)} (${(fs.statSync(binary).size / 2 ** 20).toFixed(1)} MiB)`);

// The extension is bundled by esbuild, so vsce needs no dependency listing;
// every check that could ask a question is answered by package.json.
const vsce = path.join(extensionDir, "node_modules", ".bin", "vsce");
const r = spawnSync(vsce, ["package", "--target", target, "--no-dependencies"], { cwd: extensionDir, stdio: ["ignore", "inherit", "inherit"] });
if (r.error !== undefined) throw r.error;
process.exit(r.status ?? 1);
