// What the two WebSocket + Media Source Extensions modes share (websocket.js: VOD on /ws/stream; live.js: a live
// channel on /ws/live/{channel}): the binary message header, the codec question the server's `hello` needs, the
// endpoint probe, and buffer arithmetic. Protocol: phase3-websocket/PROTOCOL.md.

import { serverHas } from '../server-features.js';

/** Every binary message starts with this 24-byte header (magic "SL", version 1, ...); the segment follows. */
export const HEADER = 24;
export const MAGIC = 0x534c; // "SL"
/**
 * Played data kept behind currentTime; older is removed (once it is 5 s more than this), so a long session never
 * hits QuotaExceededError. 30 s by default; `?keep=<seconds>` (at least 1) sets it for the page, so a test or a
 * student sees the trimming on a 30 s sample: `/?v=…&mode=ws&keep=5`.
 */
export const KEEP_BEHIND_S = keepBehind(typeof location === 'undefined' ? '' : location.search);

function keepBehind(search) {
  const raw = new URLSearchParams(search).get('keep');
  if (raw === null) return 30;
  const s = Number(raw);
  if (Number.isFinite(s) && s >= 1) return s;
  console.warn(`?keep=${raw}: seconds >= 1 expected; keeping the default 30 s`);
  return 30;
}

/**
 * Server `error` codes after which nothing will play (the rest refuse one message and the stream goes on): the
 * player shows these to the viewer, with the server's own message (which names the codec, the video ...).
 */
const FATAL_ERRORS = new Set(['unsupported_codecs', 'no_such_video', 'cannot_stream']);

/** The text to show the viewer for a server `error` message, or null when the stream goes on regardless. */
export function fatalErrorText(msg) {
  return FATAL_ERRORS.has(msg.code) ? `The server cannot stream this (${msg.code}): ${msg.message}` : null;
}

// Codec strings asked about besides the entry's own (catalog `codecs`): what this project's samples use.
// The H.264 levels 1.3-5.1 are asked about too: the rungs of a ladder differ in level (240p is 2.1, 720p 3.1),
// and the server offers only the rungs whose codec string is in the hello.
const AVC_LEVELS = ['0d', '15', '16', '1e', '1f', '20', '28', '29', '2a', '32', '33'];
const COMMON_CODECS = [...['42e0', '4d40', '6400'].flatMap(p => AVC_LEVELS.map(l => `avc1.${p}${l}`)),
  'mp4a.40.2', 'mp4a.40.5', 'vp09.00.10.08', 'av01.0.04M.08', 'opus', 'hev1.1.6.L93.B0', 'hvc1.1.6.L93.B0'];

/** The codecs this browser's MSE can decode, among the entry's and the common ones (the `hello` message). */
export function supportedCodecs(entry) {
  const all = new Set([...(entry.codecs || []), ...COMMON_CODECS]);
  return [...all].filter(c => MediaSource.isTypeSupported(`video/mp4; codecs="${c}"`)
    || MediaSource.isTypeSupported(`audio/mp4; codecs="${c}"`));
}

/** True when MSE and WebSocket exist here and the page's server has the endpoint that registers `metricName`. */
export async function endpointAvailable(metricName) {
  if (typeof MediaSource === 'undefined' || typeof WebSocket === 'undefined') return false;
  return serverHas(metricName);
}

/** ws:// or wss:// for a path on the page's own server. */
export function wsUrl(path) {
  return `${location.protocol === 'https:' ? 'wss:' : 'ws:'}//${location.host}${path}`;
}

/**
 * The running totals a `stats` report carries: frames the element dropped since its source was set
 * (getVideoPlaybackQuality) and the mode's stall count. The server adds up each report's increase at /metrics.
 */
export function playbackTotals(video, stalls) {
  const q = video.getVideoPlaybackQuality ? video.getVideoPlaybackQuality() : null;
  return { dropped: q ? q.droppedVideoFrames : 0, stalls };
}

/**
 * appendBuffer threw `e` for `op`. A first QuotaExceededError (the SourceBuffer is full) puts `op` back at the head
 * of `queue` behind a removal of everything played but the last 5 s, and returns true: pump the queue again. Anything
 * else, or a second one for the same append, returns false: the stream has failed. Counted in `s.quotaErrors`, which
 * trimming behind the playhead should keep at 0.
 */
export function requeueOnQuota(s, queue, op, e) {
  if (e.name !== 'QuotaExceededError') return false;
  s.quotaErrors++;
  if (op.retried) return false;
  op.retried = true;
  queue.unshift({ remove: [0, Math.max(0, s.video.currentTime - 5)] }, op);
  return true;
}

/** Seconds buffered ahead of the playhead, in the range that contains it (0 when it is in a gap). */
export function bufferedAhead(video) {
  const b = video.buffered;
  for (let i = 0; i < b.length; i++) {
    if (b.start(i) <= video.currentTime + 0.1 && video.currentTime < b.end(i)) return b.end(i) - video.currentTime;
  }
  return 0;
}
