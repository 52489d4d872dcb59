// Load generator for bench/pad_load.py: real Yjs clients (yjs + y-protocols + ws) over websockets.
//
// One Node process holds every simulated editor, each with its own Y.Doc, doing the y-websocket
// sync handshake. Run it through bench/pad_load.py, which starts the servers and pins this
// process to its own core. Modes (--mode):
//
//   load  N editors type one character a second each, at uniformly spread random times, into
//         the pad's XmlFragment("default") (a ProseMirror document of paragraphs). A keystroke is
//         identified by its Yjs id (client id, clock): an observer that receives an update reads
//         the clocks it carries (Y.parseUpdateMeta) and so knows which keystrokes arrived. Only
//         --observers clients decode what they receive (and apply it with --apply); the others
//         skip the bytes of every frame after their sync handshake (answering pings), so that
//         the load generator does O(N) work per broadcast, not O(N²) Yjs decoding.
//   idle  K pads opened with one client each: the server's resident memory before and after.
//   open  time from websocket connect to sync step 2 received, for one pad (cold, warm, hot).
//
// Prints one JSON object on stdout.

import { readFileSync } from 'node:fs'
import { monitorEventLoopDelay, performance } from 'node:perf_hooks'
import { parseArgs } from 'node:util'
import * as decoding from 'lib0/decoding'
import * as encoding from 'lib0/encoding'
import WebSocket from 'ws'
import * as syncProtocol from 'y-protocols/sync'
import * as Y from 'yjs'

const { values: opts } = parseArgs({
  options: {
    mode: { type: 'string', default: 'load' },
    url: { type: 'string' }, // ws://127.0.0.1:PORT/ws/pad/
    pad: { type: 'string', default: 'bench' },
    pid: { type: 'string' }, // the server's process id, for CPU and memory
    'clk-tck': { type: 'string', default: '100' },
    editors: { type: 'string', default: '50' },
    observers: { type: 'string', default: '20' },
    warm: { type: 'string', default: '20' },
    measure: { type: 'string', default: '30' },
    'lost-after': { type: 'string', default: '5' },
    'connect-concurrency': { type: 'string', default: '16' },
    'ramp-timeout': { type: 'string', default: '180' },
    layout: { type: 'string', default: 'own' }, // own: a paragraph per editor; shared: one paragraph
    deflate: { type: 'boolean', default: false },
    apply: { type: 'boolean', default: false },
    pads: { type: 'string', default: '200' },
    repeat: { type: 'string', default: '5' },
    'seed-file': { type: 'string' }
  }
})

const SERVER_PID = opts.pid ? Number(opts.pid) : null
const CLK_TCK = Number(opts['clk-tck'])
const REMOTE = Symbol('remote')
const APPLY = opts.apply
const LETTERS = 'abcdefghijklmnopqrstuvwxyz'
const sleep = ms => new Promise(resolve => setTimeout(resolve, ms))

// --- The server process, from /proc --------------------------------------------------------

function serverCpuSeconds () {
  if (!SERVER_PID) return null
  const stat = readFileSync(`/proc/${SERVER_PID}/stat`, 'utf8')
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
  return (Number(fields[11]) + Number(fields[12])) / CLK_TCK // utime + stime
}

function serverRssMiB () {
  if (!SERVER_PID) return null
  const status = readFileSync(`/proc/${SERVER_PID}/status`, 'utf8')
  return Number(/VmRSS:\s+(\d+)/.exec(status)[1]) / 1024
}

// --- One simulated editor -----------------------------------------------------------------

const byClientId = new Map() // Yjs client id → Client (the senders)

class Client {
  constructor (index, url, { observer = true, deflate = false } = {}) {
    this.index = index
    this.url = url
    this.observer = observer
    this.deflate = deflate
    this.doc = new Y.Doc()
    this.fragment = this.doc.getXmlFragment('default')
    this.text = null
    this.ws = null
    this.synced = false
    this.closed = false
    this.step2Bytes = 0
    // Keystrokes: the clock after each one, its send time, and (over all observers) how many
    // received it within the loss limit and the slowest of them.
    this.endClocks = []
    this.sendTimes = []
    this.okCount = []
    this.maxLatency = []
    this.typed = 0
    this.timer = null
    // Receiving: observers decode; the others count frames and bytes.
    this.next = null // per sender index: the first keystroke of that sender not yet seen
    this.messages = 0
    this.frames = 0
    this.bytes = 0
    this.pending = null
    this.skip = 0
    this.dropping = false
    byClientId.set(this.doc.clientID, this)
    this.doc.on('update', (update, origin) => {
      if (origin === REMOTE || !this.ws || this.ws.readyState !== WebSocket.OPEN) return
      const encoder = encoding.createEncoder()
      encoding.writeVarUint(encoder, 0)
      syncProtocol.writeUpdate(encoder, update)
      this.ws.send(encoding.toUint8Array(encoder))
    })
  }

