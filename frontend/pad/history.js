// The time slider: replays the pad revision by revision from the server's history
// endpoints, lists the saved revisions, saves a new one, restores an old one (as a new
// change: nothing of the history is lost).
import { Editor } from "@tiptap/core";
import { Play, Pause, createElement } from "lucide";
import { dateLocale, gettext, interpolate } from "../i18n.js";

const dateFormat = new Intl.DateTimeFormat(dateLocale(), {
  dateStyle: "medium",
  timeStyle: "short",
});

function formatTime(ms) {
  return ms ? dateFormat.format(new Date(ms)) : "";
}

export class History {
  /**
   * @param {{mount: HTMLElement, base: string, csrf: string, extensions: () => any[],
   *          onOpen: () => void, onClose: () => void, colours: any}} options
   */
  constructor({ mount, base, csrf, extensions, onOpen, onClose, colours }) {
    this.base = base;
    this.csrf = csrf;
    this.extensions = extensions;
    this.onOpen = onOpen;
    this.onClose = onClose;
    this.colours = colours;
    this.cache = new Map();
    this.info = null;
    this.playing = null;
    this.requested = null;

    this.panel = document.createElement("div");
    this.panel.className = "pad-history";
    this.panel.hidden = true;
    this.panel.setAttribute("role", "region");
    this.panel.setAttribute("aria-label", gettext("History"));

    const bar = document.createElement("div");
    bar.className = "pad-history-bar";
    this.play = document.createElement("button");
    this.play.type = "button";
    this.play.className = "pad-tool";
    this.play.setAttribute("aria-label", gettext("Replay the history"));
    this.play.title = gettext("Replay the history");
    this.play.append(createElement(Play, { "aria-hidden": "true" }));
    this.play.addEventListener("click", () => this.toggleReplay());
    const sliderLabel = document.createElement("label");
    sliderLabel.className = "visually-hidden";
    sliderLabel.htmlFor = "pad-history-slider";
    sliderLabel.textContent = gettext("Revision");
    this.slider = document.createElement("input");
    this.slider.type = "range";
    this.slider.id = "pad-history-slider";
    this.slider.className = "pad-history-slider";
    this.slider.min = "0";
    this.slider.step = "1";
    this.slider.addEventListener("input", () => this.show(Number(this.slider.value)));
    this.where = document.createElement("p");
    this.where.className = "pad-history-where";
    this.where.setAttribute("aria-live", "polite");
    const close = document.createElement("button");
    close.type = "button";
    close.className = "button pad-history-close";
    close.textContent = gettext("Back to the text");
    close.addEventListener("click", () => this.close());
    bar.append(this.play, sliderLabel, this.slider, close);

    this.actions = document.createElement("div");
    this.actions.className = "pad-history-actions";

    this.savedList = document.createElement("ol");
    this.savedList.className = "pad-saved-revisions";
    const savedTitle = document.createElement("h3");
    savedTitle.textContent = gettext("Saved revisions");
    this.saved = document.createElement("div");
    this.saved.className = "pad-history-saved";
    this.saved.append(savedTitle, this.savedList);

    this.surface = document.createElement("div");
    this.surface.className = "pad-history-text";
    this.panel.append(bar, this.where, this.actions, this.saved, this.surface);
    mount.append(this.panel);
  }

  get isOpen() {
    return !this.panel.hidden;
  }

  async open() {
    this.onOpen();
    this.panel.hidden = false;
    await this.refresh();
    this.show(this.info ? this.info.head : 0);
    this.slider.focus();
  }

  close() {
    this.stopReplay();
    this.panel.hidden = true;
    this.viewer?.destroy();
    this.viewer = null;
    this.onClose();
  }

  async refresh() {
    const response = await fetch(`${this.base}/history.json`, { credentials: "same-origin" });
    if (!response.ok) return;
    this.info = await response.json();
    this.slider.max = String(this.info.head);
    this.slider.value = String(this.info.head);
    this.renderActions();
    this.renderSaved();
  }

  renderActions() {
    this.actions.replaceChildren();
    if (this.info.can_save) {
      const form = document.createElement("form");
      form.className = "pad-history-save";
      const label = document.createElement("label");
      label.htmlFor = "pad-revision-label";
      label.textContent = gettext("Name");
      const input = document.createElement("input");
      input.type = "text";
      input.id = "pad-revision-label";
      input.maxLength = 200;
      const button = document.createElement("button");
      button.type = "submit";
      button.textContent = gettext("Save the current version");
      form.append(label, input, button);
      form.addEventListener("submit", async (event) => {
        event.preventDefault();
        const body = new FormData();
        body.append("label", input.value);
        const ok = await this.post(`${this.base}/revisions`, body);
        if (ok) {
          input.value = "";
          await this.refresh();
          this.show(this.info.head);
        }
      });
      this.actions.append(form);
    }
  }

