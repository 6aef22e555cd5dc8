import * as assert from "node:assert/strict";
import * as path from "node:path";
import { describe, it } from "node:test";

import { expandPath, importStrategy, locateServer, ServerNotFoundError, type LocateEnv } from "../locate";

/** fakeEnv is a Linux machine whose executable files are exe, plain files files. */
function fakeEnv(exe: string[], over: Partial<LocateEnv> = {}, files: string[] = []): LocateEnv {
  return {
    platform: "linux",
    arch: "x64",
    env: { PATH: "/usr/local/bin:/usr/bin" },
    homedir: "/home/u",
    extensionPath: "/ext",
    workspaceFolder: "/work/proj",
    path: path.posix,
    isFile: (p) => exe.includes(p) || files.includes(p),
    isExecutable: (p) => exe.includes(p),
    ...over,
  };
}

describe("locateServer", () => {
  const bundled = "/ext/bin/linux-x64/hotload";

  // Regression: a stale build in ~/go/bin ran instead of the .vsix's binary.
  it("prefers the bundled binary to hotload on PATH", () => {
    const got = locateServer("", fakeEnv(["/usr/bin/hotload", bundled]));
    assert.deepEqual(got, { command: bundled, source: "bundled" });
    assert.deepEqual(locateServer("", fakeEnv(["/usr/bin/hotload", bundled]), "useBundled"), got);
  });

  it("prefers hotload on PATH with importStrategy fromEnvironment", () => {
    const got = locateServer("", fakeEnv(["/usr/bin/hotload", bundled]), "fromEnvironment");
    assert.deepEqual(got, { command: "/usr/bin/hotload", source: "PATH" });
  });

  it("falls back to the other place when the strategy's binary is missing", () => {
    assert.deepEqual(locateServer("", fakeEnv(["/usr/bin/hotload"]), "useBundled"), { command: "/usr/bin/hotload", source: "PATH" });
    assert.deepEqual(locateServer("", fakeEnv([bundled]), "fromEnvironment"), { command: bundled, source: "bundled" });
  });

  it("reads importStrategy, taking anything unknown as useBundled", () => {
    assert.equal(importStrategy("fromEnvironment"), "fromEnvironment");
    assert.equal(importStrategy("useBundled"), "useBundled");
    assert.equal(importStrategy(undefined), "useBundled");
    assert.equal(importStrategy("fromPath"), "useBundled");
  });

  it("takes the first PATH folder that has it", () => {
    const got = locateServer("", fakeEnv(["/usr/bin/hotload", "/usr/local/bin/hotload"]), "fromEnvironment");
    assert.equal(got.command, "/usr/local/bin/hotload");
  });

  it("falls back to bin/<platform>-<arch>/hotload in the extension", () => {
    assert.deepEqual(locateServer("", fakeEnv([bundled])), { command: bundled, source: "bundled" });
    const arm = fakeEnv(["/ext/bin/darwin-arm64/hotload"], { platform: "darwin", arch: "arm64" });
    assert.equal(locateServer("", arm).command, "/ext/bin/darwin-arm64/hotload");
  });

  it("makes a bundled binary that lost its mode executable", () => {
    const made: string[] = [];
    const e = fakeEnv([], { makeExecutable: (p) => (made.push(p), true) }, [bundled]);
    assert.deepEqual(locateServer("", e), { command: bundled, source: "bundled" });
    assert.deepEqual(made, [bundled]);
  });

  it("skips a PATH entry that is not executable and empty PATH entries", () => {
    const e = fakeEnv([bundled], { env: { PATH: "::/usr/bin" } }, ["/usr/bin/hotload"]);
    assert.equal(locateServer("", e).source, "bundled");
  });

  it("uses the setting before PATH", () => {
    const e = fakeEnv(["/usr/bin/hotload", "/opt/hotload"]);
    assert.deepEqual(locateServer("/opt/hotload", e), { command: "/opt/hotload", source: "setting" });
  });

  it("expands ~ and ${workspaceFolder} in the setting and resolves relative paths in the workspace", () => {
    const e = fakeEnv(["/home/u/go/bin/hotload", "/work/proj/bin/hotload"]);
    assert.equal(locateServer("~/go/bin/hotload", e).command, "/home/u/go/bin/hotload");
    assert.equal(locateServer("${workspaceFolder}/bin/hotload", e).command, "/work/proj/bin/hotload");
    assert.equal(locateServer("./bin/hotload", e).command, "/work/proj/bin/hotload");
    assert.equal(locateServer("bin/hotload", e).command, "/work/proj/bin/hotload");
  });

  it("looks a bare name in the setting up on PATH", () => {
    const e = fakeEnv(["/usr/bin/hotload-dev"]);
    assert.deepEqual(locateServer("hotload-dev", e), { command: "/usr/bin/hotload-dev", source: "setting" });
  });

  it("never replaces a configured binary that is missing", () => {
    const e = fakeEnv(["/usr/bin/hotload", bundled]);
    assert.throws(
      () => locateServer("/opt/missing/hotload", e),
      (err: unknown) => err instanceof ServerNotFoundError && err.message.includes("hotload.server.path") && err.tried.includes("/opt/missing/hotload"),
    );
  });

  it("says everywhere it looked when there is no binary", () => {
    assert.throws(
      () => locateServer("", fakeEnv([])),
      (err: unknown) => {
        assert.ok(err instanceof ServerNotFoundError);
        assert.deepEqual(err.tried, [bundled, "/usr/local/bin/hotload", "/usr/bin/hotload"]);
        assert.match(err.message, /linux-x64/);
        return true;
      },
    );
  });

  it("finds hotload.exe on Windows, with Path in any case", () => {
    const e = fakeEnv(["C:\\tools\\hotload.exe"], {
      platform: "win32",
      env: { Path: "C:\\Windows;C:\\tools", PATHEXT: ".COM;.EXE" },
      path: path.win32,
      extensionPath: "C:\\ext",
    });
    assert.deepEqual(locateServer("", e), { command: "C:\\tools\\hotload.exe", source: "PATH" });
    const bundledWin = fakeEnv(["C:\\ext\\bin\\win32-x64\\hotload.exe"], { platform: "win32", env: {}, path: path.win32, extensionPath: "C:\\ext" });
    assert.equal(locateServer("", bundledWin).command, "C:\\ext\\bin\\win32-x64\\hotload.exe");
  });
});

describe("expandPath", () => {
  const vars = { homedir: "/home/u", workspaceFolder: "/w", env: { VENV: "/v" } };
  for (const [input, want] of [
    ["~", "/home/u"],
    ["~/x", "/home/u/x"],
    ["a~/x", "a~/x"],
    ["${userHome}/x", "/home/u/x"],
    ["${workspaceFolder}/.venv/bin/python", "/w/.venv/bin/python"],
    ["${env:VENV}/bin/python", "/v/bin/python"],
    ["${env:NOPE}/bin/python", "${env:NOPE}/bin/python"],
    ["${other}", "${other}"],
  ] as const) {
    it(`expands ${input}`, () => assert.equal(expandPath(input, vars), want));
  }
  it("leaves ${workspaceFolder} when there is no folder", () => {
    assert.equal(expandPath("${workspaceFolder}/x", { homedir: "/h" }), "${workspaceFolder}/x");
  });
});
