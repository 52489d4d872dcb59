// A Yjs client outside a browser, as an integration would write one: Node, the y-websocket
// provider and the `ws` package (no Origin header). It opens a pad, adds a paragraph, waits
// until the server says it is saved (Cartable's message 100), and exits.
//
//   node yjs_client.mjs <ws://host:port> <padID> <text> [<Cookie header>]
//
// Exit codes: 0 saved, 2 refused or closed, 3 nothing saved in time.
import * as Y from "yjs";
import * as decoding from "lib0/decoding";
import { WebsocketProvider } from "y-websocket";
import WebSocket from "ws";

const MESSAGE_SAVED = 100;
const [base, padId, text, cookie] = process.argv.slice(2);

let changes = 0; // sync step 2 and update messages sent: the server acknowledges each

// An integration's credentials for a group pad: the Etherpad session it created (createSession).
class CookieSocket extends WebSocket {
  constructor(url, protocols) {
    super(url, protocols, cookie ? { headers: { Cookie: cookie } } : {});
  }

  send(data, ...rest) {
    const bytes = new Uint8Array(data);
    if (bytes[0] === 0 && bytes[1] !== 0) changes += 1;
    return super.send(data, ...rest);
  }
}

const doc = new Y.Doc();
const provider = new WebsocketProvider(`${base}/ws/pad`, padId, doc, {
  WebSocketPolyfill: CookieSocket,
  disableBc: true,
});
let sent = false;
// Cartable's own message types are the provider's extension point: 100 counts what is durable.
provider.messageHandlers[MESSAGE_SAVED] = (_encoder, decoder) => {
  if (sent && decoding.readVarUint(decoder) >= changes) {
    console.log("saved");
    process.exit(0);
  }
};
for (const kind of [101, 102]) provider.messageHandlers[kind] = () => {};

const refused = (why) => {
  console.log(`refused: ${why}`);
  process.exit(2);
};
provider.on("connection-close", (event) => refused(event ? event.code : "closed"));
provider.on("connection-error", () => refused("error"));
provider.on("sync", (synced) => {
  if (!synced || sent) return;
  const paragraph = new Y.XmlElement("paragraph");
  paragraph.insert(0, [new Y.XmlText(text)]);
  const fragment = doc.getXmlFragment("default");
  fragment.insert(fragment.length, [paragraph]);
  sent = true;
});
setTimeout(() => {
  console.log("nothing saved in time");
  process.exit(3);
}, 20000);
