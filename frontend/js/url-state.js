// The player's addressable state: which video (or live channel) in which playback mode, as a shareable URL.
//
//   /?v=<id>&mode=progressive|ws     a video on demand in that mode
//   /?channel=<id>&mode=live         a live channel (a catalog id) in a live mode (the mode has `live: true`)
//   /?autoplay=1&…                   starts muted as soon as the page has selected it
//   /#v=<id>&mode=ws                 phase 2's form: still read, then rewritten to the query form
//
// The query string, not the hash, because the server sees it (logs, a future server-rendered link preview) and
// because `v` and `channel` name different things. Other parameters (autoplay, debug) are kept as they are.

/** { id, mode, key } from the page's URL: key is 'v' or 'channel' (whichever named the id), or null. */
export function readUrl(loc = location) {
  const query = new URLSearchParams(loc.search);
  const hash = new URLSearchParams(loc.hash.slice(1));
  // The hash first: it is either an old #v= link or an edit in the address bar, both newer than the query.
  for (const params of [hash, query]) {
    for (const key of ['v', 'channel']) {
      const id = params.get(key);
      if (id) return { id, mode: params.get('mode') || query.get('mode') || hash.get('mode'), key };
    }
  }
  return { id: null, mode: query.get('mode') || hash.get('mode'), key: null };
}

/** The URL (path + query, no hash) for `id` in `mode`: `channel=` for a live mode, `v=` otherwise. */
export function urlFor(id, mode, loc = location) {
  const params = new URLSearchParams(loc.search);
  params.delete('v');
  params.delete('channel');
  params.delete('mode');
  const key = mode && mode.live ? 'channel' : 'v';
  const ours = new URLSearchParams();
  if (id) ours.set(key, id);
  if (mode) ours.set('mode', mode.id);
  const rest = params.toString();
  const all = [ours.toString(), rest].filter(Boolean).join('&');
  return `${loc.pathname}${all ? `?${all}` : ''}`;
}

/**
 * Writes the state into the address bar. `push`: a new history entry (the viewer chose something, so Back
 * returns to the previous video); otherwise the current entry is corrected in place (e.g. a #v= link).
 */
export function writeUrl(id, mode, { push = false } = {}) {
  const url = urlFor(id, mode);
  if (url === `${location.pathname}${location.search}` && !location.hash) return;
  const state = { id, mode: mode && mode.id };
  if (push) history.pushState(state, '', url); else history.replaceState(state, '', url);
}
