// Speaks y-websocket to Cartable's pad server: sync steps 1 and 2, updates, awareness, and
// Cartable's message 100 ("saved": how many of this connection's updates are durable).
//
// Not the y-websocket client: "saved" must be told truthfully, so this provider counts the
// updates it sends on each connection, compares them with the server's count, and on every
// (re)connection lets sync step 2 resend whatever the server does not have yet.
import * as Y from "yjs";
import * as encoding from "lib0/encoding";
import * as decoding from "lib0/decoding";
import * as awarenessProtocol from "y-protocols/awareness";
import { SaveState, TOO_LARGE } from "./saving.js";

export const MESSAGE_SYNC = 0;
export const MESSAGE_AWARENESS = 1;
export const MESSAGE_QUERY_AWARENESS = 3;
export const MESSAGE_SAVED = 100;
export const MESSAGE_CHAT = 101;
const STEP1 = 0;
const STEP2 = 1;
const UPDATE = 2;

// Closing codes after which trying again cannot help. 1009: a change larger than the server
// takes (docs/pad.md, "Limits"), which every new connection would send again.
const FINAL_CODES = new Set([4401, 4403, 4404, TOO_LARGE]);
// The server renews awareness every 15 s; silence for longer means a dead connection.
const SILENCE_MS = 35000;

function isEmptyUpdate(update) {
  return update.length === 0 || (update.length === 2 && update[0] === 0 && update[1] === 0);
}

export class PadProvider {
  /**
   * @param {string} url  ws(s)://host/ws/pad/<id>
   * @param {Y.Doc} doc
   * @param {{canEdit: boolean, WebSocket?: typeof WebSocket, window?: EventTarget}} options
   *   the socket class and the window (its "online" and "pagehide" events) are the
   *   browser's, unless a test gives its own
   */
  constructor(url, doc, { canEdit, WebSocket = globalThis.WebSocket, window = globalThis.window }) {
    this.url = url;
    this.doc = doc;
    this.canEdit = canEdit;
    this.WebSocket = WebSocket;
    this.window = window;
    this.awareness = new awarenessProtocol.Awareness(doc);
    this.socket = null;
    this.state = new SaveState({ canEdit });
    this.attempts = 0;
    this.listeners = new Map();
    this._timer = null;
    this._watchdog = null;
    this._lastMessage = 0;

    this._onUpdate = (update, origin) => {
      if (origin === this || !this.canEdit) return;
      if (this.connected) this._sendUpdate(UPDATE, update);
      else this.state.changedOffline();
      this._emitStatus();
    };
    this._onAwareness = ({ added, updated, removed }, origin) => {
      if (origin === this) return; // came from the server
      // Only our own state: another client's timing out here is no news for the server.
      const mine = added.concat(updated, removed).filter((id) => id === this.doc.clientID);
      if (mine.length) this._send(this._awarenessMessage(mine));
    };
    this._onOnline = () => this.reconnectNow();
    this._onUnload = () => {
      awarenessProtocol.removeAwarenessStates(this.awareness, [this.doc.clientID], "unload");
    };
    doc.on("update", this._onUpdate);
    this.awareness.on("update", this._onAwareness);
    this.window?.addEventListener("online", this._onOnline);
    this.window?.addEventListener("pagehide", this._onUnload);
    this.connect();
  }

  on(name, callback) {
    if (!this.listeners.has(name)) this.listeners.set(name, new Set());
    this.listeners.get(name).add(callback);
  }

  off(name, callback) {
    this.listeners.get(name)?.delete(callback);
  }

  emit(name, ...args) {
    for (const callback of this.listeners.get(name) || []) callback(...args);
  }

  /** "connecting", "saving", "saved", "offline", "readonly" or "refused". */
  get status() {
    return this.state.status;
  }

  /** Whether some change of ours is not known to be durable. */
  get unsaved() {
    return this.state.unsaved;
  }

  /** Whether the socket is open. */
  get connected() {
    return this.state.connected;
  }

  connect() {
    if (this.socket || this.state.closedFor !== null) return;
    clearTimeout(this._timer);
    const socket = new this.WebSocket(this.url);
    socket.binaryType = "arraybuffer";
    this.socket = socket;
    socket.addEventListener("open", () => {
      this.state.opened();
      this._lastMessage = Date.now();
      // What the server has that we lack; the server's own step 1 makes us send the rest.
      const encoder = encoding.createEncoder();
      encoding.writeVarUint(encoder, MESSAGE_SYNC);
      encoding.writeVarUint(encoder, STEP1);
      encoding.writeVarUint8Array(encoder, Y.encodeStateVector(this.doc));
      this._send(encoding.toUint8Array(encoder));
      if (this.awareness.getLocalState() !== null) {
        this._send(this._awarenessMessage([this.doc.clientID]));
      }
      this._watchdog = setInterval(() => {
        if (Date.now() - this._lastMessage > SILENCE_MS) socket.close();
      }, 5000);
      this._emitStatus();
    });
    socket.addEventListener("message", (event) => {
      this._lastMessage = Date.now();
      this._receive(new Uint8Array(event.data));
    });
    socket.addEventListener("close", (event) => this._closed(socket, event.code));
  }

