// Phase 3's playback mode: the server pushes fMP4 segments over one WebSocket (/ws/stream) and this mode feeds
// them to Media Source Extensions. The protocol is phase3-websocket/PROTOCOL.md; in short:
//
//   → hello {codecs}   the RFC 6381 codecs MediaSource.isTypeSupported() accepts (the server offers only those)
//   → open {video}     ← meta {duration, tracks: [{track, codec, mime}], timeline}, then init and media segments
//   → play / pause     the server paces between watermarks (meta low_s, high_s) while playing, nothing paused
//   → seek {t}         ← seeked {t, timeline}: everything of the old timeline is stale, SourceBuffers are reset
//   → stats {buffered_s, t, rx_bps, dropped, stalls} every second, so the server's clock and its bitrate choice
//                      follow this player (dropped frames and stalls: running totals, counted at /metrics)
//   → quality {rung}   pin a rung of meta's `rungs` (or "auto"); ← rung {rung, auto, t, reason} when a switch
//                      takes effect: the new rung's video init segment follows, then its media (changeType if
//                      the codec string differs)
//   ← skip {from, t}   the server fell behind real time and dropped whole GOPs: jump the playhead to t
//
// Each binary message is a 24-byte header (magic "SL", version, track, kind, flags, rung, sequence, timeline,
// decode and presentation ms) followed by the segment, appended without a copy (a Uint8Array view past the header).
//
// The mode is offered only when the server has /ws/stream: phase 2 has not. The probe reads GET /metrics once
// (both servers answer it, so a phase 2 page logs no failed request) and looks for streamlab_ws_stream_sessions,
// which the endpoint registers when it is installed.

import { HEADER, MAGIC, KEEP_BEHIND_S, supportedCodecs, endpointAvailable, wsUrl, bufferedAhead, fatalErrorText,
  playbackTotals, requeueOnQuota } from './mse.js';

const PATH = '/ws/stream';
const STATS_MS = 1000;
const BACK_TO_BACK = 2;   // header flags bit 1: sent right after the previous binary message (no pacing pause)
const RX_WINDOW_MS = 5000; // rx_bps: back-to-back arrivals of the last 5 s (the last estimate holds between bursts)

/** True when the page's server has /ws/stream (see the note above); asked once per page. */
export const streamEndpointAvailable = () => endpointAvailable('streamlab_ws_stream_sessions');

let current = null; // the session while attached

function start(video, entry, { onError = () => {} } = {}) {
  const s = {
    video, entry, onError, ms: new MediaSource(), url: null, ws: null,
    tracks: new Map(),    // 'video' | 'audio' → { sb, queue: [{data} | {remove: [start, end]}] }
    timeline: 0,          // the timeline whose segments are appended; others are stale
    seeksPending: 0,      // seeks sent, seeked not yet received: every segment until then is stale
    ended: false,
    bytes: 0, messages: 0, segments: 0, errors: [],
    rungs: [], rung: 0, abr: 'auto', lowS: 0, highS: 0, switches: [], // the ladder (meta) and the switches seen
    stalls: 0, skips: 0, skipTo: -1, internalSeeks: 0, played: false,
    gapJumps: 0, resyncs: 0, resyncAt: 0, escalations: 0,          // resync(): see below
    quotaErrors: 0,                                                   // QuotaExceededError from appendBuffer
    arrivals: [], lastArrival: -1, rxBps: null,                       // rx_bps: see measure()
    chain: Promise.resolve(), timer: 0, outbox: [], off: [],
  };
  s.url = URL.createObjectURL(s.ms);
  video.src = s.url;
  const sourceOpen = new Promise(resolve => s.ms.addEventListener('sourceopen', resolve, { once: true }));

  const ws = new WebSocket(wsUrl(PATH));
  ws.binaryType = 'arraybuffer';
  s.ws = ws;
  s.send = msg => {
    if (ws.readyState === WebSocket.OPEN) ws.send(JSON.stringify(msg));
    else if (ws.readyState === WebSocket.CONNECTING) s.outbox.push(msg);
  };
  ws.addEventListener('open', () => {
    ws.send(JSON.stringify({ type: 'hello', codecs: supportedCodecs(entry) }));
    ws.send(JSON.stringify({ type: 'open', video: entry.id }));
    for (const m of s.outbox.splice(0)) ws.send(JSON.stringify(m));
  });
  ws.addEventListener('message', e => {
    if (typeof e.data !== 'string') measure(s, e.data);
    s.messages++;
    s.bytes += typeof e.data === 'string' ? new TextEncoder().encode(e.data).length : e.data.byteLength;
    // One at a time, in order: meta must have created the SourceBuffers before the first segment arrives.
    s.chain = s.chain.then(() => current === s && handle(s, e.data, sourceOpen)).catch(err => fail(s, err));
  });
  ws.addEventListener('close', e => {
    if (current !== s || e.code === 1000) return;
    const text = `The stream closed: ${e.code} ${e.reason}`.trim();
    fail(s, new Error(text));
    s.onError(text); // nothing more will come: the viewer should know
  });

  const on = (type, fn) => { video.addEventListener(type, fn); s.off.push(() => video.removeEventListener(type, fn)); };
  on('play', () => s.send({ type: 'play' }));
  on('pause', () => { if (!video.ended) s.send({ type: 'pause' }); });
  on('playing', () => { s.played = true; });
  on('waiting', () => {
    if (s.played && !video.seeking) s.stalls++; // a stall: playing, then out of data
    jumpSkipped(s);
  });
  on('seeking', () => {
    if (s.internalSeeks > 0) { // our own jump over a skipped span: the server already streams from there
      s.internalSeeks--;
      return;
    }
    s.seeksPending++;
    s.send({ type: 'seek', t: video.currentTime });
  });
  s.timer = setInterval(() => tick(s), STATS_MS);
  return s;
}

