// scripts/e2e-install.mjs, which installs what the end-to-end test runs:
// the environment it installs code-server in.
import * as assert from "node:assert/strict";
import * as path from "node:path";
import { describe, it } from "node:test";
import { pathToFileURL } from "node:url";

type InstallEnv = (env: NodeJS.ProcessEnv, nodeDir: string) => NodeJS.ProcessEnv;

const script = pathToFileURL(path.resolve(__dirname, "..", "..", "scripts", "e2e-install.mjs")).href;

describe("e2e-install", () => {
  it("installs code-server on Node 24, whatever the npm run around it says", async () => {
    const { installEnv } = (await import(script)) as { installEnv: InstallEnv };
    const outer: NodeJS.ProcessEnv = {
      PATH: "/usr/bin",
      HOME: "/root",
      // What `npm run e2e` on Node 20 sets for its script.
      npm_config_user_agent: "npm/11.19.1 node/v20.20.2 linux x64 workspaces/false",
      npm_execpath: "/usr/lib/node_modules/npm/bin/npm-cli.js",
      npm_node_execpath: "/usr/bin/node",
      npm_command: "run-script",
      npm_lifecycle_event: "e2e",
      npm_lifecycle_script: "node scripts/e2e-install.mjs",
      npm_package_name: "hotload",
      // A user's own npm settings.
      npm_config_registry: "https://registry.example/",
      NPM_CONFIG_PROXY: "http://proxy.example:3128",
    };
    const env = installEnv(outer, "/cache/node");
    assert.equal(env.PATH, `/cache/node/bin${path.delimiter}/usr/bin`);
    assert.equal(env.npm_config_nodedir, "/cache/node");
    for (const name of ["npm_config_user_agent", "npm_execpath", "npm_node_execpath", "npm_command", "npm_lifecycle_event", "npm_lifecycle_script", "npm_package_name"]) {
      assert.equal(env[name], undefined, `${name} is the outer npm's`);
    }
    assert.equal(env.npm_config_registry, "https://registry.example/");
    assert.equal(env.NPM_CONFIG_PROXY, "http://proxy.example:3128");
    assert.equal(env.HOME, "/root");
  });
});