  reconnectNow() {
    if (this.socket === null && this.state.closedFor === null) {
      this.attempts = 0;
      this.connect();
    }
  }

  destroy() {
    clearTimeout(this._timer);
    clearInterval(this._watchdog);
    this.state.closed(1000);
    this.doc.off("update", this._onUpdate);
    this.awareness.off("update", this._onAwareness);
    this.window?.removeEventListener("online", this._onOnline);
    this.window?.removeEventListener("pagehide", this._onUnload);
    if (this.socket) this.socket.close();
    this.awareness.destroy();
  }

  /** Sends one of Cartable's JSON messages (chat) if connected; false otherwise. */
  sendJSON(type, payload) {
    if (!this.connected) return false;
    const encoder = encoding.createEncoder();
    encoding.writeVarUint(encoder, type);
    encoding.writeVarString(encoder, JSON.stringify(payload));
    this._send(encoding.toUint8Array(encoder));
    return true;
  }

  _closed(socket, code) {
    if (this.socket !== socket) return;
    clearInterval(this._watchdog);
    this.socket = null;
    this.state.closed(FINAL_CODES.has(code) ? code : null);
    const others = [...this.awareness.getStates().keys()].filter((id) => id !== this.doc.clientID);
    awarenessProtocol.removeAwarenessStates(this.awareness, others, this);
    if (this.state.closedFor === null) {
      // 0.5 s, 1 s, 2 s ... 15 s, with jitter so that a restarted server is not stampeded.
      const delay = Math.min(15000, 500 * 2 ** this.attempts) * (0.75 + Math.random() / 2);
      this.attempts += 1;
      this._timer = setTimeout(() => this.connect(), delay);
    }
    this._emitStatus();
  }

  _receive(data) {
    const decoder = decoding.createDecoder(data);
    const kind = decoding.readVarUint(decoder);
    if (kind === MESSAGE_SYNC) {
      const sub = decoding.readVarUint(decoder);
      const payload = decoding.readVarUint8Array(decoder);
      if (sub === STEP1) {
        if (this.canEdit) this._sendUpdate(STEP2, Y.encodeStateAsUpdate(this.doc, payload));
        this.state.answeredServer();
      } else {
        Y.applyUpdate(this.doc, payload, this);
        if (sub === STEP2 && this.state.syncedNow()) {
          this.attempts = 0;
          this.emit("synced");
        }
      }
      this._emitStatus();
    } else if (kind === MESSAGE_AWARENESS) {
      awarenessProtocol.applyAwarenessUpdate(
        this.awareness,
        decoding.readVarUint8Array(decoder),
        this,
      );
    } else if (kind === MESSAGE_QUERY_AWARENESS) {
      this._send(this._awarenessMessage([...this.awareness.getStates().keys()]));
    } else if (kind === MESSAGE_SAVED) {
      this.state.savedCount(decoding.readVarUint(decoder));
      this._emitStatus();
    } else if (kind >= 100) {
      // Cartable's JSON messages (101: chat ...).
      let payload = null;
      try {
        payload = JSON.parse(decoding.readVarString(decoder));
      } catch {
        return;
      }
      this.emit("message", kind, payload);
    }
  }

  _sendUpdate(sub, update) {
    if (isEmptyUpdate(update)) return;
    const encoder = encoding.createEncoder();
    encoding.writeVarUint(encoder, MESSAGE_SYNC);
    encoding.writeVarUint(encoder, sub);
    encoding.writeVarUint8Array(encoder, update);
    if (this._send(encoding.toUint8Array(encoder))) this.state.updateSent();
  }

  _awarenessMessage(clients) {
    const encoder = encoding.createEncoder();
    encoding.writeVarUint(encoder, MESSAGE_AWARENESS);
    encoding.writeVarUint8Array(
      encoder,
      awarenessProtocol.encodeAwarenessUpdate(this.awareness, clients),
    );
    return encoding.toUint8Array(encoder);
  }

  _send(message) {
    if (this.socket && this.socket.readyState === this.WebSocket.OPEN) {
      this.socket.send(message);
      return true;
    }
    return false;
  }

  _emitStatus() {
    this.emit("status", this.status);
  }
}
