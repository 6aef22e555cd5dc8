import * as assert from "node:assert/strict";
import { describe, it } from "node:test";

import { SerialQueue } from "../queue";

const tick = () => new Promise<void>((resolve) => setImmediate(resolve));

describe("SerialQueue", () => {
  it("runs one job at a time, in order", async () => {
    const q = new SerialQueue();
    const events: string[] = [];
    let running = 0;
    const job = (name: string) => async () => {
      running++;
      assert.equal(running, 1, `${name} overlapped another job`);
      events.push(`${name} begins`);
      await tick();
      events.push(`${name} ends`);
      running--;
      return name;
    };
    const got = await Promise.all([q.run("start", job("start")), q.run("stop", job("stop")), q.run("start", job("start2"))]);
    assert.deepEqual(got, ["start", "stop", "start2"]);
    assert.deepEqual(events, ["start begins", "start ends", "stop begins", "stop ends", "start2 begins", "start2 ends"]);
  });

  it("restarts once more, not twice, on a double click", async () => {
    const q = new SerialQueue();
    let servers = 0;
    let restarts = 0;
    const restart = () =>
      q.run("restart", async () => {
        restarts++;
        servers = 0; // stop
        await tick();
        servers++; // start
        assert.equal(servers, 1, "two servers run");
      });
    const first = restart();
    await tick(); // the first restart is running now
    const second = restart();
    const third = restart(); // a double click while the second waits
    assert.equal(second, third);
    await Promise.all([first, second, third]);
    assert.equal(restarts, 2);
    assert.equal(servers, 1);
  });

  it("goes on after a failed job", async () => {
    const q = new SerialQueue();
    const failed = q.run("a", () => Promise.reject(new Error("boom")));
    const next = q.run("b", () => Promise.resolve("ok"));
    await assert.rejects(failed, /boom/);
    assert.equal(await next, "ok");
  });
});