  /** Connects and resolves once sync step 2 is received (with the time it took, in ms). */
  connect (timeoutMs = 30000) {
    return new Promise((resolve, reject) => {
      const start = performance.now()
      let opened = start
      const origin = this.url.replace(/^ws/, 'http').replace(/(\/\/[^/]+).*$/, '$1')
      const ws = new WebSocket(this.url, { origin, perMessageDeflate: this.deflate })
      ws.binaryType = 'nodebuffer'
      this.ws = ws
      const timer = setTimeout(() => {
        ws.terminate()
        reject(new Error('sync timeout'))
      }, timeoutMs)
      ws.on('open', () => {
        opened = performance.now()
        const encoder = encoding.createEncoder()
        encoding.writeVarUint(encoder, 0)
        syncProtocol.writeSyncStep1(encoder, this.doc)
        ws.send(encoding.toUint8Array(encoder))
      })
      ws.on('message', data => {
        const now = performance.now()
        this.messages++
        const synced = this.receive(data, now)
        if (synced && !this.synced) {
          this.synced = true
          clearTimeout(timer)
          resolve({ total: now - start, afterOpen: now - opened, bytes: this.step2Bytes })
        }
      })
      ws.on('error', err => {
        clearTimeout(timer)
        reject(err)
      })
      ws.on('close', (code, reason) => {
        this.closed = true
        this.closeCode = `${code} ${reason}`.trim()
        clearTimeout(timer)
        this.stopTyping()
        reject(new Error('closed'))
      })
    })
  }

  /** One message from the server; returns true for sync step 2. */
  receive (data, now) {
    const decoder = decoding.createDecoder(data)
    if (decoding.readVarUint(decoder) !== 0) return false // awareness, saved (100), chat…
    const subType = decoding.readVarUint(decoder)
    if (subType === 0) {
      const encoder = encoding.createEncoder()
      encoding.writeVarUint(encoder, 0)
      syncProtocol.writeSyncStep2(encoder, this.doc, decoding.readVarUint8Array(decoder))
      this.ws.send(encoding.toUint8Array(encoder))
      return false
    }
    const update = decoding.readVarUint8Array(decoder)
    if (subType === 1) this.step2Bytes = update.length
    if (this.next !== null) this.track(update, now)
    // Observers read which keystrokes an update carries; applying it too (--apply) costs the
    // load generator O(clients in the document) per update (Yjs computes state vectors).
    if (subType === 1 || APPLY) Y.applyUpdate(this.doc, update, REMOTE)
    return subType === 1
  }

  /** Which keystrokes of the other editors this update completes. */
  track (update, now) {
    for (const [client, to] of Y.parseUpdateMeta(update).to) {
      const sender = byClientId.get(client)
      if (sender === undefined || sender === this) continue
      const ends = sender.endClocks
      let k = this.next[sender.index]
      while (k < ends.length && ends[k] <= to) {
        recordDelivery(sender, k, now)
        k++
      }
      this.next[sender.index] = k
    }
  }

  /**
   * Stops decoding: from now on, read frames and drop them (pings are still answered). Takes
   * the socket from ws's receiver, only between two frames; returns false if not now.
   */
  dropIncoming () {
    const ws = this.ws
    const socket = ws._socket
    const receiver = ws._receiver
    if (
      !socket ||
      !receiver ||
      receiver._state !== 0 ||
      receiver._bufferedBytes !== 0 ||
      receiver._fragmented !== 0 ||
      receiver._writableState.length !== 0
    ) {
      return false
    }
    socket.removeAllListeners('data')
    socket.on('data', chunk => this.scan(chunk))
    socket.resume()
    this.dropping = true
    return true
  }

