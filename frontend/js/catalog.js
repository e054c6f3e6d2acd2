// The video list: one <li data-id> per catalog entry, each a button (keyboard and screen readers work for free).

import { h } from './dom.js';
import { clock, bytes, bitrate } from './format.js';

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
