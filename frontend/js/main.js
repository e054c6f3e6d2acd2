// Wires the page together: catalog → selection (from the URL hash) → playback mode → QoE, stats and box report.
// URL: #v=<id> selects a video (links and tests use it); ?autoplay=1 starts it muted as soon as it is selected.

import { $, h } from './dom.js';
import { listVideos } from './api.js';
import { renderCatalog, markSelected, codecName } from './catalog.js';
import { setupControls } from './controls.js';
import { renderStats, pollServerStats } from './stats.js';
import { watchQoe, qoeTransport, mediaErrorText } from './qoe.js';
import { setupBoxes } from './boxes.js';
import { MODES, findMode } from './modes/index.js';
import { clock, bitrate, bytes } from './format.js';

const STATS_REFRESH_MS = 500;

const video = $('video');
const catalogList = $('catalog');
const errorBox = $('error');
const modeSelect = $('mode');
const autoplay = new URLSearchParams(location.search).get('autoplay') === '1';

const state = {
  ready: false,      // catalog loaded
  videos: [],
  entry: null,       // the selected catalog entry
  mode: findMode(new URLSearchParams(location.hash.slice(1)).get('mode')), // #v=<id>&mode=ws
  session: null,     // the QoE watcher of the current view
  error: null,
  pending: null,     // { intentAt, play } for the selection a click is about to make through the hash
};

// ---- errors: one visible place, role="alert" in the HTML so screen readers announce it ----
function showError(message) {
  state.error = message;
  errorBox.textContent = message;
  errorBox.hidden = false;
}
function clearError() {
  state.error = null;
  errorBox.textContent = '';
  errorBox.hidden = true;
}

// ---- mode switch: built from the registry, so only working modes are offered ----
modeSelect.replaceChildren(...MODES.map(m => h('option', { value: m.id, text: m.label })));
modeSelect.value = state.mode.id;
$('mode-about').textContent = state.mode.description;
modeSelect.addEventListener('change', () => {
  const entry = state.entry;
  const wasPlaying = !video.paused;
  stopView();
  state.mode = findMode(modeSelect.value);
  $('mode-about').textContent = state.mode.description;
  if (entry) select(entry.id, { play: wasPlaying, intentAt: wasPlaying ? performance.now() : null });
});

const controls = setupControls(video, {
  onPlayRequest: () => state.session && state.session.markIntent(),
  onPlayError: e => {
    // NotSupportedError comes with the element's own `error` event, whose MediaError says more.
    if (e.name === 'NotSupportedError') return;
    showError(e.name === 'NotAllowedError'
      ? 'The browser blocked playback with sound until you interact with the page: press play.'
      : `Playback could not start: ${e.message}`);
  },
});

const boxes = setupBoxes({
  onKeyframes: times => controls.setKeyframes(times),
  onSeek: t => { video.currentTime = t; },
});

video.addEventListener('error', () => {
  if (state.entry && video.error) showError(`${state.entry.title || state.entry.id}: ${mediaErrorText(video.error)}`);
});

// ---- stats: redrawn twice a second and whenever the player reports something ----
const serverStats = pollServerStats(() => refresh());
function refresh() {
  renderStats({
    started: !!(state.session && state.session.requested()),
    qoe: state.session ? state.session.report() : null,
    wire: state.mode.bytesLoaded(),
    entry: state.entry,
    video,
    transport: qoeTransport(),
    server: serverStats(),
  });
}
setInterval(() => { if (!document.hidden) refresh(); }, STATS_REFRESH_MS);

// ---- selection ----
function stopView() {
  // QoE first: its final report reads the bytes from the mode, which forgets them on detach.
  if (state.session) state.session.end();
  state.session = null;
  state.mode.detach();
}

function describe(entry) {
  if (entry.error) return 'could not be parsed';
  return [clock(entry.duration_s), entry.width && `${entry.width}×${entry.height}`, bitrate(entry.bitrate),
    (entry.codecs || []).map(codecName).join(' + '), Number.isFinite(entry.size) && bytes(entry.size),
    entry.faststart === false ? 'moov at the end' : entry.faststart === true ? 'faststart' : '']
    .filter(Boolean).join(' · ');
}

