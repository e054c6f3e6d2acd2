// "What's inside this MP4?": the server's parse of the file (GET /api/videos/{id}/boxes) as a byte map, a box
// tree with offsets and sizes, the keyframe index and the parser's warnings. Seeing moov before or after mdat
// on the map explains the "moov at end" badge; the keyframe offsets are where Range requests for a seek land.

import { $, h } from './dom.js';
import { bytes, grouped, secs } from './format.js';
import { getBoxes } from './api.js';

const MAX_BOXES = 400;      // a fragmented file can have thousands of moof/mdat pairs
const MAX_KEYFRAMES = 300;

// One line per box type a student meets in these files (ISO/IEC 14496-12 unless noted).
const ABOUT = {
  ftyp: 'file type: brands this file conforms to', moov: 'movie metadata: tracks, timing, sample tables',
  mvhd: 'movie header: timescale, duration', trak: 'one track (video or audio)', tkhd: 'track header: id, size',
  edts: 'edit list container', elst: 'edit list: maps media time to presentation time', mdia: 'track media',
  mdhd: 'media header: track timescale and duration', hdlr: 'handler: vide, soun, …', minf: 'media information',
  vmhd: 'video media header', smhd: 'sound media header', dinf: 'data information', dref: 'data references',
  stbl: 'sample table: where every frame is', stsd: 'sample descriptions: the codec setup',
  avc1: 'H.264 sample entry', avc3: 'H.264 sample entry (in-band parameters)', avcC: 'H.264 decoder config (SPS/PPS)',
  hvc1: 'HEVC sample entry', hev1: 'HEVC sample entry', hvcC: 'HEVC decoder config', vp09: 'VP9 sample entry',
  vpcC: 'VP9 decoder config', av01: 'AV1 sample entry', av1C: 'AV1 decoder config', mp4a: 'AAC sample entry',
  esds: 'MPEG-4 audio decoder config', Opus: 'Opus sample entry', dOps: 'Opus decoder config',
  btrt: 'bitrate info', pasp: 'pixel aspect ratio', colr: 'colour information',
  stts: 'decode time to sample', ctts: 'composition offsets (B-frames)', stss: 'sync samples = keyframes',
  stsc: 'sample to chunk', stsz: 'sample sizes', stz2: 'compact sample sizes', stco: 'chunk offsets (32-bit)',
  co64: 'chunk offsets (64-bit)', sgpd: 'sample group description', sbgp: 'sample to group',
  mdat: 'media data: the audio and video samples themselves', free: 'free space (ignored)', skip: 'free space (ignored)',
  udta: 'user data', meta: 'metadata', ilst: 'iTunes-style metadata list', mvex: 'movie extends: file is fragmented',
  trex: 'track fragment defaults', moof: 'movie fragment header', mfhd: 'fragment sequence number',
  traf: 'track fragment', tfhd: 'track fragment header', tfdt: 'fragment decode time', trun: 'track fragment run',
  sidx: 'segment index', mfra: 'fragment random access', styp: 'segment type', uuid: 'vendor extension',
};

function countBoxes(nodes) {
  return nodes.reduce((n, b) => n + 1 + countBoxes(b.children || []), 0);
}

/** Nested <ul>: type, what it is, where it starts and how big it is. Stops after MAX_BOXES nodes. */
function renderTree(nodes, budget) {
  const ul = h('ul', { class: 'tree' });
  for (const box of nodes) {
    if (budget.left-- <= 0) break;
    const type = String(box.type);
    const row = h('div', { class: 'box-row' },
      h('code', { class: 'box-type', text: type }),
      h('span', { class: 'box-about', text: ABOUT[type] || '' }),
      h('span', { class: 'box-pos', text: `offset ${grouped(box.offset)} · ${grouped(box.size)} B` }));
    const kids = Array.isArray(box.children) && box.children.length ? renderTree(box.children, budget) : null;
    ul.append(h('li', { dataset: { type } }, row, kids));
  }
  return ul;
}

const mapClass = type => `map-box map-${/^[a-z]{4}$/.test(type) ? type : 'other'}`;

/** The top-level boxes as proportional blocks across the file: where moov sits, at a glance. */
function renderMap(boxes) {
  const total = boxes.reduce((end, b) => Math.max(end, Number(b.offset) + Number(b.size)), 0);
  if (!total) return [];
  return boxes.slice(0, MAX_BOXES).map(b => {
    const share = (Number(b.size) / total) * 100;
    const type = String(b.type);
    return h('div', {
      class: mapClass(type),
      style: `flex-grow:${Math.max(share, 0.0001)}`,
      title: `${type}: bytes ${grouped(b.offset)}–${grouped(Number(b.offset) + Number(b.size) - 1)}`,
    }, share >= 8 ? type : '');
  });
}

