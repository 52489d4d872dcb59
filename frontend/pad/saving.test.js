// When the pad says "saved": only once the server has made every change of this page durable.
import assert from "node:assert/strict";
import { describe, test } from "node:test";

import { SaveState, statusText, TOO_LARGE } from "./saving.js";

/** A writer's state on a connection that is open and synced. */
function connectedWriter() {
  const state = new SaveState({ canEdit: true });
  state.opened();
  state.answeredServer();
  state.syncedNow();
  return state;
}

describe("SaveState", () => {
  test("a page starts offline, then connecting, then saved once the server's copy is here", () => {
    const state = new SaveState({ canEdit: true });
    assert.equal(state.status, "offline");
    state.opened();
    assert.equal(state.status, "connecting");
    state.answeredServer();
    assert.equal(state.syncedNow(), true);
    assert.equal(state.status, "saved");
    assert.equal(state.unsaved, false);
  });

  test("synced is news once per connection", () => {
    const state = connectedWriter();
    assert.equal(state.syncedNow(), false);
    state.closed();
    state.opened();
    assert.equal(state.syncedNow(), true);
  });

  test("a change is saving until the server counts it durable", () => {
    const state = connectedWriter();
    state.updateSent();
    state.updateSent();
    assert.equal(state.status, "saving");
    assert.equal(state.unsaved, true);
    state.savedCount(1);
    assert.equal(state.status, "saving");
    state.savedCount(2);
    assert.equal(state.status, "saved");
    assert.equal(state.unsaved, false);
  });

  test("changes sent and not confirmed before a cut stay unsaved until the next connection confirms them", () => {
    const state = connectedWriter();
    state.updateSent();
    state.updateSent();
    state.savedCount(1);
    state.closed();
    assert.equal(state.status, "offline");
    assert.equal(state.unsaved, true);

    // The new connection counts from zero: its sync step 2 carries what the server lacks.
    state.opened();
    assert.equal(state.status, "connecting");
    assert.equal(state.unsaved, true);
    state.updateSent();
    state.answeredServer();
    state.syncedNow();
    assert.equal(state.status, "saving");
    state.savedCount(1);
    assert.equal(state.status, "saved");
  });

  test("a change made offline is unsaved until a connection has taken it and confirmed it", () => {
    const state = new SaveState({ canEdit: true });
    state.changedOffline();
    assert.equal(state.status, "offline");
    assert.equal(state.unsaved, true);
    state.opened();
    state.syncedNow();
    // Synced, but the server has not asked for our changes yet (its sync step 1).
    assert.equal(state.status, "saving");
    state.updateSent();
    state.answeredServer();
    assert.equal(state.status, "saving");
    state.savedCount(1);
    assert.equal(state.status, "saved");
  });

  test("a cut with everything confirmed leaves nothing unsaved", () => {
    const state = connectedWriter();
    state.updateSent();
    state.savedCount(1);
    state.closed();
    assert.equal(state.status, "offline");
    assert.equal(state.unsaved, false);
  });

  test("an old count from the server does not hide a newer change", () => {
    const state = connectedWriter();
    state.updateSent();
    state.savedCount(1);
    state.updateSent();
    state.savedCount(1);
    assert.equal(state.status, "saving");
  });

  test("a reader is read only once synced, and never has anything unsaved", () => {
    const state = new SaveState({ canEdit: false });
    state.opened();
    assert.equal(state.status, "connecting");
    state.syncedNow();
    assert.equal(state.status, "readonly");
    assert.equal(state.unsaved, false);
    state.closed();
    assert.equal(state.status, "offline");
  });

  test("a final closing code is refused for good", () => {
    const state = connectedWriter();
    state.closed(4403);
    assert.equal(state.status, "refused");
    assert.equal(state.closedFor, 4403);
    state.closed();
    assert.equal(state.status, "refused");
  });

  test("a change too large for the server says so, and is not sent again", () => {
    const state = connectedWriter();
    state.updateSent();
    state.closed(TOO_LARGE);
    assert.equal(state.status, "tooLarge");
    assert.equal(state.unsaved, true);
  });
});

describe("statusText", () => {
  test("each status has its words (English without a catalogue)", () => {
    const writer = { canEdit: true };
    assert.equal(statusText("connecting", writer), "Connecting…");
    assert.equal(statusText("saving", writer), "Saving…");
    assert.equal(statusText("saved", writer), "Saved");
    assert.equal(statusText("readonly", { canEdit: false }), "Read only");
    assert.equal(statusText("refused", writer), "Access refused — reload the page");
    assert.equal(
      statusText("tooLarge", writer),
      "This change is too large to be saved — reload the page",
    );
  });

  test("offline promises a writer that the changes will be sent; a reader only waits", () => {
    assert.equal(
      statusText("offline", { canEdit: true }),
      "Offline — your changes will be sent when the connection returns",
    );
    assert.equal(statusText("offline", { canEdit: false }), "Offline — reconnecting…");
  });
});
