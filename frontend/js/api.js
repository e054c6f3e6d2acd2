// The phase 2 server's JSON API, in one place. Paths are relative to the page's origin: the same server
// serves this page, the API and the videos, so no CORS is involved.

/** An HTTP or network failure with a message a student can act on. */
export class ApiError extends Error {
  constructor(message, status = 0) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
  }
}

async function getJson(path, { signal } = {}) {
  let res;
  try {
    res = await fetch(path, { signal, headers: { Accept: 'application/json' }, cache: 'no-store' });
  } catch (e) {
    if (e.name === 'AbortError') throw e;
    throw new ApiError(`GET ${path}: the server did not answer (${e.message}). Is ./lab run still running?`);
  }
  if (!res.ok) throw new ApiError(`GET ${path}: HTTP ${res.status} ${res.statusText}`.trim(), res.status);
  try {
    return await res.json();
  } catch (e) {
    throw new ApiError(`GET ${path}: the answer is not JSON (${e.message})`, res.status);
  }
}

const videoPath = id => `/api/videos/${encodeURIComponent(id)}`;

/** GET /api/videos → the catalog entries (an entry that failed to parse has `error` instead of media fields). */
export async function listVideos(opts) {
  const body = await getJson('/api/videos', opts);
  if (!body || !Array.isArray(body.videos)) throw new ApiError('GET /api/videos: no "videos" array in the answer');
  return body.videos;
}

/** GET /api/videos/{id}/boxes → { id, boxes: [...], keyframes: [the first 1,000], keyframes_total, warnings: [...] }. */
export function getBoxes(id, opts) {
  return getJson(`${videoPath(id)}/boxes`, opts);
}

/** GET /api/stats → the server's byte-provenance counters. */
export function getServerStats(opts) {
  return getJson('/api/stats', opts);
}

/** Where the MP4 itself is served (with Range support). The catalog says so; the fallback is the documented path. */
export function mediaUrl(entry) {
  return entry.url || `/videos/${encodeURIComponent(entry.id)}`;
}

const QOE_PATH = '/api/qoe';

/** POST /api/qoe while the page lives. Resolves to true on a 2xx answer, false otherwise (QoE must never break playback). */
export async function postQoe(report) {
  try {
    const res = await fetch(QOE_PATH, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify(report),
      keepalive: true, // lets a report sent while the tab closes still leave
    });
    return res.ok;
  } catch {
    return false;
  }
}

/**
 * The same report through navigator.sendBeacon, for pagehide: the browser queues it and sends it even after the
 * page is gone. A Blob carries the content type (a plain string would go out as text/plain).
 */
export function beaconQoe(report) {
  if (!navigator.sendBeacon) return false;
  const blob = new Blob([JSON.stringify(report)], { type: 'application/json' });
  return navigator.sendBeacon(QOE_PATH, blob);
}
