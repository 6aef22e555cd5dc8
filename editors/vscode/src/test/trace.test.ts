// hotload.trace.server against vscode-languageclient 11, which traces only
// when its trace channel's level is Trace.
import * as assert from "node:assert/strict";
import * as path from "node:path";
import { describe, it } from "node:test";

import { extensionDir } from "./build";
import { fakeVSCode, load, withVSCode } from "./fakevscode";

type Trace = typeof import("../trace");

describe("TraceChannel", () => {
  it("reads the setting, taking anything unknown as off", () => {
    const { vscode } = fakeVSCode({ trusted: true });
    const restore = withVSCode(vscode);
    try {
      const { traceSetting } = load(path.join(extensionDir, "out", "trace.js"), extensionDir) as Trace;
      assert.equal(traceSetting("messages"), "messages");
      assert.equal(traceSetting("verbose"), "verbose");
      assert.equal(traceSetting("off"), "off");
      assert.equal(traceSetting(true), "off");
    } finally {
      restore();
    }
  });

  // Regression: "messages" showed nothing, the log channel's level being Info.
  it("has the Trace level while hotload.trace.server is on, and says when it changes", () => {
    const settings: Record<string, unknown> = { "trace.server": "messages" };
    const { vscode, seen } = fakeVSCode({ trusted: true, settings });
    const restore = withVSCode(vscode);
    try {
      const { TraceChannel } = load(path.join(extensionDir, "out", "trace.js"), extensionDir) as Trace;
      const trace = new TraceChannel();
      const levels = { Off: 0, Trace: 1 };
      assert.equal(trace.logLevel, levels.Trace);
      const fired: unknown[] = [];
      trace.onDidChangeLogLevel((l) => fired.push(l));

      settings["trace.server"] = "off";
      for (const f of seen.listeners.get("onDidChangeConfiguration") ?? []) f({ affectsConfiguration: (s: string) => s === "hotload.trace.server" });
      assert.equal(trace.logLevel, levels.Off);
      assert.deepEqual(fired, [levels.Off]);
      trace.dispose();
    } finally {
      restore();
    }
  });
});
