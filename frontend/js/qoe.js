// Quality of Experience: what the viewer actually lived through, measured from <video> events, and reported
// to the server (POST /api/qoe) so phase 4's dashboard can aggregate it.
//
// Definitions (the ones streaming services use, simplified):
// - startup_ms: from the request to play (a click, or load with ?autoplay=1) to the first `playing` event.
// - a stall: `waiting` after playback has started, not caused by a seek, until `playing` again
//   (also ended by pause or seek, so a viewer's pause is not counted as waiting for the network).
// - watch_s: wall-clock time the frames were moving.
// Every report carries the whole view so far (cumulative numbers, same session id), so the server keeps
// the latest report per session; a lost or duplicated report does no harm.

import { postQoe, beaconQoe } from './api.js';

const PERIOD_MS = 5000; // how often a report leaves while playing

/** Page-wide send status, for the stats panel and window.streamlab. */
const transport = { lastSentAt: null, sent: 0, failed: 0, lastOk: null };
export function qoeTransport() {
  return { ...transport };
}

function randomId() {
  if (crypto.randomUUID) return crypto.randomUUID(); // secure contexts only (127.0.0.1 and localhost are)
  const b = crypto.getRandomValues(new Uint8Array(16));
  return Array.from(b, x => x.toString(16).padStart(2, '0')).join('');
}

/** MediaError → "MEDIA_ERR_DECODE: message" (the code's name says more than its number). */
export function mediaErrorText(error) {
  if (!error) return 'unknown media error';
  const names = { 1: 'MEDIA_ERR_ABORTED', 2: 'MEDIA_ERR_NETWORK', 3: 'MEDIA_ERR_DECODE', 4: 'MEDIA_ERR_SRC_NOT_SUPPORTED' };
  const name = names[error.code] || `media error ${error.code}`;
  const text = error.message ? `${name}: ${error.message}` : name;
  // Chromium says "Format error" for an HTTP error status too, so name both causes.
  return error.code === 4 ? `${text} (the request failed, e.g. 404, or the format cannot be played)` : text;
}

/**
 * Watches one view of one video. `bytesLoaded()` comes from the playback mode (only the mode knows how the bytes
 * travel). `intentAt` (performance.now()) is when the viewer asked to play, if that happened before attach.
 * Returns { markIntent(), report(), beacon(), end() }.
 */
export function watchQoe(video, entry, { bytesLoaded, intentAt = null, onChange = () => {} }) {
  const session = randomId();
  const now = () => performance.now();

  let intent = intentAt;       // when play was requested
  let startupMs = null;        // set once, at the first `playing`
  let playingSince = null;     // frames moving since …
  let watchMs = 0;
  let stalls = 0;
  let stallMs = 0;
  let stallSince = null;
  let seeks = 0;
  let error = null;
  let periodic = null;
  let pendingSend = null;
  let ended = false;
  let lastBeacon = -Infinity;

  // Decoded/dropped counters belong to the element's player; subtract what was there when this view began.
  const quality = () => {
    if (video.getVideoPlaybackQuality) {
      const q = video.getVideoPlaybackQuality();
      return { decoded: q.totalVideoFrames, dropped: q.droppedVideoFrames };
    }
    return { decoded: video.webkitDecodedFrameCount || 0, dropped: video.webkitDroppedFrameCount || 0 };
  };
  let base = quality();
  const frames = () => {
    const q = quality();
    if (q.decoded < base.decoded) base = { decoded: 0, dropped: 0 }; // the element reset its counters
    return { decoded: q.decoded - base.decoded, dropped: Math.max(0, q.dropped - base.dropped) };
  };

  const stopWatching = () => {
    if (playingSince != null) watchMs += now() - playingSince;
    playingSince = null;
  };
  const endStall = () => {
    if (stallSince != null) stallMs += now() - stallSince;
    stallSince = null;
  };

  const markIntent = (at = now()) => {
    if (intent == null) intent = at;
  };

  const report = () => {
    const f = frames();
    const t = now();
    return {
      video: entry.id,
      session,
      startup_ms: startupMs == null ? null : Math.round(startupMs),
      stalls,
      stall_ms: Math.round(stallMs + (stallSince != null ? t - stallSince : 0)),
      dropped_frames: f.dropped,
      decoded_frames: f.decoded,
      bytes_loaded: bytesLoaded().bytes,
      seeks,
      watch_s: Math.round(watchMs + (playingSince != null ? t - playingSince : 0)) / 1000,
      error,
    };
  };

  // Nothing to report for a video that was only selected, never played and never failed.
  const worthSending = () => intent != null || error != null;

  const send = async () => {
    if (!worthSending()) return;
    const ok = await postQoe(report());
    if (ok) { transport.lastSentAt = Date.now(); transport.sent++; } else { transport.failed++; }
    transport.lastOk = ok;
    onChange();
  };
  // pause and ended arrive together at the end of a video: one report for both.
  const sendSoon = () => {
    clearTimeout(pendingSend);
    pendingSend = setTimeout(send, 50);
  };

  const handlers = {
    play: () => markIntent(),
    playing: () => {
      const t = now();
      if (startupMs == null && intent != null) startupMs = t - intent;
      endStall();
      playingSince = t;
      if (!periodic) periodic = setInterval(() => { if (!video.paused) send(); }, PERIOD_MS);
    },
    waiting: () => {
      stopWatching();
      // Before the first frame this is startup; during a seek it is the seek's cost. Neither is a stall.
      if (startupMs != null && !video.seeking && stallSince == null) {
        stalls++;
        stallSince = now();
      }
    },
    seeking: () => { seeks++; endStall(); },
    pause: () => { stopWatching(); endStall(); sendSoon(); },
    ended: () => { stopWatching(); endStall(); sendSoon(); },
    error: () => {
      error = mediaErrorText(video.error);
      stopWatching();
      endStall();
      sendSoon();
    },
  };
  for (const [type, fn] of Object.entries(handlers)) video.addEventListener(type, fn);
  const onAny = () => onChange();
  for (const type of Object.keys(handlers)) video.addEventListener(type, onAny);

  return {
    session,
    markIntent,
    /** Has the viewer asked to play yet (the startup clock is running or done)? */
    requested: () => intent != null,
    report,
    /** For pagehide/visibility hidden: a fetch might be cancelled with the page, a beacon is not. */
    beacon() {
      // Leaving fires both visibilitychange and pagehide: one beacon is enough.
      if (ended || !worthSending() || now() - lastBeacon < 1000) return;
      lastBeacon = now();
      if (beaconQoe(report())) { transport.lastSentAt = Date.now(); transport.sent++; transport.lastOk = true; }
    },
    /** Stops watching (another video was selected): sends the final numbers first. */
    end() {
      if (ended) return;
      stopWatching();
      endStall();
      clearTimeout(pendingSend);
      clearInterval(periodic);
      send();
      ended = true;
      for (const [type, fn] of Object.entries(handlers)) video.removeEventListener(type, fn);
      for (const type of Object.keys(handlers)) video.removeEventListener(type, onAny);
    },
  };
}
