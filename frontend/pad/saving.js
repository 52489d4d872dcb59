// What the pad says about the writer's changes ("saved", "saving", "offline"...), apart from
// the socket and Yjs so that the rule can be tested alone. The provider tells it what happens
// on the connection; it says "saved" only when the server has confirmed every update this
// page sent, and keeps saying "saving" for changes made offline until a connection has taken
// them again.
import { gettext } from "../i18n.js";

// The server's closing code for a message over its limits (RFC 6455's "message too big").
export const TOO_LARGE = 1009;

export class SaveState {
  /** @param {{canEdit: boolean}} options */
  constructor({ canEdit }) {
    this.canEdit = canEdit;
    this.connected = false; // the socket is open
    this.synced = false; // the server's sync step 2 arrived on this connection
    this.sent = 0; // updates sent on this connection
    this.saved = 0; // of those, how many the server made durable
    this.offlineChanges = false; // changes that no open connection has taken yet
    this.closedFor = null; // a final closing code: no more trying
  }

  /** A connection opened: the server counts this connection's updates from zero. */
  opened() {
    this.connected = true;
    this.synced = false;
    this.sent = 0;
    this.saved = 0;
  }

  /** The document changed here while no socket was open. */
  changedOffline() {
    this.offlineChanges = true;
  }

  /** An update (a change, or sync step 2) went out on the open connection. */
  updateSent() {
    this.sent += 1;
  }

  /**
   * The server's sync step 1 arrived and was answered: whatever it lacked of ours, offline
   * changes included, is now on its way (or it had it).
   */
  answeredServer() {
    this.offlineChanges = false;
  }

  /** The server's sync step 2 arrived; true the first time on this connection. */
  syncedNow() {
    if (this.synced) return false;
    this.synced = true;
    return true;
  }

  /** The server says how many of this connection's updates are durable (message 100). */
  savedCount(count) {
    this.saved = count;
  }

  /** The connection closed; a final code (refused, not found) means no more trying. */
  closed(finalCode = null) {
    this.connected = false;
    this.synced = false;
    // What was sent and not confirmed goes again, in sync step 2, on the next connection.
    if (this.saved < this.sent) this.offlineChanges = true;
    if (finalCode !== null) this.closedFor = finalCode;
  }

  /** "connecting", "saving", "saved", "offline", "readonly", "tooLarge" or "refused". */
  get status() {
    if (this.closedFor === TOO_LARGE) return "tooLarge";
    if (this.closedFor !== null) return "refused";
    if (!this.connected) return "offline";
    if (!this.synced) return "connecting";
    if (!this.canEdit) return "readonly";
    return this.unsaved ? "saving" : "saved";
  }

  /** Whether some change of ours is not known to be durable. */
  get unsaved() {
    return this.offlineChanges || this.saved < this.sent;
  }
}

/** The words shown for a status: a reader offline has nothing to send, only to wait. */
export function statusText(status, { canEdit }) {
  switch (status) {
    case "connecting":
      return gettext("Connecting…");
    case "saving":
      return gettext("Saving…");
    case "saved":
      return gettext("Saved");
    case "offline":
      return canEdit
        ? gettext("Offline — your changes will be sent when the connection returns")
        : gettext("Offline — reconnecting…");
    case "readonly":
      return gettext("Read only");
    case "refused":
      return gettext("Access refused — reload the page");
    case "tooLarge":
      return gettext("This change is too large to be saved — reload the page");
    default:
      return status;
  }
}
