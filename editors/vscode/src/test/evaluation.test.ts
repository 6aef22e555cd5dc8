import * as assert from "node:assert/strict";
import { describe, it } from "node:test";

import { anchorLine, inlineText, parseEvaluation } from "../evaluation";

const traceback = `Traceback (most recent call last):
  File "/w/lib.py", line 3, in <module>
    1 / 0
ZeroDivisionError: division by zero
`;

describe("inlineText", () => {
  it("shows the value", () => {
    assert.deepEqual(inlineText({ module: "lib", value: "25", output: "hi\n", error: null }), { text: "= 25", error: false });
  });
  it("shows the error's last line", () => {
    assert.deepEqual(inlineText({ module: "lib", value: null, output: "", error: traceback }), { text: "✗ ZeroDivisionError: division by zero", error: true });
  });
  it("shows a tick for a statement", () => {
    assert.deepEqual(inlineText({ module: "lib", value: null, output: "x\n", error: null }), { text: "✓", error: false });
  });
  it("puts a long or multi-line value on one short line", () => {
    const got = inlineText({ module: "m", value: "{'a':\n 1,\n 'b': 2}", output: "", error: null });
    assert.equal(got.text, "= {'a': 1, 'b': 2}");
    const long = inlineText({ module: "m", value: "x".repeat(500), output: "", error: null }, 20);
    assert.equal(long.text.length, 20);
    assert.ok(long.text.endsWith("…"));
  });
});

describe("parseEvaluation", () => {
  it("reads the server's reply", () => {
    const reply = { module: "lib", value: null, output: "", error: "boom" };
    assert.deepEqual(parseEvaluation(reply), reply);
  });
  it("rejects other replies", () => {
    for (const bad of [null, 3, "x", { value: 3 }, { error: {} }]) assert.equal(parseEvaluation(bad), undefined, JSON.stringify(bad));
  });
});

describe("anchorLine", () => {
  const blank = (lines: string[]) => (l: number) => (lines[l] ?? "").trim() === "";
  it("is the last line of a selection", () => {
    assert.equal(anchorLine({ line: 2, character: 0 }, { line: 4, character: 7 }, () => false), 4);
  });
  it("leaves out a line the selection only touches", () => {
    assert.equal(anchorLine({ line: 2, character: 0 }, { line: 5, character: 0 }, () => false), 4);
    assert.equal(anchorLine({ line: 2, character: 0 }, { line: 2, character: 0 }, () => true), 2);
  });
  it("skips a module's trailing blank lines", () => {
    const lines = ["import x", "x.y()", "", "  ", ""];
    assert.equal(anchorLine({ line: 0, character: 0 }, { line: 4, character: 0 }, blank(lines)), 1);
  });
});
