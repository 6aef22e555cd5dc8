import * as assert from "node:assert/strict";
import { describe, it } from "node:test";

import { serverSettings } from "../settings";

const vars = { homedir: "/home/u", workspaceFolder: "/w" };

describe("serverSettings", () => {
  it("keeps only the server's settings, each one even when empty", () => {
    // What workspace.getConfiguration().get("hotload") gives with the defaults.
    const section = {
      server: { path: "" },
      python: "",
      preload: [],
      extraPaths: [],
      env: {},
      reloadDependents: true,
      strategy: "inplace",
      afterReload: "",
      timeout: 0,
      pathMap: {},
      attach: "",
      notifications: "errors",
      importStrategy: "useBundled",
      app: [],
      trace: { server: "off" },
    };
    assert.deepEqual(serverSettings(section, vars), {
      python: "",
      preload: [],
      extraPaths: [],
      env: {},
      reloadDependents: true,
      strategy: "inplace",
      afterReload: "",
      timeout: 0,
      pathMap: {},
      attach: "",
      notifications: "errors",
      app: [],
    });
  });

  it("passes the user's values on", () => {
    const got = serverSettings(
      { python: ["uv", "run", "python"], preload: ["numpy", "pandas"], env: { A: "1" }, strategy: "fresh", afterReload: "app:main", reloadDependents: true },
      vars,
    );
    assert.deepEqual(got, {
      python: ["uv", "run", "python"],
      preload: ["numpy", "pandas"],
      env: { A: "1" },
      strategy: "fresh",
      afterReload: "app:main",
      reloadDependents: true,
    });
  });

  it("expands ~ and ${workspaceFolder} in python and extraPaths only", () => {
    const got = serverSettings(
      { python: "${workspaceFolder}/.venv/bin/python", extraPaths: ["~/lib", "${workspaceFolder}/src2", "rel"], preload: ["~x"], env: { HOME2: "~" } },
      vars,
    );
    assert.deepEqual(got, { python: "/w/.venv/bin/python", extraPaths: ["/home/u/lib", "/w/src2", "rel"], preload: ["~x"], env: { HOME2: "~" } });
    assert.deepEqual(serverSettings({ python: ["~/py/bin/python", "-X", "~"] }, vars), { python: ["/home/u/py/bin/python", "-X", "~"] });
  });

  it("expands the local side of pathMap and the attach socket", () => {
    const got = serverSettings({ pathMap: { "${workspaceFolder}": "/srv/proj", "~/data": "~/data" }, attach: "${env:XDG_RUNTIME_DIR}/hotload/app-1.sock" }, {
      ...vars,
      env: { XDG_RUNTIME_DIR: "/run/user/1000" },
    });
    assert.deepEqual(got, { pathMap: { "/w": "/srv/proj", "/home/u/data": "~/data" }, attach: "/run/user/1000/hotload/app-1.sock" });
  });

  it("passes values of the wrong type on, for the server to name", () => {
    assert.deepEqual(serverSettings({ preload: "numpy", python: 3 }, vars), { preload: "numpy", python: 3 });
  });

  it("drops null and survives a missing section", () => {
    assert.deepEqual(serverSettings({ python: null }, vars), {});
    assert.deepEqual(serverSettings(undefined, vars), {});
    assert.deepEqual(serverSettings("x", vars), {});
  });
});