async function handle(s, data, sourceOpen) {
  if (typeof data === 'string') {
    const msg = JSON.parse(data);
    if (msg.type === 'meta') {
      await sourceOpen;
      s.ms.duration = msg.duration;
      s.rungs = msg.rungs || [];
      s.rung = msg.rung || 0;
      s.abr = msg.abr || 'auto';
      s.lowS = msg.low_s || 0;
      s.highS = msg.high_s || 0;
      for (const t of msg.tracks) {
        if (s.tracks.has(t.track)) continue;
        const track = { sb: s.ms.addSourceBuffer(t.mime), queue: [], mime: t.mime };
        track.sb.addEventListener('updateend', () => pump(s, track));
        track.sb.addEventListener('error', () => s.errors.push(`SourceBuffer ${t.track}: append failed`));
        s.tracks.set(t.track, track);
      }
      s.timeline = msg.timeline;
    } else if (msg.type === 'seeked') {
      s.seeksPending = Math.max(0, s.seeksPending - 1);
      s.timeline = msg.timeline;
      s.ended = false;
      for (const track of s.tracks.values()) {
        track.queue = [{ remove: [0, Infinity] }]; // drop what is queued and buffered: a fresh timeline
        if (track.sb.updating) {
          try { track.sb.abort(); } catch { /* a remove is running: it ends on its own */ }
        }
        pump(s, track);
      }
    } else if (msg.type === 'rung') {
      s.switches.push({ rung: msg.rung, auto: msg.auto, t: msg.t, reason: msg.reason });
      if (s.switches.length > 20) s.switches.shift();
    } else if (msg.type === 'skip') {
      s.skips++;
      s.skipTo = msg.t;
      jumpSkipped(s);
    } else if (msg.type === 'ended') {
      s.ended = true;
      maybeEnd(s);
    } else if (msg.type === 'error') {
      s.errors.push(`${msg.code}: ${msg.message}`);
      console.warn(`/ws/stream: ${msg.code}: ${msg.message}`);
      const fatal = fatalErrorText(msg); // e.g. unsupported_codecs: the server's message names the codec
      if (fatal) s.onError(fatal);
    }
    return;
  }
  const view = new DataView(data);
  if (data.byteLength < HEADER || view.getUint16(0) !== MAGIC || view.getUint8(2) !== 1) {
    s.errors.push('a binary message without the protocol header');
    return;
  }
  if (s.seeksPending > 0 || view.getUint32(12) !== s.timeline) return; // stale: from before a seek
  const track = s.tracks.get(view.getUint8(3) === 0 ? 'video' : 'audio');
  if (!track) return;
  s.segments++;
  if (view.getUint8(4) === 0 && view.getUint8(3) === 0) { // a video init segment: maybe another rung
    const r = view.getUint16(6);
    const mime = s.rungs[r] && s.rungs[r].mime;
    // A new init alone handles a new resolution; a different codec string (profile, level, codec) needs
    // changeType first (MSE "codec switching"), queued so it runs between appends.
    if (mime && mime !== track.mime) track.queue.push({ changeType: mime });
    s.rung = r;
  }
  track.queue.push({ data: new Uint8Array(data, HEADER) }); // a view past the header: no copy
  pump(s, track);
}

