// Debug hooks: `window.streamlab.debug` in DevTools, and the handle robustness tests use to break the player on
// purpose and watch it recover.
//
// The page keeps a list of the SourceBuffers it creates (addSourceBuffer is wrapped once, at load), because a
// <video> playing a MediaSource exposes neither the MediaSource nor its buffers: with the list, a student can look
// at each track's own `buffered` ranges, and a test can damage them.

const created = []; // { ms, sb, mime } in creation order

if (typeof MediaSource !== 'undefined' && !MediaSource.prototype.addSourceBuffer.streamlabTracked) {
  const original = MediaSource.prototype.addSourceBuffer;
  const tracked = function addSourceBuffer(mime) {
    const sb = original.call(this, mime);
    created.push({ ms: this, sb, mime });
    if (created.length > 16) created.shift(); // old players' buffers: keep the list bounded
    return sb;
  };
  tracked.streamlabTracked = true;
  MediaSource.prototype.addSourceBuffer = tracked;
}

/** The SourceBuffers still attached to an open MediaSource (the current player's). */
function liveBuffers() {
  return created.filter(({ ms, sb }) => ms.readyState === 'open' && Array.from(ms.sourceBuffers).includes(sb));
}

function rangesOf(b) {
  const out = [];
  for (let i = 0; i < b.length; i++) out.push([Math.round(b.start(i) * 1000) / 1000, Math.round(b.end(i) * 1000) / 1000]);
  return out;
}

const idle = sb => (sb.updating ? new Promise(r => sb.addEventListener('updateend', r, { once: true })) : Promise.resolve());

/**
 * Damages every SourceBuffer the way a client bug would: the parser is reset mid-append (abort(): the segment
 * being appended is lost) and the append window closes 0.5 s after the playhead, so every segment appended from
 * now on is silently discarded. What is buffered stays; the mode's queue does not know and keeps appending what
 * the server sends, into nothing. Without a repair playback stops where the old buffer ends.
 * Resolves to { at, window_end, buffered_end, buffers }.
 */
async function closeAppendWindow(video, afterS) {
  const at = video.currentTime;
  const windowEnd = at + afterS;
  const touched = [];
  for (const { sb, mime } of liveBuffers()) {
    try {
      if (sb.updating) sb.abort();
      await idle(sb);
      sb.appendWindowEnd = windowEnd;
      touched.push({ mime, buffered: rangesOf(sb.buffered) });
    } catch (e) {
      touched.push({ mime, error: String(e && e.message || e) });
    }
  }
  const b = video.buffered;
  return { at, window_end: windowEnd, buffered_end: b.length ? b.end(b.length - 1) : 0, buffers: touched };
}

/** The `debug` member of window.streamlab; `getMode()` returns the attached mode, `video` the element. */
export function debugHooks(video, getMode) {
  return Object.freeze({
    /** [{ mime, buffered: [[start, end], …] }] for the current player's SourceBuffers (MSE modes only). */
    sourceBuffers() {
      return liveBuffers().map(({ sb, mime }) => ({ mime, updating: sb.updating, buffered: rangesOf(sb.buffered) }));
    },
    /**
     * Damages the client's buffer: the mode's own `debug.corrupt()` if it has one, else every SourceBuffer's
     * parser is reset and its append window closed (see closeAppendWindow). Resolves to what was done.
     */
    async corrupt(options = {}) {
      const mode = getMode();
      if (mode.debug && typeof mode.debug.corrupt === 'function') return mode.debug.corrupt(options);
      if (!liveBuffers().length) throw new Error(`mode ${mode.id} plays without MediaSource: nothing to corrupt`);
      return closeAppendWindow(video, Number.isFinite(options.after) ? options.after : 0.5);
    },
    /** Asks the mode to resynchronise with the server (ws: the protocol's `resync`). False when it cannot. */
    resync() {
      const mode = getMode();
      if (typeof mode.resync !== 'function') return false;
      mode.resync();
      return true;
    },
  });
}