/** The same boxes as text, in file order (small boxes are slivers on the map; here they can be read). */
function renderMapLegend(boxes) {
  return boxes.slice(0, 40).map(b => h('li', {},
    h('span', { class: mapClass(String(b.type)), 'aria-hidden': 'true' }), ' ',
    h('code', { text: String(b.type) }), ` ${bytes(Number(b.size))} at ${grouped(Number(b.offset))}`))
    .concat(boxes.length > 40 ? [h('li', { text: `… ${boxes.length - 40} more` })] : []);
}

function renderKeyframes(keyframes, onSeek, total = keyframes.length) {
  const rows = keyframes.slice(0, MAX_KEYFRAMES).map((k, i) => h('tr', {},
    h('td', { text: i + 1 }),
    h('td', {}, h('button', {
      type: 'button', class: 'link', text: secs(Number(k.time_s), 3),
      'aria-label': `Seek to keyframe at ${Number(k.time_s).toFixed(3)} seconds`,
      onclick: () => onSeek(Number(k.time_s)),
    })),
    h('td', { text: grouped(Number(k.sample)) }),
    h('td', { text: grouped(Number(k.offset)) })));
  const shown = Math.min(keyframes.length, MAX_KEYFRAMES);
  const more = total > shown ? h('p', { class: 'note', text: `… and ${total - shown} more keyframes` }) : null;
  return [h('table', { class: 'keyframes' },
    h('caption', { text: `${total} keyframes (sync samples): a decoder can start only at one of these` }),
    h('thead', {}, h('tr', {}, h('th', { scope: 'col', text: '#' }), h('th', { scope: 'col', text: 'time' }),
      h('th', { scope: 'col', text: 'sample' }), h('th', { scope: 'col', text: 'byte offset' }))),
    h('tbody', {}, ...rows)), more];
}

/**
 * Loads and shows the box report of each selected video. `onKeyframes(times)` gets the keyframe times (for the
 * seek bar ticks); `onSeek(t)` runs when a keyframe is clicked. Returns { show(entry) }.
 */
export function setupBoxes({ onKeyframes = () => {}, onSeek = () => {} } = {}) {
  const status = $('boxes-status');
  const warnings = $('boxes-warnings');
  const map = $('boxes-map');
  const legend = $('boxes-map-legend');
  const tree = $('boxes-tree');
  const keys = $('boxes-keyframes');
  let controller = null;

  const clear = () => {
    for (const el of [warnings, map, legend, tree, keys]) el.replaceChildren();
  };

  async function show(entry) {
    if (controller) controller.abort(); // a slow answer for the previous video must not overwrite this one
    controller = new AbortController();
    const { signal } = controller;
    clear();
    onKeyframes([]);
    if (entry.error) {
      status.textContent = `The server could not parse this file: ${entry.error}`;
      return;
    }
    status.textContent = 'Loading the box report…';
    let report;
    try {
      report = await getBoxes(entry.id, { signal });
    } catch (e) {
      if (e.name !== 'AbortError') status.textContent = e.message;
      return;
    }
    const boxes = Array.isArray(report.boxes) ? report.boxes : [];
    const keyframes = Array.isArray(report.keyframes) ? report.keyframes : [];
    // The server lists the first 1,000 keyframes and says how many there are in all.
    const keyTotal = Number.isInteger(report.keyframes_total) ? report.keyframes_total : keyframes.length;
    const warns = Array.isArray(report.warnings) ? report.warnings : [];
    const n = countBoxes(boxes);
    status.textContent = `${n} boxes, ${keyTotal} keyframes, ${warns.length} warning${warns.length === 1 ? '' : 's'}` +
      (n > MAX_BOXES ? ` (showing the first ${MAX_BOXES} boxes)` : '');

    warnings.replaceChildren(...(warns.length ? warns.map(w => h('li', { class: 'warn', text: w }))
      : [h('li', { class: 'ok', text: 'No warnings.' })]));
    map.replaceChildren(...renderMap(boxes));
    legend.replaceChildren(...renderMapLegend(boxes));
    tree.replaceChildren(renderTree(boxes, { left: MAX_BOXES }));
    keys.replaceChildren(...renderKeyframes(keyframes, onSeek, keyTotal));
    onKeyframes(keyframes.map(k => Number(k.time_s)).filter(Number.isFinite));
  }

  return { show };
}
