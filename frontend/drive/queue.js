// The upload queue: which files go now (a few at a time), where each one is, and the totals;
// without the page or the network, so that its rules can be tested alone. upload.js gives it
// `send(job)`, which uploads one file and reports back through progress(), finish() and
// ask(), and a `view` that shows what changes.
//
// A job's state: "waiting" → "sending" → "done" or "failed"; or, when the server has a file
// of that name, "asking" until the person chooses → "waiting" again (replace, keep both) or
// "skipped".

export const PARALLEL = 3;

/**
 * @typedef {{file: {name: string, size: number}, path: string, sent: number, state: string,
 *            conflict: string, message: string}} Job
 * @typedef {{added(job: Job): void, progressed(job: Job): void, changed(job: Job): void,
 *            totals(totals: Totals): void, finished(anyDone: boolean): void}} View
 * @typedef {{done: number, counted: number, sent: number, total: number, percent: number}} Totals
 */

export class UploadQueue {
  /**
   * @param {{send: (job: Job) => Promise<void>, view: View, parallel?: () => number}} options
   *   parallel is asked each time a file could start: the page may change it meanwhile
   */
  constructor({ send, view, parallel = () => PARALLEL }) {
    this.send = send;
    this.view = view;
    this.parallel = parallel;
    /** @type {Job[]} */
    this.jobs = [];
    this.running = 0;
  }

  /** Queues files ({file, path} with path the folder inside the upload, "" for none). */
  add(files) {
    for (const { file, path } of files) {
      const job = { file, path, sent: 0, state: "waiting", conflict: "ask", message: "" };
      this.jobs.push(job);
      this.view.added(job);
    }
    this.showTotals();
    this.next();
  }

  /** Starts waiting files while fewer than `parallel` are being sent. */
  next() {
    const parallel = this.parallel() || PARALLEL;
    while (this.running < parallel) {
      const job = this.jobs.find((j) => j.state === "waiting");
      if (!job) break;
      this.setState(job, "sending");
      this.running += 1;
      new Promise((resolve) => resolve(this.send(job)))
        .catch((error) => {
          if (job.state === "sending") this.finish(job, "failed", error?.message || String(error));
        })
        .finally(() => {
          this.running -= 1;
          this.showTotals();
          this.next();
          this.checkFinished();
        });
    }
  }

  /** How many bytes of the file the server has. */
  progress(job, sent) {
    job.sent = sent;
    this.view.progressed(job);
    this.showTotals();
  }

  /** The file is sent ("done") or cannot be ("failed", with the reason). */
  finish(job, state, message = "") {
    if (state === "done") job.sent = job.file.size;
    job.message = message;
    this.setState(job, state);
  }

  /** The server has a file of that name: the person chooses what to do. */
  ask(job, message = "") {
    job.message = message;
    this.setState(job, "asking");
  }

  /** The person's answer: "replace", "rename" (keep both) or "skip". */
  choose(job, mode) {
    if (job.state !== "asking") return;
    if (mode === "skip") {
      this.setState(job, "skipped");
      this.showTotals();
      this.checkFinished();
      return;
    }
    job.conflict = mode;
    job.message = "";
    this.setState(job, "waiting");
    this.next();
  }

  /** Skipped files count for nothing; the others, done or not, for their size. */
  get totals() {
    const counted = this.jobs.filter((j) => j.state !== "skipped");
    const total = counted.reduce((sum, j) => sum + j.file.size, 0);
    const sent = counted.reduce((sum, j) => sum + j.sent, 0);
    return {
      done: counted.filter((j) => j.state === "done").length,
      counted: counted.length,
      sent,
      total,
      percent: total ? Math.round((sent / total) * 100) : 100,
    };
  }

  /** Whether nothing is left to send or to ask. */
  get idle() {
    return (
      this.running === 0 &&
      !this.jobs.some((j) => ["waiting", "sending", "asking"].includes(j.state))
    );
  }

  setState(job, state) {
    job.state = state;
    this.view.changed(job);
  }

  showTotals() {
    this.view.totals(this.totals);
  }

  checkFinished() {
    if (this.idle) this.view.finished(this.jobs.some((j) => j.state === "done"));
  }
}

/** A job's progress in whole percents; an empty file is all sent. */
export function percent(job) {
  return job.file.size ? Math.round((job.sent / job.file.size) * 100) : 100;
}

/** Decimal units, as the server's pages and the quota count them, in the page's language. */
export function formatBytes(n, lang) {
  const units = ["byte", "kilobyte", "megabyte", "gigabyte", "terabyte"];
  let i = 0;
  while (n >= 1000 && i < units.length - 1) {
    n /= 1000;
    i += 1;
  }
  return new Intl.NumberFormat(lang, {
    style: "unit",
    unit: units[i],
    unitDisplay: i ? "short" : "long",
    maximumFractionDigits: i && n < 100 ? 1 : 0,
  }).format(n);
}
