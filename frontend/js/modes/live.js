// Phase 3's live mode: the server loops a catalog video as a live channel (/ws/live/{channel}) and pushes its
// fMP4 chunks over one WebSocket; this mode plays them with Media Source Extensions near the live edge.
// Protocol: phase3-websocket/PROTOCOL.md, "Live channel". In short:
//
//   → hello {codecs}        ← meta {live: true, channel, mimes, gop_s, chunk_s, timeline}, the init segment, then
//                             the cached chunks from the newest keyframe, then each new chunk as it is produced
//   ← edge {t} every second  the live edge on the channel's timeline: latency = edge + time since − currentTime
//   → stats {buffered_s, t, dropped, stalls} every second (the server knows each viewer's lag; totals at /metrics)
//   → resync                ← joined {t, timeline}: init + newest keyframe onwards on a fresh timeline
//
// Drift: a target latency of about 1.5 chunks + 0.75 s. Above target + 1 s the video plays at 1.08× until it is
// back under target + 0.25 s; above target + 6 s (a tab in the background, a long stall) it jumps to edge − target.
// Below target − 0.5 s (a join at a keyframe only a chunk old) it plays at 0.95× until the buffer has grown.
// A gap in what is buffered (the server skipped this viewer to a newer keyframe) is jumped over.

import { HEADER, MAGIC, KEEP_BEHIND_S, supportedCodecs, endpointAvailable, wsUrl, bufferedAhead, fatalErrorText,
  playbackTotals, requeueOnQuota } from './mse.js';

const PREFIX = '/ws/live/';
const TICK_MS = 250;
const STATS_MS = 1000;
const CATCH_UP_RATE = 1.08;
const FALL_BACK_RATE = 0.95;
const JUMP_ABOVE_S = 6;

/** True when the page's server has /ws/live (its metrics name the live viewers gauge); asked once per page. */
export const liveEndpointAvailable = () => endpointAvailable('streamlab_live_viewers');

let current = null;

function start(video, entry, { onError = () => {} } = {}) {
  const s = {
    video, entry, onError, ms: new MediaSource(), url: null, ws: null, sb: null, queue: [],
    timeline: 0, chunk: 0.5, target: 1.5, edge: NaN, edgeAt: 0,
    lastDecodeMs: null, needStart: true, started: false,
    bytes: 0, messages: 0, segments: 0, skips: 0, stalls: 0, jumps: 0, errors: [], quotaErrors: 0,
    chain: Promise.resolve(), timers: [], off: [],
  };
  s.url = URL.createObjectURL(s.ms);
  video.src = s.url;
  const sourceOpen = new Promise(resolve => s.ms.addEventListener('sourceopen', resolve, { once: true }));

  const ws = new WebSocket(wsUrl(PREFIX + encodeURIComponent(entry.id)));
  ws.binaryType = 'arraybuffer';
  s.ws = ws;
  s.send = msg => { if (ws.readyState === WebSocket.OPEN) ws.send(JSON.stringify(msg)); };
  ws.addEventListener('open', () => ws.send(JSON.stringify({ type: 'hello', codecs: supportedCodecs(entry) })));
  ws.addEventListener('message', e => {
    s.messages++;
    s.bytes += typeof e.data === 'string' ? e.data.length : e.data.byteLength;
    s.chain = s.chain.then(() => current === s && handle(s, e.data, sourceOpen)).catch(err => fail(s, err));
  });
  ws.addEventListener('close', e => {
    if (current !== s || e.code === 1000) return;
    const text = `The live channel closed: ${e.code} ${e.reason}`.trim();
    fail(s, new Error(text));
    s.onError(text);
  });
  const on = (type, fn) => { video.addEventListener(type, fn); s.off.push(() => video.removeEventListener(type, fn)); };
  // A stall: the playhead ran out of data while playing (not the wait that follows one of our own jumps).
  on('waiting', () => { if (s.started && !video.seeking) s.stalls++; });
  on('playing', () => { s.started = true; });
  s.timers.push(setInterval(() => correct(s), TICK_MS), setInterval(() => report(s), STATS_MS));
  return s;
}