  scan (chunk) {
    this.bytes += chunk.length
    let pos = 0
    if (this.skip > 0) {
      const n = Math.min(this.skip, chunk.length)
      this.skip -= n
      pos = n
      if (pos === chunk.length) return
    }
    let buf = chunk
    if (this.pending !== null) {
      buf = Buffer.concat([this.pending, chunk.subarray(pos)])
      this.pending = null
      pos = 0
    }
    while (buf.length - pos >= 2) {
      const opcode = buf[pos] & 0x0f
      let length = buf[pos + 1] & 0x7f
      let header = 2
      if (length === 126) {
        if (buf.length - pos < 4) break
        length = buf.readUInt16BE(pos + 2)
        header = 4
      } else if (length === 127) {
        if (buf.length - pos < 10) break
        length = Number(buf.readBigUInt64BE(pos + 2))
        header = 10
      }
      const available = buf.length - pos - header
      if (opcode >= 8) {
        // Control frames are short: wait for the whole of it.
        if (available < length) break
        const payload = Buffer.from(buf.subarray(pos + header, pos + header + length))
        if (opcode === 9) this.ws.pong(payload)
        else if (opcode === 8) this.ws.terminate()
        pos += header + length
        this.frames++
        continue
      }
      this.frames++
      if (available >= length) {
        pos += header + length
      } else {
        this.skip = length - Math.max(available, 0)
        pos = buf.length
      }
    }
    if (pos < buf.length) this.pending = Buffer.from(buf.subarray(pos))
  }

  /** The paragraph this editor types into. */
  makeParagraph (layout) {
    if (layout === 'shared' && this.fragment.length > 0) {
      this.text = this.fragment.get(0).get(0)
      return
    }
    const paragraph = new Y.XmlElement('paragraph')
    const text = new Y.XmlText()
    paragraph.insert(0, [text])
    this.doc.transact(() => this.fragment.insert(this.fragment.length, [paragraph]))
    this.text = text
  }

  startTyping (layout) {
    this.layout = layout
    this.attrs = { author: { id: `a.bench${this.index}` } }
    this.nextAt = performance.now() + Math.random() * 1000
    this.timer = setTimeout(() => this.tick(), this.nextAt - performance.now())
  }

  stopTyping () {
    if (this.timer) clearTimeout(this.timer)
    this.timer = null
  }

  tick () {
    if (this.closed || this.timer === null) return
    this.type()
    this.nextAt += 1000
    this.timer = setTimeout(() => this.tick(), Math.max(0, this.nextAt - performance.now()))
  }

  type () {
    const text = this.text
    const position = this.layout === 'shared' ? Math.floor(Math.random() * (text.length + 1)) : text.length
    const sent = performance.now()
    text.insert(position, LETTERS[this.typed % 26], this.attrs) // its update is sent at once
    this.typed++
    this.sendTimes.push(sent)
    this.endClocks.push(Y.getState(this.doc.store, this.doc.clientID))
    this.okCount.push(0)
    this.maxLatency.push(0)
  }

  close () {
    this.stopTyping()
    this.closed = true
    if (this.ws) this.ws.terminate()
  }
}

// --- Latency records ------------------------------------------------------------------------

let windowStart = Infinity
let windowEnd = Infinity
let lostAfterMs = 5000
let deliveries = [] // latencies (ms) of keystrokes sent in the window, at each observer

function recordDelivery (sender, k, now) {
  const sent = sender.sendTimes[k]
  if (sent < windowStart || sent >= windowEnd) return
  const latency = now - sent
  deliveries.push(latency)
  if (latency <= lostAfterMs) {
    sender.okCount[k]++
    if (latency > sender.maxLatency[k]) sender.maxLatency[k] = latency
  }
}

/** Percentiles of `values` out of `total` samples; the missing ones count as infinite. */
function percentiles (values, total) {
  values.sort((a, b) => a - b)
  const at = p => {
    if (total === 0) return null
    const i = Math.max(0, Math.ceil((p / 100) * total) - 1)
    return i < values.length ? Math.round(values[i] * 1000) / 1000 : null
  }
  return { p50: at(50), p95: at(95), p99: at(99), max: values.length ? values[values.length - 1] : null }
}

async function connectAll (clients, concurrency, deadline, onSynced) {
  let nextIndex = 0
  let failures = 0
  const worker = async () => {
    while (nextIndex < clients.length && performance.now() < deadline) {
      const client = clients[nextIndex++]
      try {
        await client.connect(Math.max(1000, deadline - performance.now()))
        await onSynced(client)
      } catch (err) {
        failures++
        if (failures <= 3) process.stderr.write(`client ${client.index}: ${err.message}\n`)
      }
    }
  }
  await Promise.all(Array.from({ length: concurrency }, worker))
  return failures
}

