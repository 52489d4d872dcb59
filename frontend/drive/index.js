// Drive pages, enhanced: every action also works as a plain page and form without this.
import { Uploader, setUpDropZone } from "./upload.js";

document.documentElement.classList.add("js");

// --- dialogs: an action's page shown in a <dialog> over the listing -------------------------
let dialog = null;

function ensureDialog() {
  if (dialog) return dialog;
  dialog = document.createElement("dialog");
  dialog.className = "drive-dialog";
  dialog.addEventListener("close", () => dialog.replaceChildren());
  document.body.append(dialog);
  return dialog;
}

async function openDialog(url) {
  let response;
  try {
    response = await fetch(url, { headers: { "X-Requested-With": "fetch" }, credentials: "same-origin" });
  } catch {
    location.href = url;
    return;
  }
  const doc = new DOMParser().parseFromString(await response.text(), "text/html");
  const body = doc.querySelector(".dialog-body");
  if (!body) {
    location.href = url;
    return;
  }
  const box = ensureDialog();
  const title = body.querySelector("[data-dialog-title]");
  if (title) {
    title.id = "drive-dialog-title";
    box.setAttribute("aria-labelledby", title.id);
  }
  box.replaceChildren(document.importNode(body, true));
  if (!box.open) box.showModal();
  const first = box.querySelector("input:not([type=hidden]):not([disabled]), select, textarea, button, a[href]");
  if (first) first.focus();
}

document.addEventListener("click", (event) => {
  const link = event.target.closest("a[data-dialog], a[data-dialog-nav]");
  if (link && !event.ctrlKey && !event.metaKey && !event.shiftKey) {
    event.preventDefault();
    link.closest("details")?.removeAttribute("open");
    openDialog(link.href);
    return;
  }
  const close = event.target.closest("[data-dialog-close]");
  if (close && dialog && dialog.contains(close)) {
    event.preventDefault();
    dialog.close();
    return;
  }
  const submit = event.target.closest("button[data-dialog-submit]");
  if (submit && submit.form) {
    event.preventDefault();
    const data = new FormData(submit.form);
    if (submit.name) data.append(submit.name, submit.value);
    if (!data.getAll("n").length) return;
    const url = new URL(submit.formAction, location.href);
    url.search = new URLSearchParams(data).toString();
    openDialog(url.toString());
  }
});

// --- selection ------------------------------------------------------------------------------
function selectionChanged() {
  const boxes = [...document.querySelectorAll("input[name=n][form=selection]:not(:disabled)")];
  const chosen = boxes.filter((b) => b.checked).length;
  const bar = document.querySelector("[data-selection]");
  if (bar) {
    bar.classList.toggle("active", chosen > 0);
    for (const button of bar.querySelectorAll("button")) button.disabled = chosen === 0;
    const count = bar.querySelector("[data-selection-count]");
    if (count) count.textContent = chosen ? `${chosen} ✓` : "";
  }
  const all = document.querySelector("[data-select-all]");
  if (all) {
    all.checked = chosen > 0 && chosen === boxes.length;
    all.indeterminate = chosen > 0 && chosen < boxes.length;
  }
}

document.addEventListener("change", (event) => {
  if (event.target.matches("[data-select-all]")) {
    for (const box of document.querySelectorAll("input[name=n][form=selection]:not(:disabled)")) {
      if (!box.closest("tr")?.hidden) box.checked = event.target.checked;
    }
  }
  if (event.target.matches("input[name=n], [data-select-all]")) selectionChanged();
});

// --- filter as you type ---------------------------------------------------------------------
document.addEventListener("input", (event) => {
  if (event.target.matches("[data-filter]")) {
    const wanted = event.target.value.trim().toLocaleLowerCase();
    for (const row of document.querySelectorAll("[data-listing] tbody tr[data-name]")) {
      row.hidden = Boolean(wanted) && !row.dataset.name.includes(wanted);
    }
  }
  if (event.target.matches("input[data-people]")) suggestPeople(event.target);
});

// --- share dialog: people as you type ---------------------------------------------------------
let peopleTimer = null;
function suggestPeople(input) {
  clearTimeout(peopleTimer);
  peopleTimer = setTimeout(async () => {
    if (input.value.trim().length < 2) return;
    const url = new URL(input.dataset.people, location.href);
    url.searchParams.set("q", input.value.trim());
    const response = await fetch(url, { credentials: "same-origin" });
    if (!response.ok) return;
    const { people } = await response.json();
    const list = document.getElementById(input.getAttribute("list"));
    if (!list) return;
    list.replaceChildren(...people.map((p) => Object.assign(document.createElement("option"), { value: p.label })));
  }, 200);
}

// --- confirmations, copying links -------------------------------------------------------------
document.addEventListener("submit", (event) => {
  const form = event.target.closest("form[data-confirm]");
  if (form && !window.confirm(form.dataset.confirm)) event.preventDefault();
});

document.addEventListener("focusin", (event) => {
  if (event.target.matches("input[data-copy]")) event.target.select();
});

// --- the listing refreshes after uploads and when Drive says the folder changed --------------
async function refreshListing() {
  const current = document.querySelector("[data-listing]");
  if (!current) return;
  const response = await fetch(location.href, { credentials: "same-origin" });
  if (!response.ok) return;
  const doc = new DOMParser().parseFromString(await response.text(), "text/html");
  const fresh = doc.querySelector("[data-listing]");
  if (fresh) {
    current.replaceWith(document.importNode(fresh, true));
    selectionChanged();
  }
}

document.addEventListener("drive:refresh", refreshListing);
document.addEventListener("cartable:event", (event) => {
  const uploader = document.querySelector("[data-uploader]");
  if (event.detail?.type === "drive.changed" && uploader && event.detail.folder === uploader.dataset.folder) {
    refreshListing();
  }
});

// --- previews that are not there fall back to an icon ----------------------------------------
for (const img of document.querySelectorAll("img[data-fallback]")) {
  img.addEventListener("error", () => img.closest(".viewer")?.classList.add("no-preview-loaded"));
}

const form = document.querySelector("[data-uploader]");
if (form) {
  const uploader = new Uploader(form);
  setUpDropZone(uploader);
  window.cartableUploader = uploader;
}
selectionChanged();