/** Starts the next queued operation on a SourceBuffer that is idle; updateend calls it again. */
function pump(s, track) {
  if (current !== s || track.sb.updating) return;
  const op = track.queue.shift();
  if (!op) {
    maybeEnd(s);
    return;
  }
  try {
    if (op.reset) {
      // resync: back to this protocol's settings (the source's own timeline: offset 0, no append window)
      track.sb.timestampOffset = 0;
      track.sb.appendWindowStart = 0;
      track.sb.appendWindowEnd = Infinity;
      pump(s, track);
    } else if (op.changeType) {
      track.sb.changeType(op.changeType);
      track.mime = op.changeType;
      pump(s, track);
    } else if (op.remove) {
      const b = track.sb.buffered;
      if (b.length && op.remove[1] > op.remove[0]) track.sb.remove(op.remove[0], op.remove[1]);
      else pump(s, track);
    } else {
      track.sb.appendBuffer(op.data);
    }
  } catch (e) {
    if (requeueOnQuota(s, track.queue, op, e)) setTimeout(() => pump(s, track), 0); // trimming (tick) should prevent it
    else fail(s, e);
  }
}

function maybeEnd(s) {
  if (!s.ended || s.ms.readyState !== 'open') return;
  for (const t of s.tracks.values()) if (t.sb.updating || t.queue.length) return;
  s.ms.endOfStream();
}

/**
 * rx_bps: the server flags every binary message it wrote right after the previous one (no pacing pause between),
 * so the gap between their arrivals is the time the path took to carry the later one. Over the last 5 s of such
 * arrivals: bytes / gaps. Between bursts (the server idles between the watermarks) the last estimate holds, so a
 * paced stream does not look slow.
 */
function measure(s, data) {
  const now = performance.now();
  if (data.byteLength >= HEADER && (new DataView(data).getUint8(5) & BACK_TO_BACK) && s.lastArrival >= 0) {
    s.arrivals.push({ at: now, bytes: data.byteLength, gap: now - s.lastArrival });
  }
  s.lastArrival = now;
  while (s.arrivals.length && s.arrivals[0].at < now - RX_WINDOW_MS) s.arrivals.shift();
  let bytes = 0;
  let ms = 0;
  for (const a of s.arrivals) { bytes += a.bytes; ms += a.gap; }
  if (bytes >= 16384 && ms >= 1) s.rxBps = Math.min(1e9, Math.round(bytes * 8 / (ms / 1000)));
}

/** After a server skip: jump the playhead over the gap once the data after it is buffered. */
function jumpSkipped(s) {
  const v = s.video;
  if (s.skipTo < 0 || v.currentTime >= s.skipTo) return;
  const b = v.buffered;
  for (let i = 0; i < b.length; i++) {
    if (b.start(i) <= s.skipTo + 0.1 && s.skipTo < b.end(i)) {
      s.internalSeeks++;
      v.currentTime = Math.max(s.skipTo, b.start(i));
      s.skipTo = -1;
      return;
    }
  }
}

const starved = v => !v.paused && !v.seeking && !v.ended && v.readyState < HTMLMediaElement.HAVE_FUTURE_DATA
  && bufferedAhead(v) < 0.1;

/**
 * Starved at a hole of our own (segments lost to a reset parser or a damaged SourceBuffer) with data buffered
 * within 10 s after it: jump there without a `seek`, the server's stream is fine.
 */
function jumpGap(s) {
  const v = s.video;
  if (!starved(v)) return;
  const b = v.buffered;
  for (let i = 0; i < b.length; i++) {
    if (b.start(i) > v.currentTime && b.start(i) - v.currentTime < 10) {
      s.gapJumps++;
      s.internalSeeks++;
      v.currentTime = b.start(i) + 0.01;
      return;
    }
  }
}

/**
 * The protocol's `resync` for a client whose SourceBuffers lost their state (parser reset, append window or
 * offset changed): first, once each SourceBuffer is idle, restore its settings (queued segments stay valid);
 * then ask for fresh init segments and the next keyframe. Segments lost meanwhile leave a hole jumpGap jumps.
 */
function resync(s) {
  for (const track of s.tracks.values()) {
    track.queue.unshift({ reset: true });
    pump(s, track);
  }
  s.resyncs++;
  s.resyncAt = performance.now();
  s.send({ type: 'resync' });
}

