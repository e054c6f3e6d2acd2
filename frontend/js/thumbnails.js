// Phase 4's thumbnails: a poster per catalog entry and a sprite sheet for seek-bar previews, made by the server
// from the .y4m proxies (GET /thumbs/{id}/poster.jpg | sprite.jpg | index.json). The page reads index.json
// (the same tiles as thumbnails.vtt, without a WebVTT parser) and positions the sprite with background-position.
// Only the phase 4 server has /thumbs/, so the page asks server-features.js (one GET /metrics per page) instead of
// letting every catalog entry fail with a 404 on phase 2 and 3.

import { serverHas } from './server-features.js';

const thumbsPath = id => `/thumbs/${encodeURIComponent(id)}`;

/** The metric the frame-processing feature registers; /thumbs/ is installed with it (FrameProcessing.install). */
const PROBE_METRIC = 'streamlab_processed_';

/** Whether this server makes thumbnails (its /metrics, read once per page for every feature). */
export function thumbnailsAvailable() {
  return serverHas(PROBE_METRIC);
}

/**
 * Whether the server can make thumbnails now: the probe, then one HEAD of `id`'s index.json (the server makes the
 * sheet and poster for it). A phase 4 server without ffmpeg answers 503 once here instead of once per poster.
 */
export async function thumbnailsWork(id) {
  if (!(await thumbnailsAvailable())) return false;
  try {
    return (await fetch(`${thumbsPath(id)}/index.json`, { method: 'HEAD' })).ok;
  } catch {
    return false;
  }
}

export function posterUrl(id) {
  return `${thumbsPath(id)}/poster.jpg`;
}

/**
 * The video's sprite sheet, from index.json: { url, tileWidth, tileHeight, columns, rows,
 * tiles: [{start, end, x, y}] },
 * or null when the server has none for it (no ffmpeg: 503; an unparsable video: 422). Never throws.
 */
export async function loadSheet(id, { signal } = {}) {
  if (!(await thumbnailsAvailable())) return null;
  try {
    const res = await fetch(`${thumbsPath(id)}/index.json`, { signal });
    if (!res.ok) { res.body?.cancel(); return null; } // 503 without ffmpeg: the message is for the server's log
    const index = await res.json();
    const tiles = Array.isArray(index.tiles) ? index.tiles : [];
    if (!tiles.length || !(index.tileWidth > 0) || !(index.tileHeight > 0)) return null;
    return {
      url: `${thumbsPath(id)}/${index.sprite || 'sprite.jpg'}`,
      tileWidth: index.tileWidth,
      tileHeight: index.tileHeight,
      columns: index.columns > 0 ? index.columns : tiles.length,
      rows: Math.ceil(tiles.length / (index.columns > 0 ? index.columns : tiles.length)),
      tiles,
    };
  } catch {
    return null;
  }
}

/** The tile showing time `t`: the last one starting at or before it (the first for t < 0). */
export function tileAt(sheet, t) {
  const tiles = sheet.tiles;
  let lo = 0, hi = tiles.length - 1;
  while (lo < hi) { // binary search: the tiles are sorted by start
    const mid = (lo + hi + 1) >> 1;
    if (tiles[mid].start <= t) lo = mid; else hi = mid - 1;
  }
  return tiles[lo];
}
