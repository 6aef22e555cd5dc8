import * as assert from "node:assert/strict";
import { describe, it } from "node:test";

import { lastCodeLine, parseResult, resultText, type ReloadResult } from "../result";

const ran: ReloadResult = { uri: "file:///p/lib.py", module: "lib", ok: true, ran: true, durationMs: 12.3, value: null, output: "", error: null };

describe("resultText", () => {
  const cases: [string, ReloadResult, string | undefined][] = [
    ["a run without value or output", ran, "✓ 12 ms"],
    ["the value", { ...ran, value: "'run 2'" }, "✓ 12 ms  = 'run 2'"],
    ["the value over the output", { ...ran, value: "40", output: "hi 20\n" }, "✓ 12 ms  = 40"],
    ["the first line of output", { ...ran, output: "hi 20\nmore" }, "✓ 12 ms  hi 20 …"],
    // Regression: no mark after a line that never ran.
    ["nothing after a failure", { ...ran, ok: false, error: "ZeroDivisionError: division by zero (lib.py:3)" }, undefined],
    ["nothing when nothing ran", { ...ran, ok: false, ran: false, durationMs: 0, error: "SyntaxError: invalid syntax (lib.py:3)" }, undefined],
  ];
  for (const [name, r, want] of cases) {
    it(`shows ${name}`, () => assert.equal(resultText(r), want));
  }
  it("cuts a long value", () => {
    const text = resultText({ ...ran, value: "x".repeat(500) }) ?? "";
    assert.equal(text.length, 100);
    assert.ok(text.endsWith("…"));
  });
});

describe("parseResult", () => {
  it("reads the server's params", () => {
    const params = { uri: "file:///p/lib.py", module: "lib", ok: false, ran: true, durationMs: 3, value: null, output: "a", error: "E: x", reloaded: ["lib"] };
    assert.deepEqual(parseResult(params), { uri: "file:///p/lib.py", module: "lib", ok: false, ran: true, durationMs: 3, value: null, output: "a", error: "E: x" });
  });
  it("rejects what is not a result", () => {
    for (const bad of [null, "lib", { module: "lib" }, { uri: "file:///a.py", module: "a", ok: "yes", ran: true }]) {
      assert.equal(parseResult(bad), undefined, JSON.stringify(bad));
    }
  });
});

describe("lastCodeLine", () => {
  it("skips blank lines at the end", () => {
    const lines = ["x = 1", "x", "", "  "];
    assert.equal(lastCodeLine(lines.length, (l) => (lines[l] ?? "").trim() === ""), 1);
  });
  it("is undefined for an empty file", () => {
    assert.equal(lastCodeLine(1, () => true), undefined);
  });
});
