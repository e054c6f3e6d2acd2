// Wires the page together: catalog → selection (from the URL) → playback mode → QoE, stats and box report.
// URL (url-state.js): /?v=<id>&mode=ws, /?channel=<id>&mode=live; phase 2's #v=<id>&mode=… still works;
// ?autoplay=1 starts the selection muted as soon as it is made.

import { $, h } from './dom.js';
import { listVideos } from './api.js';
import { renderCatalog, markSelected, codecName } from './catalog.js';
import { setupControls } from './controls.js';
import { renderStats, renderStream, pollServerStats, bufferedAhead } from './stats.js';
import { watchQoe, qoeTransport, mediaErrorText } from './qoe.js';
import { setupBoxes } from './boxes.js';
import { MODES, findMode } from './modes/index.js';
import { clock, bitrate, bytes } from './format.js';
import { readUrl, writeUrl } from './url-state.js';
import { bufferChart } from './chart.js';
import { debugHooks } from './debug.js';
import { loadSheet } from './thumbnails.js';
import { serverHas, DASHBOARD_FEATURE, PROCESSED_FEATURE } from './server-features.js';

const STATS_REFRESH_MS = 500;
const CHART_SAMPLE_MS = 500;

const video = $('video');
const catalogList = $('catalog');
const errorBox = $('error');
const modeSelect = $('mode');
const autoplay = new URLSearchParams(location.search).get('autoplay') === '1';

// The header's links to phase 4's pages, for a server that has them: phase 4 registers the GC gauges the dashboard's
// heap chart reads and the processed view's counters. The same /metrics scrape the other feature probes share, so
// phases 2 and 3 send no request that fails and show no link to a page they do not serve.
serverHas(DASHBOARD_FEATURE).then(has => { $('dashboard-link').hidden = !has; });
serverHas(PROCESSED_FEATURE).then(has => { $('processed-link').hidden = !has; });

const state = {
  ready: false,      // catalog loaded
  videos: [],
  entry: null,       // the selected catalog entry
  mode: modeFor(readUrl()), // ?mode=ws (or #…&mode=ws)
  session: null,     // the QoE watcher of the current view
  error: null,
};

