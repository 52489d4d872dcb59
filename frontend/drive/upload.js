// Uploads: files and whole folders, picked or dropped, many at once, with a progress bar
// per file and in total. Signed-in pages use tus (resumable: after a network cut the
// upload goes on from the last byte the server has); public link pages post a form.
import { Upload } from "tus-js-client";

const PARALLEL = 3;
const CHUNK_SIZE = 8 * 1024 * 1024;
const RETRY_DELAYS = [0, 1000, 3000, 5000, 10000, 20000, 30000, 60000];

// Decimal units, as the server's pages and the quota count them, in the page's language.
function formatBytes(n) {
  const units = ["byte", "kilobyte", "megabyte", "gigabyte", "terabyte"];
  let i = 0;
  while (n >= 1000 && i < units.length - 1) { n /= 1000; i += 1; }
  const lang = document.documentElement.lang || "fr";
  return new Intl.NumberFormat(lang, {
    style: "unit", unit: units[i], unitDisplay: i ? "short" : "long",
    maximumFractionDigits: i && n < 100 ? 1 : 0,
  }).format(n);
}

// Reads a drop: files, and folders walked through webkitGetAsEntry. The entries are taken
// synchronously, before the first await: a DataTransfer is emptied once its event is over.
export async function droppedFiles(dataTransfer) {
  const items = [...(dataTransfer.items || [])].filter((item) => item.kind === "file");
  const entries = items.map((item) => (item.webkitGetAsEntry ? item.webkitGetAsEntry() : null));
  const plain = items.map((item) => item.getAsFile());
  if (!items.length) return [...(dataTransfer.files || [])].map((file) => ({ file, path: "" }));
  const found = [];
  for (let i = 0; i < items.length; i += 1) {
    if (entries[i]) await walk(entries[i], "", found);
    else if (plain[i]) found.push({ file: plain[i], path: "" });
  }
  return found;
}

async function walk(entry, dir, found) {
  if (entry.isFile) {
    const file = await new Promise((resolve, reject) => entry.file(resolve, reject));
    found.push({ file, path: dir });
  } else if (entry.isDirectory) {
    const reader = entry.createReader();
    const sub = dir ? `${dir}/${entry.name}` : entry.name;
    for (;;) {
      const batch = await new Promise((resolve, reject) => reader.readEntries(resolve, reject));
      if (!batch.length) break;
      for (const child of batch) await walk(child, sub, found);
    }
  }
}

function picked(input) {
  return [...input.files].map((file) => {
    const relative = file.webkitRelativePath || "";
    return { file, path: relative.includes("/") ? relative.slice(0, relative.lastIndexOf("/")) : "" };
  });
}

export class Uploader {
  constructor(form) {
    this.form = form;
    this.mode = form.dataset.mode;
    this.endpoint = form.dataset.tus;
    this.folder = form.dataset.folder;
    this.strings = document.querySelector("template[data-strings]")?.dataset || {};
    this.panel = form.querySelector("[data-uploads]");
    this.list = form.querySelector("[data-list]");
    this.totalBar = form.querySelector("[data-total]");
    this.totalText = form.querySelector("[data-total-text]");
    this.csrf = form.querySelector("input[name=csrfmiddlewaretoken]")?.value || "";
    this.jobs = [];
    this.running = 0;
    form.classList.add("enhanced");
    for (const input of form.querySelectorAll("input[type=file]")) {
      input.addEventListener("change", () => {
        this.add(picked(input));
        input.value = "";
      });
    }
    form.addEventListener("submit", (event) => event.preventDefault());
  }

  add(files) {
    if (!files.length) return;
    if (this.mode === "form") {
      const name = this.form.querySelector("input[name=uploader]");
      if (name && !name.reportValidity()) return;
    }
    this.panel.hidden = false;
    for (const { file, path } of files) {
      const job = { file, path, sent: 0, state: "waiting", conflict: "ask" };
      job.row = this.row(job);
      this.jobs.push(job);
    }
    this.update();
    this.next();
  }

