// Images: chosen with the button, pasted or dropped; uploaded to the pad, then placed in the
// text by their address (never as data: URLs, which would bloat every copy of the document).
import { askText } from "./ask.js";
import { gettext, interpolate } from "../i18n.js";

const ACCEPTED = ["image/png", "image/jpeg", "image/gif", "image/webp"];
const MAX_SIZE = 10 * 1024 * 1024;

export class ImageUploader {
  constructor({ editor, uploadUrl, csrfToken, announce }) {
    this.editor = editor;
    this.uploadUrl = uploadUrl;
    this.csrfToken = csrfToken;
    this.announce = announce;
    this.input = document.createElement("input");
    this.input.type = "file";
    this.input.accept = ACCEPTED.join(",");
    this.input.hidden = true;
    this.input.addEventListener("change", async () => {
      const [file] = this.input.files;
      this.input.value = "";
      if (!file) return;
      const stem = file.name.replace(/\.[^.]+$/, "");
      const alt = await askText(
        gettext("Text alternative of the image (for those who cannot see it):"),
        stem,
      );
      if (alt === null) return;
      this.upload(file, null, alt);
    });
    document.body.append(this.input);
  }

  choose() {
    this.input.click();
  }

  /** Files among a paste or drop that we take; the rest is left to the editor. */
  static images(dataTransfer) {
    return [...(dataTransfer?.files || [])].filter((file) => file.type.startsWith("image/"));
  }

  async upload(file, position = null, alt = "") {
    if (file.size > MAX_SIZE) {
      this.fail(gettext("The image is larger than 10 MB."));
      return;
    }
    const body = new FormData();
    body.append("image", file, file.name || "image");
    this.announce(gettext("Uploading the image…"));
    let response;
    try {
      response = await fetch(this.uploadUrl, {
        method: "POST",
        body,
        credentials: "same-origin",
        headers: { "X-CSRFToken": this.csrfToken, Accept: "application/json" },
      });
    } catch (error) {
      this.fail(error.message);
      return;
    }
    let data = {};
    try {
      data = await response.json();
    } catch {
      data = { error: response.statusText };
    }
    if (!response.ok || !data.src) {
      this.fail(data.error || response.status);
      return;
    }
    this.announce("");
    // Every image has a text alternative: the one given, else the file's name.
    const stem = (file.name || "").replace(/\.[^.]+$/, "").replace(/[-_]+/g, " ").trim();
    const image = { src: data.src, alt: alt || stem || gettext("Image") };
    const chain = this.editor.chain().focus();
    if (position !== null) chain.insertContentAt(position, { type: "image", attrs: image });
    else chain.setImage(image);
    chain.run();
  }

  fail(reason) {
    this.announce(interpolate(gettext("The image could not be uploaded: %s"), [reason]), true);
  }

  handlePaste(_view, event) {
    const files = ImageUploader.images(event.clipboardData);
    if (files.length === 0) return false;
    event.preventDefault();
    for (const file of files) this.upload(file);
    return true;
  }

  handleDrop(view, event, _slice, moved) {
    if (moved) return false;
    const files = ImageUploader.images(event.dataTransfer);
    if (files.length === 0) return false;
    event.preventDefault();
    const at = view.posAtCoords({ left: event.clientX, top: event.clientY });
    for (const file of files) this.upload(file, at ? at.pos : null);
    return true;
  }
}
