// The provider on a stand-in socket: what it sends, and what the pad says, as the server
// answers, confirms, or goes away.
import assert from "node:assert/strict";
import { afterEach, test } from "node:test";
import * as decoding from "lib0/decoding";
import * as encoding from "lib0/encoding";
import * as Y from "yjs";

import { MESSAGE_SAVED, MESSAGE_SYNC, PadProvider } from "./provider.js";

const STEP1 = 0;
const STEP2 = 1;
const UPDATE = 2;

/** A WebSocket that the test drives: it opens, receives and closes when told. */
class FakeSocket {
  static OPEN = 1;
  static all = [];

  constructor(url) {
    this.url = url;
    this.readyState = 0;
    this.messages = [];
    this.listeners = new Map();
    FakeSocket.all.push(this);
  }

  addEventListener(type, callback) {
    if (!this.listeners.has(type)) this.listeners.set(type, []);
    this.listeners.get(type).push(callback);
  }

  send(data) {
    this.messages.push(decode(data));
  }

  close() {
    this.serverCloses(1000);
  }

  fire(type, event = {}) {
    for (const callback of this.listeners.get(type) || []) callback(event);
  }

  open() {
    this.readyState = FakeSocket.OPEN;
    this.fire("open");
  }

  receive(bytes) {
    this.fire("message", { data: bytes.slice().buffer });
  }

  serverCloses(code) {
    if (this.readyState === 3) return;
    this.readyState = 3;
    this.fire("close", { code });
  }

  /** The sync messages the client sent, as {sub, payload}. */
  get syncs() {
    return this.messages.filter((m) => m.kind === MESSAGE_SYNC);
  }
}

function decode(data) {
  const decoder = decoding.createDecoder(data);
  const kind = decoding.readVarUint(decoder);
  if (kind !== MESSAGE_SYNC) return { kind };
  const sub = decoding.readVarUint(decoder);
  return { kind, sub, payload: decoding.readVarUint8Array(decoder) };
}

function syncMessage(sub, payload) {
  const encoder = encoding.createEncoder();
  encoding.writeVarUint(encoder, MESSAGE_SYNC);
  encoding.writeVarUint(encoder, sub);
  encoding.writeVarUint8Array(encoder, payload);
  return encoding.toUint8Array(encoder);
}

function savedMessage(count) {
  const encoder = encoding.createEncoder();
  encoding.writeVarUint(encoder, MESSAGE_SAVED);
  encoding.writeVarUint(encoder, count);
  return encoding.toUint8Array(encoder);
}

/** The server's side of the handshake: it asks for what it lacks, then sends what it has. */
function serverSyncs(socket, serverDoc) {
  socket.receive(syncMessage(STEP1, Y.encodeStateVector(serverDoc)));
  socket.receive(syncMessage(STEP2, Y.encodeStateAsUpdate(serverDoc)));
}

/** Applies to the server's copy every update the client sent on a socket. */
function serverApplies(socket, serverDoc) {
  for (const message of socket.syncs) {
    if (message.sub === STEP2 || message.sub === UPDATE) Y.applyUpdate(serverDoc, message.payload);
  }
}

let provider = null;

function open({ canEdit = true } = {}) {
  const doc = new Y.Doc();
  provider = new PadProvider("ws://test/ws/pad/x", doc, { canEdit, WebSocket: FakeSocket, window: null });
  const statuses = [];
  provider.on("status", (status) => statuses.push(status));
  return { doc, statuses, socket: FakeSocket.all.at(-1) };
}

afterEach(() => {
  provider?.destroy();
  provider = null;
  FakeSocket.all = [];
});

test("the pad says saved only when the server has confirmed every update sent", () => {
  const { doc, statuses, socket } = open();
  assert.equal(provider.status, "offline");
  socket.open();
  assert.equal(provider.status, "connecting");
  assert.equal(socket.syncs[0].sub, STEP1);
  serverSyncs(socket, new Y.Doc());
  assert.equal(provider.status, "saved");

  const before = statuses.length;
  doc.getText("t").insert(0, "Bonjour");
  doc.getText("t").insert(7, " !");
  assert.deepEqual(
    socket.syncs.slice(1).map((m) => m.sub),
    [UPDATE, UPDATE],
  );
  assert.equal(provider.status, "saving");
  assert.equal(provider.unsaved, true);
  socket.receive(savedMessage(1));
  assert.equal(provider.status, "saving");
  socket.receive(savedMessage(2));
  assert.equal(provider.status, "saved");
  assert.equal(provider.unsaved, false);
  // Every status told between the first change and the last confirmation was "saving".
  assert.deepEqual(new Set(statuses.slice(before, -1)), new Set(["saving"]));
  assert.equal(statuses.at(-1), "saved");
});

test("after a cut, what was not confirmed goes again and the pad says saving until it is", () => {
  const { doc, socket } = open();
  const serverDoc = new Y.Doc();
  socket.open();
  serverSyncs(socket, serverDoc);
  doc.getText("t").insert(0, "sent, lost");
  socket.serverCloses(1006);
  assert.equal(provider.status, "offline");
  assert.equal(provider.unsaved, true);

  doc.getText("t").insert(0, "offline, ");
  assert.equal(provider.status, "offline");
  provider.reconnectNow();
  const again = FakeSocket.all.at(-1);
  assert.notEqual(again, socket);
  again.open();
  serverSyncs(again, serverDoc);
  assert.equal(provider.status, "saving");
  // The server's step 1 had nothing of ours: the client's step 2 carries both changes.
  serverApplies(again, serverDoc);
  assert.equal(serverDoc.getText("t").toString(), "offline, sent, lost");
  again.receive(savedMessage(1));
  assert.equal(provider.status, "saved");
});

test("a change made before the page connects is sent at the first connection", () => {
  const { doc, socket } = open();
  doc.getText("t").insert(0, "early");
  assert.equal(socket.messages.length, 0);
  socket.open();
  const serverDoc = new Y.Doc();
  serverSyncs(socket, serverDoc);
  assert.equal(provider.status, "saving");
  serverApplies(socket, serverDoc);
  assert.equal(serverDoc.getText("t").toString(), "early");
  socket.receive(savedMessage(1));
  assert.equal(provider.status, "saved");
});

test("a refused connection is final: no more attempts", () => {
  const { socket } = open();
  socket.open();
  socket.serverCloses(4403);
  assert.equal(provider.status, "refused");
  provider.reconnectNow();
  assert.equal(FakeSocket.all.length, 1);
});

test("a reader sends no change and is read only once synced", () => {
  const { doc, socket } = open({ canEdit: false });
  socket.open();
  const serverDoc = new Y.Doc();
  serverDoc.getText("t").insert(0, "from the server");
  serverSyncs(socket, serverDoc);
  assert.equal(provider.status, "readonly");
  assert.equal(doc.getText("t").toString(), "from the server");
  doc.getText("t").insert(0, "local ");
  assert.deepEqual(
    socket.syncs.map((m) => m.sub),
    [STEP1],
  );
  assert.equal(provider.unsaved, false);
});
