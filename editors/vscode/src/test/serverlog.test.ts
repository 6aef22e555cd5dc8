import * as assert from "node:assert/strict";
import { describe, it } from "node:test";

import { serverLogLine } from "../serverlog";

describe("serverLogLine", () => {
  for (const [line, level, text] of [
    ['2026-11-21T05:28:32.839Z\tINFO\thotload lsp starting\t{"version": "devel"}', "info", 'hotload lsp starting  {"version": "devel"}'],
    ["2026-11-21T05:28:32.949Z\tINFO\treload.runtime\truntime ready", "info", "reload.runtime  runtime ready"],
    ["2026-11-21T05:28:32.949+01:00\tWARN\tinitializationOptions\t{}", "warn", "initializationOptions  {}"],
    ["2026-11-21T05:28:32.949Z\tDEBUG\tstatus", "debug", "status"],
    ["2026-11-21T05:28:32.949Z\tERROR\tencode status", "error", "encode status"],
    ["panic: runtime error: index out of range", "error", "panic: runtime error: index out of range"],
    ["2026-11-21T05:28:32.949Z\tNOTICE\tx", "error", "2026-11-21T05:28:32.949Z\tNOTICE\tx"],
  ] as const) {
    it(`logs ${JSON.stringify(line.slice(0, 40))} as ${level}`, () => {
      assert.deepEqual(serverLogLine(line), { level, text });
    });
  }
});
