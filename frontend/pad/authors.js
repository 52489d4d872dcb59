// The author list beside the text: everyone whose text is in the pad, and every writer
// connected now, with their name and colour.
import { gettext } from "../i18n.js";

export class AuthorList {
  /**
   * @param {HTMLElement} list  the <ul data-pad-authors>
   * @param {import("./authorship.js").AuthorColours} colours
   * @param {{self: {id: string|null, name: string, color: string}, authorsUrl: string}} options
   */
  constructor(list, colours, { self, authorsUrl }) {
    this.list = list;
    this.colours = colours;
    this.self = self;
    this.authorsUrl = authorsUrl;
    this.known = new Map(); // id → {name, colour}
    this.inText = new Set();
    this.online = new Map(); // id or "client:<n>" → {name, colour}
    this.fetched = new Set();
    this._fetching = null;
    if (self.id) this.learn(self.id, self.name, self.color);
  }

  learn(id, name, colour) {
    if (!id) return;
    const before = this.known.get(id);
    if (before && before.name === name && before.colour === colour) return;
    this.known.set(id, { name: name || before?.name || "", colour: colour || before?.colour });
    this.colours.set(id, colour || before?.colour);
  }

  setInText(ids) {
    this.inText = ids;
    const unknown = [...ids].filter((id) => !this.known.has(id) && !this.fetched.has(id));
    if (unknown.length) this.fetchAuthors(unknown);
    this.render();
  }

  setAwareness(states, myClientId) {
    this.online = new Map();
    for (const [clientId, state] of states) {
      const user = state?.user;
      if (!user || !user.writer) continue;
      const key = user.id || `client:${clientId}`;
      if (user.id) this.learn(user.id, user.name, user.color);
      if (clientId !== myClientId || user.id) {
        this.online.set(key, { name: user.name, colour: user.color, id: user.id });
      }
    }
    this.render();
  }

  async fetchAuthors(ids = []) {
    for (const id of ids) this.fetched.add(id);
    if (this._fetching) return this._fetching;
    this._fetching = (async () => {
      try {
        const response = await fetch(this.authorsUrl, {
          credentials: "same-origin",
          headers: { Accept: "application/json" },
        });
        if (!response.ok) return;
        const data = await response.json();
        for (const [id, author] of Object.entries(data.authors || {})) {
          // Connected authors' colours come from awareness; the rest from the server.
          if (!this.known.has(id)) this.learn(id, author.name, author.colour);
        }
      } catch {
        // Offline: names come back with the connection.
      } finally {
        this._fetching = null;
        this.render();
      }
    })();
    return this._fetching;
  }

  render() {
    const ids = new Set([...this.inText, ...[...this.online.keys()]]);
    const entries = [...ids].map((id) => {
      const known = this.known.get(id) || this.online.get(id) || {};
      return {
        id,
        name: known.name || gettext("Anonymous"),
        colour: known.colour,
        online: this.online.has(id),
        self: id === this.self.id,
      };
    });
    entries.sort(
      (a, b) =>
        Number(b.self) - Number(a.self) ||
        Number(b.online) - Number(a.online) ||
        a.name.localeCompare(b.name),
    );
    const items = entries.map((entry) => {
      const item = document.createElement("li");
      item.className = "pad-author";
      item.dataset.authorId = entry.id;
      const swatch = document.createElement("span");
      swatch.className = "pad-author-swatch";
      swatch.setAttribute("aria-hidden", "true");
      if (entry.id.startsWith("client:")) {
        swatch.style.setProperty("--author-colour", entry.colour || "#e2e8f0");
      } else {
        swatch.dataset.author = entry.id;
      }
      const name = document.createElement("span");
      name.className = "pad-author-name";
      name.textContent = entry.name;
      item.append(swatch, name);
      if (entry.self) {
        const you = document.createElement("span");
        you.className = "pad-author-you";
        you.textContent = `(${gettext("you")})`;
        item.append(" ", you);
      }
      if (entry.online) {
        const dot = document.createElement("span");
        dot.className = "pad-author-online";
        dot.title = gettext("online");
        const label = document.createElement("span");
        label.className = "visually-hidden";
        label.textContent = gettext("online");
        dot.append(label);
        item.append(dot);
      }
      return item;
    });
    if (items.length === 0) {
      const empty = document.createElement("li");
      empty.className = "pad-author pad-author-none";
      empty.textContent = gettext("Nobody has written yet.");
      items.push(empty);
    }
    this.list.replaceChildren(...items);
  }
}