async function handle(s, data, sourceOpen) {
  if (typeof data === 'string') {
    const msg = JSON.parse(data);
    if (msg.type === 'meta') {
      await sourceOpen;
      s.ms.duration = Infinity; // live: no end (else the init segment's mehd would make it the loop's length)
      s.chunk = msg.chunk_s || 0.5;
      s.target = Math.max(1, 1.5 * s.chunk + 0.75);
      if (!s.sb) {
        s.sb = s.ms.addSourceBuffer(msg.mimes[0]);
        s.sb.addEventListener('updateend', () => pump(s));
        s.sb.addEventListener('error', () => s.errors.push('SourceBuffer: append failed'));
      }
      s.timeline = msg.timeline;
    } else if (msg.type === 'edge') {
      s.edge = msg.t;
      s.edgeAt = performance.now();
    } else if (msg.type === 'joined') {
      s.timeline = msg.timeline;
      s.lastDecodeMs = null;
      s.needStart = true;
      s.queue = [{ remove: [0, Infinity] }]; // a fresh timeline: what is buffered is stale
      if (s.sb && s.sb.updating) {
        try { s.sb.abort(); } catch { /* a remove is running: it ends on its own */ }
      }
      pump(s);
    } else if (msg.type === 'error') {
      s.errors.push(`${msg.code}: ${msg.message}`);
      console.warn(`${PREFIX}: ${msg.code}: ${msg.message}`);
      const fatal = fatalErrorText(msg);
      if (fatal) s.onError(fatal);
    }
    return;
  }
  const view = new DataView(data);
  if (data.byteLength < HEADER || view.getUint16(0) !== MAGIC || view.getUint8(2) !== 1) {
    s.errors.push('a binary message without the protocol header');
    return;
  }
  if (view.getUint32(12) !== s.timeline || !s.sb) return; // stale: from before a resync
  if (view.getUint8(4) === 1) { // media: a jump in decode times means the server skipped us ahead
    const decodeMs = view.getInt32(16);
    if (s.lastDecodeMs !== null && decodeMs - s.lastDecodeMs > 1500 * s.chunk) s.skips++;
    s.lastDecodeMs = decodeMs;
    s.segments++;
  }
  s.queue.push({ data: new Uint8Array(data, HEADER) }); // a view past the header: no copy
  pump(s);
}

function pump(s) {
  if (current !== s || !s.sb || s.sb.updating) return;
  const op = s.queue.shift();
  if (!op) return;
  try {
    if (op.remove) {
      if (s.sb.buffered.length && op.remove[1] > op.remove[0]) s.sb.remove(op.remove[0], op.remove[1]);
      else pump(s);
    } else {
      s.sb.appendBuffer(op.data);
    }
  } catch (e) {
    if (requeueOnQuota(s, s.queue, op, e)) setTimeout(() => pump(s), 0); // trimming (report) should prevent it
    else fail(s, e);
  }
}

/** Seconds behind the live edge: the edge now (its last report plus the time since) minus the playhead. */
function latency(s) {
  if (Number.isNaN(s.edge)) return NaN;
  return s.edge + (performance.now() - s.edgeAt) / 1000 - s.video.currentTime;
}

