// A small dialog asking for one line of text (a link's address, an image's text
// alternative), instead of window.prompt: styled like the page, labelled for screen readers,
// keyboard-usable (Enter confirms, Escape cancels), and focus returns where it was.
import { gettext } from "../i18n.js";

/**
 * @param {string} label what is asked
 * @param {string} value the starting text
 * @param {{type?: string}} options the input's type ("url", "text")
 * @returns {Promise<string|null>} the text, or null when cancelled
 */
export function askText(label, value = "", { type = "text" } = {}) {
  const returnTo = document.activeElement;
  const dialog = document.createElement("dialog");
  dialog.className = "pad-ask";
  const form = document.createElement("form");
  form.method = "dialog";
  const id = `pad-ask-${Math.random().toString(36).slice(2)}`;
  const labelEl = document.createElement("label");
  labelEl.htmlFor = id;
  labelEl.textContent = label;
  const input = document.createElement("input");
  input.id = id;
  input.type = type;
  input.value = value;
  input.autocomplete = "off";
  const buttons = document.createElement("p");
  buttons.className = "pad-ask-buttons";
  const ok = document.createElement("button");
  ok.type = "submit";
  ok.value = "ok";
  ok.className = "primary";
  ok.textContent = gettext("OK");
  const cancel = document.createElement("button");
  cancel.type = "submit";
  cancel.value = "cancel";
  cancel.formNoValidate = true;
  cancel.textContent = gettext("Cancel");
  buttons.append(ok, cancel);
  form.append(labelEl, input, buttons);
  dialog.append(form);
  document.body.append(dialog);
  return new Promise((resolve) => {
    dialog.addEventListener("close", () => {
      const answer = dialog.returnValue === "ok" ? input.value : null;
      dialog.remove();
      if (returnTo && typeof returnTo.focus === "function") returnTo.focus();
      resolve(answer);
    });
    dialog.showModal();
    input.select();
  });
}