function select(id, { intentAt = null, play = false, muted = false } = {}) {
  const entry = state.videos.find(v => v.id === id);
  if (!entry) {
    showError(`There is no video "${id}" in the catalog.`);
    return;
  }
  stopView();
  clearError();
  state.entry = entry;
  markSelected(catalogList, id);
  $('now-title').textContent = entry.title || entry.file || entry.id;
  $('now-meta').textContent = describe(entry);
  document.title = `${entry.title || entry.id} · Streamlab player`;
  boxes.show(entry);
  controls.setDurationHint(entry.duration_s);

  if (entry.error) {
    showError(`The server could not parse ${entry.file || entry.id}: ${entry.error}`);
    refresh();
    return;
  }
  if (entry.mime && video.canPlayType(entry.mime) === '') {
    showError(`This browser says it cannot decode ${entry.mime}; trying anyway.`);
  }
  state.mode.attach(video, entry);
  state.session = watchQoe(video, entry, {
    bytesLoaded: () => state.mode.bytesLoaded(),
    intentAt,
    onChange: refresh,
  });
  if (play) {
    if (muted) video.muted = true; // muted autoplay is allowed without a click
    controls.requestPlay();
  }
  refresh();
}

const hashId = () => new URLSearchParams(location.hash.slice(1)).get('v');

window.addEventListener('hashchange', () => {
  const id = hashId();
  const pending = state.pending || { play: autoplay, muted: autoplay }; // a link or an edited URL
  state.pending = null;
  if (id && (!state.entry || id !== state.entry.id)) select(id, pending);
});

function onCatalogClick(id) {
  // A click is the viewer's intent to watch: the startup clock starts now, before the hash round trip.
  const intentAt = performance.now();
  if (state.entry && state.entry.id === id) {
    if (video.paused) controls.requestPlay();
    return;
  }
  state.pending = { intentAt, play: true };
  location.hash = `v=${encodeURIComponent(id)}`;
}

// ---- QoE on the way out: a beacon survives the page, a fetch might not ----
window.addEventListener('pagehide', () => state.session && state.session.beacon());
document.addEventListener('visibilitychange', () => {
  if (document.hidden && state.session) state.session.beacon();
});

// ---- read-only state for tests and the curious (DevTools: streamlab.qoe()) ----
Object.defineProperty(window, 'streamlab', {
  value: Object.freeze({
    get ready() { return state.ready; },
    get selectedId() { return state.entry ? state.entry.id : null; },
    get mode() { return state.mode.id; },
    get modes() { return MODES.map(m => m.id); },
    get error() { return state.error; },
    get lastQoeSentAt() { return qoeTransport().lastSentAt; },
    get qoeReportsSent() { return qoeTransport().sent; },
    qoe() { return state.session ? state.session.report() : null; },
    bytesLoaded() { return state.mode.bytesLoaded(); },
    serverStats() { const s = serverStats().data; return s ? { ...s } : null; },
    videos() { return state.videos.map(v => ({ ...v })); },
  }),
  writable: false,
  configurable: false,
});

// ---- start ----
async function start() {
  catalogList.replaceChildren(h('li', { class: 'placeholder', text: 'Loading the catalog…' }));
  try {
    state.videos = await listVideos();
  } catch (e) {
    catalogList.replaceChildren(h('li', { class: 'placeholder', text: 'No catalog.' }));
    showError(`Could not load the video catalog. ${e.message}`);
    return;
  }
  renderCatalog(catalogList, state.videos, {
    canPlay: v => !v.mime || video.canPlayType(v.mime) !== '',
    onSelect: onCatalogClick,
  });
  if (!state.videos.length) {
    catalogList.replaceChildren(h('li', { class: 'placeholder', text: 'The media folder has no .mp4 files.' }));
  }
  state.ready = true;

  let id = hashId();
  if (!id) {
    const first = state.videos.find(v => !v.error);
    if (!first) { refresh(); return; }
    id = first.id;
    history.replaceState(null, '', `#v=${encodeURIComponent(id)}`); // shareable URL, no hashchange event
  }
  // With ?autoplay=1 the viewer's wait starts when the page starts loading (time origin = 0 on performance.now()).
  select(id, { play: autoplay, muted: autoplay, intentAt: autoplay ? 0 : null });
}

start();