/** The mode a URL asks for; `?channel=` without a live mode means the first live mode, if there is one. */
function modeFor({ mode, key }) {
  const named = MODES.find(m => m.id === mode);
  if (key === 'channel' && !(named && named.live)) return MODES.find(m => m.live) || named || MODES[0];
  return named || findMode(mode);
}

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
function setMode(mode) {
  state.mode = mode;
  modeSelect.value = mode.id;
  $('mode-about').textContent = mode.description;
}
// Switching keeps the selection: the same catalog id is the video (VOD modes) or the channel (live modes).
modeSelect.addEventListener('change', () => {
  const entry = state.entry;
  const wasPlaying = !video.paused;
  stopView();
  setMode(findMode(modeSelect.value));
  writeUrl(entry && entry.id, state.mode, { push: true });
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
const chart = bufferChart($('buffer-chart'));

/** The mode's own numbers (rung, watermarks, latency …), or {} for a mode without stats() or when it throws. */
function modeStats() {
  if (typeof state.mode.stats !== 'function') return {};
  try {
    return state.mode.stats() || {};
  } catch (e) {
    console.warn(`mode ${state.mode.id}: stats() failed`, e);
    return {};
  }
}

/** A fresh plain object with everything the page knows about playback now (window.streamlab.stats()). */
function playerStats() {
  const qoe = state.session ? state.session.report() : null;
  const q = video.getVideoPlaybackQuality ? video.getVideoPlaybackQuality() : null;
  const id = state.entry ? state.entry.id : null;
  const own = {
    mode: state.mode.id,
    live: !!state.mode.live,
    video: state.mode.live ? null : id,
    channel: state.mode.live ? id : null,
    currentTime: video.currentTime,
    duration: Number.isFinite(video.duration) ? video.duration : null,
    paused: video.paused,
    seeking: video.seeking,
    ended: video.ended,
    readyState: video.readyState,
    width: video.videoWidth,
    height: video.videoHeight,
    buffered_s: Math.round(bufferedAhead(video) * 1000) / 1000,
    // The element's counters (since the src was set), not the view's: they match getVideoPlaybackQuality().
    decoded_frames: q ? q.totalVideoFrames : 0,
    dropped_frames: q ? q.droppedVideoFrames : 0,
    stalls: qoe ? qoe.stalls : 0,
    stall_ms: qoe ? qoe.stall_ms : 0,
    seeks: qoe ? qoe.seeks : 0,
    skips: 0,
    startup_ms: qoe ? qoe.startup_ms : null,
    media_error: video.error ? mediaErrorText(video.error) : null,
    error: state.error,
    buffer_history: chart.samples(),
  };
  // The mode's numbers win where both know one (its buffered_s is per its own SourceBuffers, its stalls its own).
  // A JSON round trip: a plain, fresh object without functions or live references, NaN as null.
  return JSON.parse(JSON.stringify({ ...own, ...modeStats() }));
}

function sampleChart() {
  const m = modeStats();
  const buffered = Number.isFinite(m.buffered_s) ? m.buffered_s : bufferedAhead(video);
  // A stall as QoE counts one: out of data after the first frame (waiting for the first frame is startup).
  const started = !!(state.session && state.session.report().startup_ms != null);
  const stalled = started && !video.paused && !video.seeking && !video.ended && video.readyState < HTMLMediaElement.HAVE_FUTURE_DATA;
  chart.sample(state.entry ? buffered : 0, { low: m.low_s, high: m.high_s, stalled });
}
setInterval(sampleChart, CHART_SAMPLE_MS);

// The quality menu (Auto + each rung) is shown only for modes with setQuality(); see stats.js renderStream.
$('quality').addEventListener('change', e => {
  const v = e.target.value;
  if (typeof state.mode.setQuality === 'function') state.mode.setQuality(v === 'auto' ? 'auto' : Number(v));
  refresh();
});

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
  renderStream({ mode: state.mode, stats: modeStats(), video, chart });
}
setInterval(() => { if (!document.hidden) refresh(); }, STATS_REFRESH_MS);

// ---- selection ----
function stopView() {
  // QoE first: its final report reads the bytes from the mode, which forgets them on detach.
  if (state.session) state.session.end();
  state.session = null;
  state.mode.detach();
  chart.clear();
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
  // A live channel has no duration: the catalog's is the length of the file it loops.
  controls.setLive(!!state.mode.live);
  controls.setDurationHint(state.mode.live ? NaN : entry.duration_s);
  controls.setThumbnails(null); // phase 4: seek-bar previews from the sprite sheet, once it arrives (VOD only)
  if (!state.mode.live && !entry.error) {
    loadSheet(entry.id).then(sheet => { if (state.entry === entry) controls.setThumbnails(sheet); });
  }

  if (entry.error) {
    showError(`The server could not parse ${entry.file || entry.id}: ${entry.error}`);
    refresh();
    return;
  }
  if (entry.mime && video.canPlayType(entry.mime) === '') {
    showError(`This browser says it cannot decode ${entry.mime}; trying anyway.`);
  }
  // A mode that learns from its server that the selection will not play (e.g. a codec this browser lacks) says so.
  state.mode.attach(video, entry, { onError: message => { if (state.entry === entry) showError(message); } });
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

/**
 * The URL changed under the page (Back/Forward, or an edited #v= hash): apply its mode and selection, then
 * write it back in the query form.
 */
function followUrl() {
  if (!state.ready) return;
  const url = readUrl();
  const id = url.id;
  const wanted = modeFor(url);
  const modeChanged = wanted !== state.mode;
  if (modeChanged) {
    stopView();
    setMode(wanted);
  }
  if (id && (modeChanged || !state.entry || id !== state.entry.id)) {
    select(id, { play: autoplay, muted: autoplay });
  }
  writeUrl(state.entry && state.entry.id, state.mode);
}
window.addEventListener('popstate', followUrl);
window.addEventListener('hashchange', followUrl);

function onCatalogClick(id) {
  // A click is the viewer's intent to watch: the startup clock starts now.
  const intentAt = performance.now();
  if (state.entry && state.entry.id === id) {
    if (video.paused) controls.requestPlay();
    return;
  }
  writeUrl(id, state.mode, { push: true }); // Back returns to the previous video
  select(id, { intentAt, play: true });
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
    /** Everything measured now, as a fresh plain object (the shell's numbers plus the mode's stats()). */
    stats: playerStats,
    /** The mode's quality choice: a rung index or 'auto'. False when the mode has no quality switch. */
    setQuality(rung) {
      if (typeof state.mode.setQuality !== 'function') return false;
      state.mode.setQuality(rung);
      refresh();
      return true;
    },
    /** Break things on purpose and watch the player recover (see js/debug.js). */
    debug: debugHooks(video, () => state.mode),
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

  let id = readUrl().id;
  if (!id) {
    const first = state.videos.find(v => !v.error);
    if (!first) { refresh(); return; }
    id = first.id;
  }
  writeUrl(id, state.mode); // the shareable query form (also turns an old #v= link into it); no new history entry
  // With ?autoplay=1 the viewer's wait starts when the page starts loading (time origin = 0 on performance.now()).
  select(id, { play: autoplay, muted: autoplay, intentAt: autoplay ? 0 : null });
}

start();
