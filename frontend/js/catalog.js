// The video list: one <li data-id> per catalog entry, each a button (keyboard and screen readers work for free).

import { h } from './dom.js';
import { clock, bytes, bitrate } from './format.js';
import { thumbnailsWork, posterUrl } from './thumbnails.js';

const CODEC_NAMES = { avc1: 'H.264', avc3: 'H.264', hvc1: 'HEVC', hev1: 'HEVC', vp09: 'VP9', av01: 'AV1',
  'mp4a.40.2': 'AAC', 'mp4a.40.5': 'HE-AAC', 'mp4a.40': 'AAC', opus: 'Opus', Opus: 'Opus', flac: 'FLAC' };

/** "avc1.64001e" → "H.264": the RFC 6381 codec string starts with the sample entry's four-character code. */
export function codecName(codec) {
  const c = String(codec);
  return CODEC_NAMES[c] || CODEC_NAMES[c.slice(0, 9)] || CODEC_NAMES[c.slice(0, 7)] || CODEC_NAMES[c.slice(0, 4)] || c;
}

/**
 * Fills `list` with the entries. `canPlay(entry)` says whether this browser claims it can decode the codecs;
 * `onSelect(id, event)` runs when a video is chosen.
 */
export function renderCatalog(list, videos, { canPlay, onSelect }) {
  const items = videos.map(v => {
    const name = v.title || v.file || v.id;
    let details;
    if (v.error) {
      details = [h('span', { class: 'item-error', text: `Cannot be parsed: ${v.error}` })];
    } else {
      const meta = [clock(v.duration_s), v.width && v.height ? `${v.width}×${v.height}` : 'audio only',
        bitrate(v.bitrate), Number.isFinite(v.size) ? bytes(v.size) : ''].filter(Boolean).join(' · ');
      const codecs = (v.codecs || []).map(codecName).join(' + ');
      details = [
        h('span', { class: 'item-meta', text: meta }),
        h('span', { class: 'badges' },
          codecs && h('span', { class: 'badge', text: codecs }),
          v.faststart === false && h('span', {
            class: 'badge badge-warn',
            title: 'moov is at the end: the browser must fetch the tail before it can start',
            text: 'moov at end',
          }),
          !canPlay(v) && h('span', {
            class: 'badge badge-bad',
            title: `This browser's canPlayType() says no to ${v.mime || 'these codecs'}`,
            text: 'not playable here',
          })),
      ];
    }
    const button = h('button', { type: 'button', class: 'item', onclick: e => onSelect(v.id, e) },
      h('span', { class: 'item-title', text: name }), ...details);
    return h('li', { dataset: { id: v.id }, class: v.error ? 'broken' : null }, button);
  });
  list.replaceChildren(...items);
  addPosters(list, videos);
}

/**
 * Phase 4: a poster in each entry with a picture, once the page knows the server makes them (one probe per page,
 * so a phase 2/3 page sends no /thumbs/ request; then one HEAD, so a server without ffmpeg fails once, not once
 * per entry). Lazy: an entry scrolled out of sight costs no ffmpeg run until it is seen. A poster that still fails
 * is removed, leaving the text entry as it was.
 * `list.dataset.posters` says 'on' or 'off' once decided (for tests).
 */
async function addPosters(list, videos) {
  const pictured = videos.filter(v => !v.error && v.width && v.height); // audio only or unparsable: no poster
  const on = pictured.length > 0 && await thumbnailsWork(pictured[0].id);
  list.dataset.posters = on ? 'on' : 'off';
  if (!on) return;
  for (const v of pictured) {
    const button = [...list.children].find(li => li.dataset.id === v.id)?.querySelector('button');
    if (!button || button.querySelector('img')) continue; // re-rendered meanwhile, or already there
    const img = h('img', {
      class: 'item-poster', alt: '', loading: 'lazy', decoding: 'async', width: v.width, height: v.height,
      src: posterUrl(v.id),
    });
    img.addEventListener('error', () => { img.remove(); button.classList.remove('has-poster'); }, { once: true });
    button.classList.add('has-poster');
    button.prepend(img);
  }
}

/** Highlights the selected entry (aria-current tells screen readers which one is playing). */
export function markSelected(list, id) {
  for (const li of list.children) {
    const on = li.dataset.id === id;
    li.classList.toggle('selected', on);
    const button = li.querySelector('button');
    if (on) button.setAttribute('aria-current', 'true');
    else button.removeAttribute('aria-current');
  }
}