/**
 * A resync that did not help: 3 s later still starved with nothing to jump to. `resync` continues after what
 * the server sent, so media the client lost is not sent again (and a server pacing on watermarks believes the
 * client still holds it): ask for it again with a seek to the playhead (a fresh timeline).
 */
function escalate(s) {
  if (!s.resyncAt || performance.now() - s.resyncAt < 3000) return;
  const v = s.video;
  if (starved(v)) {
    s.resyncAt = 0;
    s.escalations++;
    v.currentTime = v.currentTime; // the element's own seek: `seeking` sends seek {t}
  } else if (performance.now() - s.resyncAt > 15000) {
    s.resyncAt = 0;
  }
}

/** Every second: report the buffer (the server paces on it) and trim what was played long ago. */
function tick(s) {
  const v = s.video;
  jumpSkipped(s);
  jumpGap(s);
  escalate(s);
  const stats = { type: 'stats', buffered_s: Math.round(bufferedAhead(v) * 1000) / 1000, t: v.currentTime,
    ...playbackTotals(v, s.stalls) };
  if (s.rxBps !== null) stats.rx_bps = s.rxBps;
  s.send(stats);
  for (const track of s.tracks.values()) {
    const b = track.sb.buffered;
    if (b.length && v.currentTime - b.start(0) > KEEP_BEHIND_S + 5 && !track.queue.some(op => op.remove)) {
      track.queue.push({ remove: [0, v.currentTime - KEEP_BEHIND_S] });
      pump(s, track);
    }
  }
}

function fail(s, e) {
  if (current !== s) return;
  s.errors.push(String(e && e.message || e));
  console.warn('/ws/stream:', e);
}

export const websocket = {
  id: 'ws',
  label: 'WebSocket VOD (MSE)',
  description: 'The server pushes fMP4 segments over one WebSocket, paced between buffer watermarks, switching bitrate rungs as throughput allows; Media Source Extensions play them.',

  /** hooks.onError(text): called when the server says this video will not play (shown to the viewer). */
  attach(video, entry, hooks) {
    this.detach();
    current = start(video, entry, hooks);
  },

  detach() {
    if (!current) return;
    const s = current;
    current = null;
    clearInterval(s.timer);
    s.off.forEach(f => f());
    if (s.ws.readyState <= WebSocket.OPEN) s.ws.close(1000, 'detached');
    s.video.removeAttribute('src');
    s.video.load();
    URL.revokeObjectURL(s.url);
  },

  /** Pins a rung (an index into stats().rungs) or, with 'auto', lets the server choose again. */
  setQuality(rungOrAuto) {
    const s = current;
    if (!s) return;
    const rung = rungOrAuto === 'auto' ? 'auto' : Number(rungOrAuto);
    if (rung !== 'auto' && !(Number.isInteger(rung) && rung >= 0 && rung < s.rungs.length)) {
      throw new RangeError(`no rung ${rungOrAuto}: 0..${s.rungs.length - 1} or 'auto'`);
    }
    s.abr = rung === 'auto' ? 'auto' : 'manual';
    s.send({ type: 'quality', rung });
  },

  /** Repairs the SourceBuffers and asks the server for fresh init segments (protocol `resync`); see resync(). */
  resync() {
    if (current) resync(current);
  },

  /** This mode's view of the stream, merged into the player's stats (window.streamlab.stats()). */
  stats() {
    const s = current;
    if (!s) return {};
    return {
      rung: s.rung, rungs: s.rungs.map(r => ({ ...r })), abr: s.abr,
      buffered_s: Math.round(bufferedAhead(s.video) * 1000) / 1000, low_s: s.lowS, high_s: s.highS,
      stalls: s.stalls, skips: s.skips, timeline: s.timeline, rx_bps: s.rxBps, switches: [...s.switches],
      gap_jumps: s.gapJumps, resyncs: s.resyncs, resync_escalations: s.escalations,
      keep_behind_s: KEEP_BEHIND_S, quota_errors: s.quotaErrors,
    };
  },

  /** { bytes, requests, approx, statuses } as for every mode (requests = messages), plus this mode's own. */
  bytesLoaded() {
    const s = current;
    if (!s) return { bytes: 0, requests: 0, approx: false, statuses: {} };
    return {
      bytes: s.bytes, requests: s.messages, approx: false, statuses: {},
      segments: s.segments, timeline: s.timeline, errors: [...s.errors],
    };
  },
};
