import * as assert from "node:assert/strict";
import { describe, it } from "node:test";

import { formatDuration, parseStatus, statusView } from "../status";

describe("statusView", () => {
  const cases = [
    { status: { state: "starting" }, text: "$(sync~spin) hotload", error: false },
    { status: { state: "running", module: "lib" }, text: "$(sync~spin) hotload: lib", error: false },
    { status: { state: "running" }, text: "$(sync~spin) hotload", error: false },
    { status: { state: "ready", module: "lib", lastReloadMs: 0.46, pid: 42 }, text: "$(check) hotload 0.5 ms", error: false },
    { status: { state: "ready", pid: 42 }, text: "$(check) hotload", error: false },
    // Regression: a tick after a failed run, a time after a run that never started.
    { status: { state: "ready", module: "lib", lastReloadMs: 38, lastError: "ZeroDivisionError: division by zero (lib.py:3)" }, text: "$(error) hotload 38 ms", error: false },
    { status: { state: "ready", module: "lib", lastError: "SyntaxError: invalid syntax (lib.py:3)" }, text: "$(error) hotload", error: false },
    { status: { state: "dead", message: "exit status 1" }, text: "$(error) hotload", error: true },
    { status: { state: "stopped", message: "cannot find the hotload binary" }, text: "$(error) hotload", error: true },
    { status: { state: "untrusted" }, text: "$(workspace-untrusted) hotload", error: false },
  ] as const;
  for (const c of cases) {
    it(`shows ${JSON.stringify(c.status)} as ${c.text}`, () => {
      const v = statusView(c.status);
      assert.equal(v.text, c.text);
      assert.equal(v.error, c.error);
    });
  }

  it("puts the reason in the tooltip", () => {
    assert.match(statusView({ state: "dead", message: "Python exited with status 1: boom" }).tooltip, /exited with status 1: boom/);
    assert.match(statusView({ state: "stopped", message: "no binary" }).tooltip, /no binary/);
  });

  it("says the last run failed, or did not start, and why", () => {
    const failed = statusView({ state: "ready", module: "lib", lastReloadMs: 38, lastError: "ZeroDivisionError: division by zero (lib.py:3)" }).tooltip;
    assert.match(failed, /lib: the last run failed after 38 ms: ZeroDivisionError: division by zero \(lib.py:3\)/);
    assert.doesNotMatch(failed, /last ran in/);
    const notRun = statusView({ state: "ready", module: "lib", lastError: "SyntaxError: invalid syntax (lib.py:3)" }).tooltip;
    assert.match(notRun, /lib: the last run did not start: SyntaxError/);
  });

  it("names the server binary that runs", () => {
    const tip = statusView({ state: "ready", pid: 1 }, "server: bundled /ext/bin/linux-x64/hotload").tooltip;
    assert.match(tip, /server: bundled \/ext\/bin\/linux-x64\/hotload/);
  });

  it("tells the module, its time and the pid when ready", () => {
    const tip = statusView({ state: "ready", module: "lib", lastReloadMs: 12.3, pid: 4242 }).tooltip;
    assert.match(tip, /lib last ran in 12 ms/);
    assert.match(tip, /pid 4242/);
  });
});

describe("formatDuration", () => {
  for (const [ms, want] of [
    [0, "0.0 ms"],
    [0.46, "0.5 ms"],
    [3.21, "3.2 ms"],
    [12.4, "12 ms"],
    [999.4, "999 ms"],
    [1300, "1.3 s"],
    [125_000, "2 min 5 s"],
  ] as const) {
    it(`writes ${ms} as ${want}`, () => assert.equal(formatDuration(ms), want));
  }
});

describe("parseStatus", () => {
  it("keeps the fields it knows", () => {
    assert.deepEqual(parseStatus({ state: "ready", module: "lib", lastReloadMs: 0.5, pid: 7, lastError: "E: x", extra: true }), {
      state: "ready",
      module: "lib",
      lastReloadMs: 0.5,
      pid: 7,
      lastError: "E: x",
    });
  });
  it("rejects what is not a status", () => {
    for (const bad of [null, undefined, "ready", { state: "sleeping" }, { module: "lib" }, [{ state: "ready" }]]) {
      assert.equal(parseStatus(bad), undefined, JSON.stringify(bad));
    }
  });
  it("drops fields of the wrong type", () => {
    assert.deepEqual(parseStatus({ state: "dead", message: 3, pid: "7", lastReloadMs: -1 }), { state: "dead" });
  });
});