/** Four times a second: start at the first buffered frame, hop gaps, and steer the latency toward the target. */
function correct(s) {
  const v = s.video;
  const b = v.buffered;
  if (!b.length) return;
  if (s.needStart) { // a live stream starts wherever the channel is: put the playhead on the first frame
    if (s.queue.some(op => op.remove)) return; // a resync's old timeline is still being removed
    s.needStart = false;
    v.currentTime = b.start(b.length - 1);
    return;
  }
  // A gap (the server skipped us to a newer keyframe, or a resync): jump to the next buffered range.
  for (let i = 0; i < b.length; i++) {
    if (v.currentTime < b.start(i) - 0.05 && (i === 0 || v.currentTime >= b.end(i - 1) - 0.3)) {
      v.currentTime = b.start(i);
      s.jumps++;
      return;
    }
  }
  const l = latency(s);
  if (Number.isNaN(l) || v.paused) return;
  const end = b.end(b.length - 1);
  if (l > s.target + JUMP_ABOVE_S) {
    v.currentTime = Math.max(b.start(b.length - 1), Math.min(end - 0.1, v.currentTime + l - s.target));
    s.jumps++;
    v.playbackRate = 1;
  } else if (l > s.target + 1) {
    v.playbackRate = CATCH_UP_RATE;
  } else if (l < s.target - 0.5) {
    // Too close to the edge (joined at a keyframe only a chunk old): the buffer would run dry at every chunk.
    v.playbackRate = FALL_BACK_RATE;
  } else if ((v.playbackRate > 1 && l < s.target + 0.25) || (v.playbackRate < 1 && l > s.target - 0.1)) {
    v.playbackRate = 1;
  }
}

/** Every second: tell the server where the playhead is, and trim what was played long ago. */
function report(s) {
  const v = s.video;
  s.send({ type: 'stats', buffered_s: Math.round(bufferedAhead(v) * 1000) / 1000, t: v.currentTime,
    ...playbackTotals(v, s.stalls) });
  if (s.sb) {
    const b = s.sb.buffered;
    if (b.length && v.currentTime - b.start(0) > KEEP_BEHIND_S + 5 && !s.queue.some(op => op.remove)) {
      s.queue.push({ remove: [0, v.currentTime - KEEP_BEHIND_S] });
      pump(s);
    }
  }
}

function fail(s, e) {
  if (current !== s) return;
  s.errors.push(String(e && e.message || e));
  console.warn(PREFIX, e);
}

const round = x => Math.round(x * 1000) / 1000;

export const live = {
  id: 'live',
  live: true,
  label: 'Live channel (WebSocket, MSE)',
  description: 'The server loops the video as a live channel; everyone watching sees the same moment, about 1.5 s behind the live edge.',

  /** hooks.onError(text): called when the server says this channel will not play (shown to the viewer). */
  attach(video, entry, hooks) {
    this.detach();
    current = start(video, entry, hooks);
  },

  detach() {
    if (!current) return;
    const s = current;
    current = null;
    s.timers.forEach(clearInterval);
    s.off.forEach(f => f());
    if (s.ws.readyState <= WebSocket.OPEN) s.ws.close(1000, 'detached');
    s.video.playbackRate = 1;
    s.video.removeAttribute('src');
    s.video.load();
    URL.revokeObjectURL(s.url);
  },

  bytesLoaded() {
    const s = current;
    if (!s) return { bytes: 0, requests: 0, approx: false, statuses: {} };
    return {
      bytes: s.bytes, requests: s.messages, approx: true, statuses: {},
      segments: s.segments, timeline: s.timeline, errors: [...s.errors],
    };
  },

  /** The live numbers the stats panel shows. */
  stats() {
    const s = current;
    if (!s) return { latency_s: NaN, edge_s: NaN, buffered_s: 0, skips: 0, stalls: 0, timeline: 0, rung: 0 };
    const edgeNow = Number.isNaN(s.edge) ? NaN : s.edge + (performance.now() - s.edgeAt) / 1000;
    return {
      latency_s: round(latency(s)), edge_s: round(edgeNow), buffered_s: round(bufferedAhead(s.video)),
      target_s: s.target, playback_rate: s.video.playbackRate, skips: s.skips, stalls: s.stalls, jumps: s.jumps,
      timeline: s.timeline, rung: 0, keep_behind_s: KEEP_BEHIND_S, quota_errors: s.quotaErrors,
    };
  },

  /** Asks the server for the newest keyframe on a fresh timeline (the player's "go live" button). */
  resync() {
    if (current) current.send({ type: 'resync' });
  },
};
