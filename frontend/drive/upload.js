// Uploads: files and whole folders, picked or dropped, many at once, with a progress bar
// per file and in total. Signed-in pages use tus (resumable: after a network cut the
// upload goes on from the last byte the server has); public link pages post a form.
import { Upload } from "tus-js-client";
import { gettext, interpolate } from "../i18n.js";
import { formatBytes, percent, UploadQueue } from "./queue.js";

const CHUNK_SIZE = 8 * 1024 * 1024;
const RETRY_DELAYS = [0, 1000, 3000, 5000, 10000, 20000, 30000, 60000];

function bytes(n) {
  return formatBytes(n, document.documentElement.lang || "fr");
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

/** The upload form, enhanced: the queue's files shown as rows with a bar each, and a total. */
export class Uploader {
  constructor(form) {
    this.form = form;
    this.mode = form.dataset.mode;
    this.endpoint = form.dataset.tus;
    this.folder = form.dataset.folder;
    this.panel = form.querySelector("[data-uploads]");
    this.list = form.querySelector("[data-list]");
    this.totalBar = form.querySelector("[data-total]");
    this.totalText = form.querySelector("[data-total-text]");
    this.csrf = form.querySelector("input[name=csrfmiddlewaretoken]")?.value || "";
    this.queue = new UploadQueue({
      send: (job) => (this.mode === "form" ? this.sendForm(job) : this.sendTus(job)),
      view: this,
      parallel: () => Number(form.dataset.parallel),
    });
    this.rows = new Map(); // job → {row, bar, status}
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
    this.queue.add(files);
  }

  // --- the queue's view ------------------------------------------------------------------

  added(job) {
    const li = document.createElement("li");
    const id = `upload-${this.rows.size}-${Date.now()}`;
    const label = document.createElement("label");
    label.htmlFor = id;
    label.textContent = job.path ? `${job.path}/${job.file.name}` : job.file.name;
    const bar = document.createElement("progress");
    bar.id = id;
    bar.max = 100;
    bar.value = 0;
    const status = document.createElement("span");
    status.className = "upload-status";
    status.textContent = gettext("Waiting");
    li.append(label, bar, status);
    this.list.append(li);
    this.rows.set(job, { row: li, bar, status });
  }

  progressed(job) {
    const { bar, status } = this.rows.get(job);
    bar.value = percent(job);
    status.textContent = `${percent(job)} %`;
  }

  changed(job) {
    const { row, bar, status } = this.rows.get(job);
    if (job.state === "waiting") {
      status.textContent = gettext("Waiting");
    } else if (job.state === "done") {
      row.dataset.state = "done";
      bar.value = 100;
      status.textContent = gettext("Uploaded");
    } else if (job.state === "failed") {
      row.dataset.state = "failed";
      status.textContent = interpolate(gettext("Failed: %s"), [job.message]);
      status.setAttribute("role", "alert");
    } else if (job.state === "asking") {
      status.textContent = job.message || gettext("A file with this name is already here.");
      this.askConflict(job, row);
    } else if (job.state === "skipped") {
      row.dataset.state = "skipped";
      status.textContent = gettext("Skip");
    }
  }

  totals({ done, counted, sent, total, percent: pct }) {
    this.totalBar.value = pct;
    this.totalText.textContent = interpolate(
      gettext("%(done)s/%(count)s · %(sent)s of %(total)s"),
      { done, count: counted, sent: bytes(sent), total: bytes(total) },
      true,
    );
  }

  finished(anyDone) {
    this.totalText.textContent = `${this.totalText.textContent} — ${gettext("All files are uploaded.")}`;
    if (anyDone) document.dispatchEvent(new CustomEvent("drive:refresh"));
  }

  askConflict(job, row) {
    const box = document.createElement("span");
    box.className = "upload-choices";
    for (const [mode, text] of [
      ["replace", gettext("Replace")],
      ["rename", gettext("Keep both")],
      ["skip", gettext("Skip")],
    ]) {
      const button = document.createElement("button");
      button.type = "button";
      button.className = "small";
      button.textContent = text;
      button.addEventListener("click", () => {
        box.remove();
        this.queue.choose(job, mode);
      });
      box.append(button);
    }
    row.append(box);
    box.querySelector("button").focus();
  }

  // --- sending one file ------------------------------------------------------------------

  sendTus(job) {
    return new Promise((resolve) => {
      const { file } = job;
      const fingerprint = [
        "cartable",
        this.folder,
        job.path,
        file.name,
        file.size,
        file.lastModified,
        job.conflict,
      ].join("/");
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
        onProgress: (sent) => this.queue.progress(job, sent),
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
          if (
            response &&
            response.getStatus() === 409 &&
            response.getHeader("X-Drive-Error") === "conflict"
          ) {
            this.queue.ask(job, response.getBody());
          } else {
            this.queue.finish(job, "failed", (response && response.getBody()) || error.message);
          }
          resolve();
        },
        onSuccess: () => {
          this.queue.finish(job, "done");
          resolve();
        },
      });
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
      xhr.upload.addEventListener("progress", (event) =>
        this.queue.progress(job, event.loaded * (job.file.size / (event.total || 1))),
      );
      xhr.addEventListener("load", () => {
        if (xhr.status >= 200 && xhr.status < 300) {
          this.queue.finish(job, "done");
          const list = document.querySelector("[data-dropped]");
          if (list) {
            list.querySelector(".meta:only-child")?.remove();
            const li = document.createElement("li");
            li.textContent = `${job.file.name} — ${bytes(job.file.size)}`;
            list.prepend(li);
          }
        } else {
          const text = new DOMParser().parseFromString(xhr.responseText, "text/html");
          const message = text.querySelector(".message.error")?.textContent || xhr.statusText;
          this.queue.finish(job, "failed", message);
        }
        resolve();
      });
      xhr.addEventListener("error", () => {
        this.queue.finish(job, "failed", gettext("Connection lost: resuming…"));
        resolve();
      });
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