  row(job) {
    const li = document.createElement("li");
    const id = `upload-${this.jobs.length}-${Date.now()}`;
    const label = document.createElement("label");
    label.htmlFor = id;
    label.textContent = job.path ? `${job.path}/${job.file.name}` : job.file.name;
    const bar = document.createElement("progress");
    bar.id = id;
    bar.max = 100;
    bar.value = 0;
    const status = document.createElement("span");
    status.className = "upload-status";
    status.textContent = this.strings.waiting || "";
    li.append(label, bar, status);
    this.list.append(li);
    job.bar = bar;
    job.status = status;
    return li;
  }

  next() {
    const parallel = Number(this.form.dataset.parallel) || PARALLEL;
    while (this.running < parallel) {
      const job = this.jobs.find((j) => j.state === "waiting");
      if (!job) break;
      job.state = "sending";
      this.running += 1;
      const done = () => { this.running -= 1; this.update(); this.next(); this.finishedAll(); };
      if (this.mode === "form") this.sendForm(job).finally(done);
      else this.sendTus(job).finally(done);
    }
  }

  progress(job, sent) {
    job.sent = sent;
    const pct = job.file.size ? Math.round((sent / job.file.size) * 100) : 100;
    job.bar.value = pct;
    job.status.textContent = `${pct} %`;
    this.update();
  }

  update() {
    const total = this.jobs.reduce((s, j) => s + (j.state === "skipped" ? 0 : j.file.size), 0);
    const sent = this.jobs.reduce((s, j) => s + (j.state === "skipped" ? 0 : j.sent), 0);
    const done = this.jobs.filter((j) => j.state === "done").length;
    const counted = this.jobs.filter((j) => j.state !== "skipped").length;
    this.totalBar.value = total ? Math.round((sent / total) * 100) : 100;
    this.totalText.textContent =
      `${done}/${counted} · ${formatBytes(sent)} ${this.strings.of || "/"} ${formatBytes(total)}`;
  }

  finish(job, state, message) {
    job.state = state;
    job.row.dataset.state = state;
    if (state === "done") {
      job.sent = job.file.size;
      job.bar.value = 100;
      job.status.textContent = this.strings.done || "OK";
    } else if (state === "failed") {
      job.status.textContent = `${this.strings.failed || "Failed"}: ${message}`;
      job.status.setAttribute("role", "alert");
    }
  }

  finishedAll() {
    if (this.running || this.jobs.some((j) => j.state === "waiting" || j.state === "sending" || j.state === "asking")) return;
    const anyDone = this.jobs.some((j) => j.state === "done");
    this.totalText.textContent = `${this.totalText.textContent} — ${this.strings.allDone || ""}`;
    if (anyDone) document.dispatchEvent(new CustomEvent("drive:refresh"));
  }

  askConflict(job, message) {
    job.state = "asking";
    job.status.textContent = message || this.strings.exists || "";
    const box = document.createElement("span");
    box.className = "upload-choices";
    const choose = (mode) => {
      box.remove();
      if (mode === "skip") {
        job.state = "skipped";
        job.row.dataset.state = "skipped";
        job.status.textContent = this.strings.skip || "";
        this.update();
        this.finishedAll();
        return;
      }
      job.conflict = mode;
      job.state = "waiting";
      job.status.textContent = this.strings.waiting || "";
      this.next();
    };
    for (const [mode, text] of [["replace", this.strings.replace], ["rename", this.strings.keep], ["skip", this.strings.skip]]) {
      const button = document.createElement("button");
      button.type = "button";
      button.className = "small";
      button.textContent = text;
      button.addEventListener("click", () => choose(mode));
      box.append(button);
    }
    job.row.append(box);
    box.querySelector("button").focus();
  }

