// The upload queue: a few files at a time, conflicts asked about, totals, and the end.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { setImmediate as settle } from "node:timers/promises";

import { formatBytes, percent, UploadQueue } from "./queue.js";

/** A view that remembers what it was told. */
function recordingView() {
  return {
    events: [],
    finishedWith: [],
    lastTotals: null,
    added(job) {
      this.events.push(["added", job.file.name]);
    },
    progressed(job) {
      this.events.push(["progressed", job.file.name, job.sent]);
    },
    changed(job) {
      this.events.push([job.state, job.file.name]);
    },
    totals(totals) {
      this.lastTotals = totals;
    },
    finished(anyDone) {
      this.finishedWith.push(anyDone);
    },
  };
}

/** A send() whose uploads the test ends one by one. */
function manualSend() {
  const pending = new Map(); // file name → resolve
  const started = [];
  const send = (job) =>
    new Promise((resolve) => {
      started.push(`${job.file.name}:${job.conflict}`);
      pending.set(job.file.name, resolve);
    });
  const end = async (name) => {
    pending.get(name)();
    pending.delete(name);
    await settle();
  };
  return { send, started, end };
}

const files = (...names) => names.map((name, i) => ({ file: { name, size: (i + 1) * 100 }, path: "" }));

describe("UploadQueue", () => {
  test("sends at most `parallel` files at once, in the order given", async () => {
    const view = recordingView();
    const { send, started, end } = manualSend();
    const queue = new UploadQueue({ send, view, parallel: () => 2 });
    queue.add(files("a", "b", "c", "d", "e"));
    assert.deepEqual(started, ["a:ask", "b:ask"]);
    assert.deepEqual(
      queue.jobs.map((j) => j.state),
      ["sending", "sending", "waiting", "waiting", "waiting"],
    );
    queue.finish(queue.jobs[0], "done");
    await end("a");
    assert.deepEqual(started, ["a:ask", "b:ask", "c:ask"]);
    for (const name of ["b", "c"]) {
      queue.finish(queue.jobs.find((j) => j.file.name === name), "done");
      await end(name);
    }
    assert.deepEqual(started, ["a:ask", "b:ask", "c:ask", "d:ask", "e:ask"]);
    assert.deepEqual(view.finishedWith, []);
  });

  test("parallel is asked again each time, and an unset one means three", async () => {
    let parallel = NaN;
    const { send, started } = manualSend();
    const queue = new UploadQueue({ send, view: recordingView(), parallel: () => parallel });
    queue.add(files("a", "b", "c", "d"));
    assert.equal(started.length, 3);
    parallel = 5;
    queue.add(files("e"));
    assert.equal(started.length, 5);
  });

  test("totals count the bytes the server has, and the files done", async () => {
    const view = recordingView();
    const { send, end } = manualSend();
    const queue = new UploadQueue({ send, view });
    queue.add(files("a", "b")); // 100 and 200 bytes
    assert.deepEqual(view.lastTotals, { done: 0, counted: 2, sent: 0, total: 300, percent: 0 });
    const [a, b] = queue.jobs;
    queue.progress(a, 50);
    queue.progress(b, 100);
    assert.equal(percent(a), 50);
    assert.deepEqual(view.lastTotals, { done: 0, counted: 2, sent: 150, total: 300, percent: 50 });
    queue.finish(a, "done");
    await end("a");
    assert.deepEqual(view.lastTotals, { done: 1, counted: 2, sent: 200, total: 300, percent: 67 });
    assert.deepEqual(view.finishedWith, []);
    queue.finish(b, "done");
    await end("b");
    assert.deepEqual(view.lastTotals, { done: 2, counted: 2, sent: 300, total: 300, percent: 100 });
    assert.deepEqual(view.finishedWith, [true]);
  });

  test("a name already taken is asked about; keeping both sends the file again, renamed", async () => {
    const view = recordingView();
    const { send, started, end } = manualSend();
    const queue = new UploadQueue({ send, view });
    queue.add(files("report.pdf"));
    const [job] = queue.jobs;
    queue.ask(job, "A file with this name is already here.");
    await end("report.pdf");
    assert.equal(job.state, "asking");
    assert.equal(job.message, "A file with this name is already here.");
    assert.deepEqual(view.finishedWith, [], "not finished while a question is open");

    queue.choose(job, "rename");
    assert.deepEqual(started, ["report.pdf:ask", "report.pdf:rename"]);
    assert.equal(job.state, "sending");
    queue.finish(job, "done");
    await end("report.pdf");
    assert.deepEqual(view.finishedWith, [true]);
    assert.deepEqual(
      view.events.filter(([kind]) => kind !== "progressed").map(([kind]) => kind),
      ["added", "sending", "asking", "waiting", "sending", "done"],
    );
  });

  test("a skipped file counts for nothing, and a queue of skipped files refreshes nothing", async () => {
    const view = recordingView();
    const { send, end } = manualSend();
    const queue = new UploadQueue({ send, view });
    queue.add(files("a"));
    const [job] = queue.jobs;
    queue.ask(job);
    await end("a");
    queue.choose(job, "skip");
    assert.equal(job.state, "skipped");
    assert.deepEqual(view.lastTotals, { done: 0, counted: 0, sent: 0, total: 0, percent: 100 });
    assert.deepEqual(view.finishedWith, [false]);
    queue.choose(job, "replace");
    assert.equal(job.state, "skipped", "an answer counts once");
  });

  test("a failed upload is failed with its reason, and the others go on", async () => {
    const view = recordingView();
    const started = [];
    const send = async (job) => {
      started.push(job.file.name);
      if (job.file.name === "a") throw new Error("network");
      queue.finish(job, "done");
    };
    const queue = new UploadQueue({ send, view, parallel: () => 1 });
    queue.add(files("a", "b"));
    await settle();
    await settle();
    assert.deepEqual(started, ["a", "b"]);
    assert.deepEqual(
      queue.jobs.map((j) => [j.state, j.message]),
      [
        ["failed", "network"],
        ["done", ""],
      ],
    );
    assert.deepEqual(view.finishedWith, [true]);
  });
});

describe("formatBytes", () => {
  // French puts a no-break space before the unit; which one depends on the ICU version.
  const plain = (text) => text.replace(/\s/g, " ");

  test("decimal units in the page's language", () => {
    assert.equal(formatBytes(0, "en"), "0 bytes");
    assert.equal(plain(formatBytes(999, "fr")), "999 octets");
    assert.equal(plain(formatBytes(1_500_000, "fr")), "1,5 Mo");
    assert.equal(formatBytes(1_500_000, "en"), "1.5 MB");
    assert.equal(formatBytes(123_456_789, "en"), "123 MB");
    assert.equal(percent({ file: { size: 0 }, sent: 0 }), 100);
  });
});
