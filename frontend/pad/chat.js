// The chat beside the pad: message 101 on the pad's own websocket, JSON both ways.
import { dateLocale, gettext } from "../i18n.js";
import { MESSAGE_CHAT } from "./provider.js";

const timeFormat = new Intl.DateTimeFormat(dateLocale(), {
  hour: "2-digit",
  minute: "2-digit",
});
const dayFormat = new Intl.DateTimeFormat(dateLocale(), {
  day: "numeric",
  month: "short",
});

export class Chat {
  constructor({ side, provider, colours, canChat, selfId }) {
    this.provider = provider;
    this.colours = colours;
    this.selfId = selfId;
    this.seen = new Set();

    const section = document.createElement("section");
    section.className = "pad-chat";
    section.setAttribute("aria-labelledby", "pad-chat-title");
    const title = document.createElement("h2");
    title.id = "pad-chat-title";
    title.textContent = gettext("Chat");
    this.log = document.createElement("ol");
    this.log.className = "pad-chat-log";
    this.log.setAttribute("aria-live", "polite");
    this.log.setAttribute("aria-relevant", "additions");
    this.log.tabIndex = 0;
    this.log.setAttribute("aria-label", gettext("Chat messages"));
    this.empty = document.createElement("p");
    this.empty.className = "pad-chat-empty";
    this.empty.textContent = gettext("No message yet.");
    section.append(title, this.empty, this.log);

    if (canChat) {
      const form = document.createElement("form");
      form.className = "pad-chat-form";
      const label = document.createElement("label");
      label.className = "visually-hidden";
      label.htmlFor = "pad-chat-input";
      label.textContent = gettext("Your message");
      this.input = document.createElement("input");
      this.input.id = "pad-chat-input";
      this.input.type = "text";
      this.input.maxLength = 2000;
      this.input.autocomplete = "off";
      this.input.placeholder = gettext("Message…");
      this.send = document.createElement("button");
      this.send.type = "submit";
      this.send.textContent = gettext("Send");
      form.append(label, this.input, this.send);
      form.addEventListener("submit", (event) => {
        event.preventDefault();
        const text = this.input.value.trim();
        if (!text) return;
        if (this.provider.sendJSON(MESSAGE_CHAT, { text })) this.input.value = "";
      });
      const sync = () => {
        this.send.disabled = !this.provider.connected;
      };
      provider.on("status", sync);
      sync();
      section.append(form);
    }
    side.append(section);

    provider.on("message", (kind, payload) => {
      if (kind === MESSAGE_CHAT && Array.isArray(payload?.messages)) this.add(payload.messages);
    });
  }

  add(messages) {
    const stick = this.log.scrollHeight - this.log.scrollTop - this.log.clientHeight < 40;
    for (const message of messages) {
      if (message.id != null) {
        if (this.seen.has(message.id)) continue;
        this.seen.add(message.id);
      }
      if (message.author_id) this.colours.set(message.author_id, message.colour);
      const item = document.createElement("li");
      item.className = "pad-chat-message";
      if (message.author_id === this.selfId) item.classList.add("is-mine");
      const head = document.createElement("p");
      head.className = "pad-chat-meta";
      const swatch = document.createElement("span");
      swatch.className = "pad-author-swatch";
      swatch.setAttribute("aria-hidden", "true");
      if (message.author_id) swatch.dataset.author = message.author_id;
      const name = document.createElement("strong");
      name.textContent = message.name || gettext("Anonymous");
      const time = document.createElement("time");
      const when = new Date(message.time);
      time.dateTime = when.toISOString();
      const today = new Date().toDateString() === when.toDateString();
      time.textContent = today
        ? timeFormat.format(when)
        : `${dayFormat.format(when)} ${timeFormat.format(when)}`;
      head.append(swatch, name, " ", time);
      const text = document.createElement("p");
      text.className = "pad-chat-text";
      text.textContent = message.text;
      item.append(head, text);
      this.log.append(item);
    }
    this.empty.hidden = this.log.children.length > 0;
    if (stick) this.log.scrollTop = this.log.scrollHeight;
  }
}