  sendTus(job) {
    return new Promise((resolve) => {
      const { file } = job;
      const fingerprint = ["cartable", this.folder, job.path, file.name, file.size, file.lastModified, job.conflict].join("/");
      const upload = new Upload(file, {
        endpoint: this.endpoint,
        chunkSize: Number(this.form.dataset.chunkSize) || CHUNK_SIZE,
        retryDelays: RETRY_DELAYS,
        removeFingerprintOnSuccess: true,
        headers: { "X-CSRFToken": this.csrf },
        metadata: {
          filename: file.name,
          filetype: file.type || "application/octet-stream",
          folder: this.folder,
          path: job.path,
          conflict: job.conflict,
        },
        fingerprint: () => Promise.resolve(fingerprint),
        onProgress: (sent) => this.progress(job, sent),
        onShouldRetry: (error) => {
          const response = error.originalResponse;
          if (!response) return true; // the network: try again from where the server is
          const status = response.getStatus();
          if (status === 409) return !response.getHeader("X-Drive-Error"); // offset mismatch
          if (status >= 500 || status === 423 || status === 0) return true;
          return false;
        },
        onError: (error) => {
          const response = error.originalResponse;
          if (response && response.getStatus() === 409 && response.getHeader("X-Drive-Error") === "conflict") {
            this.askConflict(job, response.getBody());
          } else {
            this.finish(job, "failed", (response && response.getBody()) || error.message);
          }
          resolve();
        },
        onSuccess: () => { this.finish(job, "done"); resolve(); },
      });
      job.upload = upload;
      upload.findPreviousUploads().then((previous) => {
        if (previous.length) upload.resumeFromPreviousUpload(previous[0]);
        upload.start();
      });
    });
  }

  sendForm(job) {
    return new Promise((resolve) => {
      const data = new FormData();
      data.append("csrfmiddlewaretoken", this.csrf);
      const name = this.form.querySelector("input[name=uploader]");
      if (name) data.append("uploader", name.value);
      data.append("conflict", "rename");
      data.append("paths", job.path ? `${job.path}/${job.file.name}` : job.file.name);
      data.append("files", job.file, job.file.name);
      const xhr = new XMLHttpRequest();
      xhr.open("POST", this.form.action);
      xhr.setRequestHeader("Accept", "application/json");
      xhr.upload.addEventListener("progress", (event) => this.progress(job, event.loaded * (job.file.size / (event.total || 1))));
      xhr.addEventListener("load", () => {
        if (xhr.status >= 200 && xhr.status < 300) {
          this.finish(job, "done");
          const list = document.querySelector("[data-dropped]");
          if (list) {
            list.querySelector(".meta:only-child")?.remove();
            const li = document.createElement("li");
            li.textContent = `${job.file.name} — ${formatBytes(job.file.size)}`;
            list.prepend(li);
          }
        } else {
          const text = new DOMParser().parseFromString(xhr.responseText, "text/html");
          const message = text.querySelector(".message.error")?.textContent || xhr.statusText;
          this.finish(job, "failed", message);
        }
        resolve();
      });
      xhr.addEventListener("error", () => { this.finish(job, "failed", this.strings.paused || "network"); resolve(); });
      xhr.send(data);
    });
  }
}

export function setUpDropZone(uploader) {
  const zone = document.querySelector("[data-dropzone]");
  let depth = 0;
  const hasFiles = (event) => [...(event.dataTransfer?.types || [])].includes("Files");
  document.addEventListener("dragenter", (event) => {
    if (!hasFiles(event)) return;
    depth += 1;
    if (zone) zone.hidden = false;
  });
  document.addEventListener("dragleave", () => {
    depth = Math.max(0, depth - 1);
    if (!depth && zone) zone.hidden = true;
  });
  document.addEventListener("dragover", (event) => {
    if (!hasFiles(event)) return;
    event.preventDefault();
    event.dataTransfer.dropEffect = "copy";
  });
  document.addEventListener("drop", async (event) => {
    if (!event.dataTransfer) return;
    event.preventDefault();
    depth = 0;
    if (zone) zone.hidden = true;
    uploader.add(await droppedFiles(event.dataTransfer));
  });
}