// --- Modes ----------------------------------------------------------------------------------

async function runLoad () {
  const editors = Number(opts.editors)
  const observerCount = Math.min(Number(opts.observers), editors)
  const layout = opts.layout
  lostAfterMs = Number(opts['lost-after']) * 1000
  const url = opts.url + opts.pad
  const every = editors / observerCount
  const observerIndexes = new Set(Array.from({ length: observerCount }, (_, i) => Math.floor(i * every)))
  const clients = Array.from(
    { length: editors },
    (_, i) => new Client(i, url, { observer: observerIndexes.has(i), deflate: opts.deflate })
  )
  const observers = clients.filter(c => c.observer)
  for (const c of observers) c.next = new Int32Array(editors)

  const onSynced = async client => {
    client.makeParagraph(layout)
    client.startTyping(layout)
    if (!client.observer) {
      // Switch between two frames; try again after the next frames until it works.
      const attempt = () => {
        if (client.closed || client.dropIncoming()) return
        client.ws.once('message', () => setImmediate(attempt))
      }
      setImmediate(attempt)
    }
  }

  const rampStart = performance.now()
  const deadline = rampStart + Number(opts['ramp-timeout']) * 1000
  let failures = 0
  if (layout === 'shared') {
    // The first editor creates the shared paragraph before the others arrive.
    failures += await connectAll(clients.slice(0, 1), 1, deadline, onSynced)
    await sleep(500)
    failures += await connectAll(clients.slice(1), Number(opts['connect-concurrency']), deadline, onSynced)
  } else {
    failures += await connectAll(clients, Number(opts['connect-concurrency']), deadline, onSynced)
  }
  const rampSeconds = (performance.now() - rampStart) / 1000
  process.stderr.write(`  ${editors} editors connected in ${rampSeconds.toFixed(1)} s (${failures} failed)\n`)

  await sleep(Number(opts.warm) * 1000)

  const loop = monitorEventLoopDelay({ resolution: 10 })
  loop.enable()
  const rssSamples = []
  const cpu0 = serverCpuSeconds()
  const own0 = process.cpuUsage()
  const load0 = readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).map(Number)
  windowStart = performance.now()
  windowEnd = windowStart + Number(opts.measure) * 1000
  const counters0 = counters(clients)
  const sampler = setInterval(() => rssSamples.push(serverRssMiB()), 1000)
  await sleep(windowEnd - performance.now())
  const cpu1 = serverCpuSeconds()
  const own1 = process.cpuUsage(own0)
  const wall = (performance.now() - windowStart) / 1000
  clearInterval(sampler)
  loop.disable()
  const rss = serverRssMiB()
  const counters1 = counters(clients)
  // Keep typing while the last keystrokes of the window may still arrive.
  await sleep(lostAfterMs + 500)
  for (const c of clients) c.stopTyping()
  await sleep(200)

  let keystrokes = 0
  let lostKeystrokes = 0
  let expected = 0
  let arrived = 0
  const slowest = []
  for (const sender of clients) {
    const watchers = observers.length - (sender.observer ? 1 : 0)
    for (let k = 0; k < sender.sendTimes.length; k++) {
      const sent = sender.sendTimes[k]
      if (sent < windowStart || sent >= windowEnd) continue
      keystrokes++
      expected += watchers
      arrived += sender.okCount[k]
      if (sender.okCount[k] < watchers) lostKeystrokes++
      else slowest.push(sender.maxLatency[k])
    }
  }
  const inTime = deliveries.filter(d => d <= lostAfterMs)
  const result = {
    mode: 'load',
    editors,
    observers: observers.length,
    layout,
    deflate: opts.deflate,
    observers_apply: APPLY,
    connect_failures: failures,
    disconnected: clients.filter(c => c.closed).length,
    close_codes: clients.filter(c => c.closed).map(c => c.closeCode),
    dropping: clients.filter(c => c.dropping).length,
    ramp_s: round(rampSeconds, 2),
    measure_s: round(wall, 2),
    keystrokes,
    keystrokes_per_s: round(keystrokes / wall, 1),
    deliveries_expected: expected,
    deliveries_lost: expected - arrived,
    keystrokes_lost: lostKeystrokes,
    latency_ms: percentiles(inTime, expected),
    latency_all_observers_ms: percentiles(slowest, keystrokes),
    server_cpu_pct: cpu0 === null ? null : round((100 * (cpu1 - cpu0)) / wall, 1),
    server_cpu_us_per_keystroke: cpu0 === null || !keystrokes ? null : round((1e6 * (cpu1 - cpu0)) / keystrokes, 1),
    server_rss_mib: rss === null ? null : round(rss, 1),
    server_rss_peak_mib: rssSamples.length ? round(Math.max(...rssSamples, rss), 1) : null,
    loadgen_cpu_pct: round((100 * (own1.user + own1.system)) / 1e6 / wall, 1),
    loadgen_loop_delay_p99_ms: round(loop.percentile(99) / 1e6, 2),
    loadgen_loop_delay_max_ms: round(loop.max / 1e6, 2),
    observer_messages_per_s: round((counters1.messages - counters0.messages) / wall, 0),
    dropped_frames_per_s: round((counters1.frames - counters0.frames) / wall, 0),
    dropped_mib_per_s: round((counters1.bytes - counters0.bytes) / wall / 1048576, 2),
    loadavg_at_start: load0
  }
  for (const c of clients) c.close()
  return result
}