  renderSaved() {
    const items = this.info.saved.map((saved) => {
      const item = document.createElement("li");
      const view = document.createElement("button");
      view.type = "button";
      view.className = "link";
      view.textContent = saved.label;
      view.addEventListener("click", () => this.show(saved.rev));
      const meta = document.createElement("span");
      meta.className = "meta";
      const parts = [interpolate(gettext("Revision %s"), [saved.rev]), formatTime(saved.time)];
      if (saved.author) parts.push(saved.author.name);
      meta.textContent = ` ${parts.join(" · ")}`;
      item.append(view, meta);
      return item;
    });
    if (items.length === 0) {
      const none = document.createElement("li");
      none.className = "meta";
      none.textContent = gettext("No saved revision.");
      items.push(none);
    }
    this.savedList.replaceChildren(...items);
  }

  async load(rev) {
    if (this.cache.has(rev)) return this.cache.get(rev);
    const response = await fetch(`${this.base}/revisions/${rev}.json`, {
      credentials: "same-origin",
    });
    if (!response.ok) return null;
    const data = await response.json();
    if (this.cache.size > 200) this.cache.clear();
    this.cache.set(rev, data);
    return data;
  }

  async show(rev) {
    this.requested = rev;
    this.slider.value = String(rev);
    const data = await this.load(rev);
    if (!data || this.requested !== rev) return;
    if (data.author) this.colours.set(data.author.id, data.author.colour);
    const content = data.doc?.content?.length ? data.doc : { type: "doc", content: [] };
    if (!this.viewer) {
      this.viewer = new Editor({
        element: this.surface,
        editable: false,
        injectCSS: false,
        extensions: this.extensions(),
        content,
        editorProps: { attributes: { class: "pad-text", "aria-label": gettext("History") } },
      });
    } else {
      this.viewer.commands.setContent(content, { emitUpdate: false });
    }
    const head = this.info?.head ?? rev;
    const parts = [interpolate(gettext("Revision %(rev)s / %(head)s"), { rev, head }, true)];
    if (data.time) parts.push(formatTime(data.time));
    if (data.author) parts.push(data.author.name);
    this.where.replaceChildren(parts.join(" · "));
    if (this.info?.can_restore && rev < this.info.head) {
      const restore = document.createElement("button");
      restore.type = "button";
      restore.className = "button primary pad-restore";
      restore.textContent = gettext("Restore this revision");
      restore.addEventListener("click", () => this.restore(rev));
      this.where.append(" ", restore);
    }
  }

  async restore(rev) {
    const question = gettext(
      "Restore revision %s? The current text is replaced by a new change; the history is kept.",
    );
    if (!window.confirm(interpolate(question, [rev]))) return;
    if (await this.post(`${this.base}/revisions/${rev}/restore`, new FormData())) {
      this.cache.clear();
      this.close();
    }
  }

  async post(url, body) {
    const response = await fetch(url, {
      method: "POST",
      body,
      credentials: "same-origin",
      headers: { "X-CSRFToken": this.csrf, Accept: "application/json" },
    });
    if (!response.ok) {
      let message = response.statusText;
      try {
        message = (await response.json()).error || message;
      } catch {
        // not JSON
      }
      window.alert(message);
    }
    return response.ok;
  }

  toggleReplay() {
    if (this.playing) this.stopReplay();
    else this.startReplay();
  }

  startReplay() {
    const head = this.info?.head ?? 0;
    if (head === 0) return;
    let rev = Number(this.slider.value) >= head ? 0 : Number(this.slider.value);
    // The whole life of the pad in about twenty seconds, whatever its length.
    const step = Math.max(1, Math.ceil(head / 200));
    this.setPlayIcon(true);
    const tick = async () => {
      if (!this.playing) return;
      await this.show(rev);
      if (rev >= head) {
        this.stopReplay();
        return;
      }
      rev = Math.min(head, rev + step);
      this.playing = setTimeout(tick, 100);
    };
    this.playing = setTimeout(tick, 0);
  }

  stopReplay() {
    clearTimeout(this.playing);
    this.playing = null;
    this.setPlayIcon(false);
  }

  setPlayIcon(playing) {
    this.play.replaceChildren(createElement(playing ? Pause : Play, { "aria-hidden": "true" }));
    const label = playing ? gettext("Pause") : gettext("Replay the history");
    this.play.setAttribute("aria-label", label);
    this.play.title = label;
  }
}