function counters (clients) {
  const total = { messages: 0, frames: 0, bytes: 0 }
  for (const c of clients) {
    total.messages += c.messages
    total.frames += c.frames
    total.bytes += c.bytes
  }
  return total
}

function round (x, digits) {
  const f = 10 ** digits
  return Math.round(x * f) / f
}

async function runIdle () {
  const count = Number(opts.pads)
  const warmup = new Client(-1, `${opts.url}${opts.pad}warm`)
  await warmup.connect()
  warmup.makeParagraph('own')
  warmup.text.insert(0, 'Warm-up pad.')
  await sleep(2000)
  const before = serverRssMiB()
  const clients = Array.from({ length: count }, (_, i) => new Client(i, `${opts.url}${opts.pad}${i}`))
  const start = performance.now()
  const failures = await connectAll(clients, 8, start + 300000, async client => {
    client.makeParagraph('own')
    client.text.insert(0, `Idle pad number ${client.index}: a short line of text.`)
  })
  const seconds = (performance.now() - start) / 1000
  await sleep(3000)
  const after = serverRssMiB()
  for (const c of [warmup, ...clients]) c.close()
  return {
    mode: 'idle',
    pads: count,
    connect_failures: failures,
    open_s: round(seconds, 2),
    rss_before_mib: round(before, 1),
    rss_after_mib: round(after, 1),
    kib_per_pad: round(((after - before) * 1024) / (count - failures), 1)
  }
}

async function runOpen () {
  const url = opts.url + opts.pad
  const repeat = Number(opts.repeat)
  const timeout = 120000
  const result = { mode: 'open', pad: opts.pad }
  const join = async () => {
    const client = new Client(0, url)
    const timing = await client.connect(timeout)
    result.step2_bytes = timing.bytes
    result.text_length = client.fragment.toString().length
    return { client, ms: round(timing.total, 2) }
  }
  if (opts['seed-file']) {
    // A server without storage: a first client brings the document, then others join it.
    const holder = new Client(0, url)
    await holder.connect(timeout)
    Y.applyUpdate(holder.doc, readFileSync(opts['seed-file'])) // sent to the server as an update
    await sleep(3000)
    result.hot_ms = []
    for (let i = 0; i < repeat; i++) {
      const { client, ms } = await join()
      result.hot_ms.push(ms)
      client.close()
      await sleep(200)
    }
    holder.close()
    return result
  }
  const cold = await join()
  result.cold_ms = cold.ms
  cold.client.close()
  result.warm_ms = []
  for (let i = 0; i < repeat; i++) {
    await sleep(1500) // the room is closed once its last client has left
    const { client, ms } = await join()
    result.warm_ms.push(ms)
    client.close()
  }
  await sleep(1500)
  const holder = await join()
  result.hot_ms = []
  for (let i = 0; i < repeat; i++) {
    const { client, ms } = await join()
    result.hot_ms.push(ms)
    client.close()
    await sleep(200)
  }
  holder.client.close()
  return result
}

const modes = { load: runLoad, idle: runIdle, open: runOpen }
if (!modes[opts.mode] || !opts.url) {
  process.stderr.write('usage: run it through bench/pad_load.py\n')
  process.exit(2)
}
modes[opts.mode]()
  .then(result => {
    process.stdout.write(JSON.stringify(result) + '\n')
    process.exit(0)
  })
  .catch(err => {
    process.stderr.write(`${err.stack || err}\n`)
    process.exit(1)
  })
