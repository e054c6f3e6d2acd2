// The stats panel: what the player and the server measured, each with its unit and where it comes from.
// Every value element also carries the raw number in data-value (tests read those).

import { $, h, setStat } from './dom.js';
import { bytes, bitrate, secs } from './format.js';
import { getServerStats } from './api.js';

const SERVER_POLL_MS = 2000;

/** Seconds buffered after currentTime, in the range that contains it (0 when the playhead sits in a gap). */
export function bufferedAhead(video) {
  const t = video.currentTime;
  const r = video.buffered;
  for (let i = 0; i < r.length; i++) {
    // A tiny tolerance: at a range's very end the browser may report currentTime a hair past it.
    if (r.start(i) <= t + 0.01 && t <= r.end(i) + 0.01) return Math.max(0, r.end(i) - t);
  }
  return 0;
}

/** "0.0–12.4 s, 20.0–25.1 s": the raw video.buffered ranges, for the curious. */
export function bufferedRanges(video) {
  const r = video.buffered;
  const parts = [];
  for (let i = 0; i < r.length; i++) parts.push(`${r.start(i).toFixed(1)}–${r.end(i).toFixed(1)} s`);
  return parts.join(', ');
}

/**
 * What the buffered seconds are worth in bytes at the file's average bitrate. A cross-check for Resource
 * Timing, which reports 0 bytes for the Range requests the browser aborts (it aborts them when a seek needs
 * another part of the file, after they have delivered megabytes).
 */
export function bufferedBytesEstimate(video, entry) {
  const size = Number(entry && entry.size);
  const duration = Number(entry && entry.duration_s);
  if (!(size > 0 && duration > 0)) return NaN;
  let held = 0;
  for (let i = 0; i < video.buffered.length; i++) held += video.buffered.end(i) - video.buffered.start(i);
  return Math.round((held / duration) * size);
}

function ago(ms) {
  const s = Math.max(0, Math.round(ms / 1000));
  return s < 1 ? 'just now' : `${s} s ago`;
}

/**
 * Draws the panel. `s` = { started, qoe (the QoE report), wire ({bytes, requests, approx, statuses}),
 * entry (the catalog entry), video, transport, server ({data, error}) }.
 */
export function renderStats(s) {
  const { qoe, wire, video } = s;

  const startup = qoe && qoe.startup_ms;
  setStat($('stat-startup'), startup != null ? `${startup} ms` : s.started ? 'measuring…' : '— (press play)', startup);

  const statuses = Object.entries(wire.statuses).map(([code, n]) => `${code} ×${n}`).join(', ');
  // Resource Timing lists a request only once it ends: while the element downloads, the total lags behind.
  const downloading = video.networkState === HTMLMediaElement.NETWORK_LOADING;
  setStat($('stat-bytes'), `${bytes(wire.bytes)}${wire.approx ? ' (approx.)' : ''}`, wire.bytes);
  setStat($('stat-bytes-detail'), [
    `${wire.requests === 1 ? '1 request' : `${wire.requests} requests`}${statuses ? ` (${statuses})` : ''}`,
    downloading && '+ a download in progress',
    s.entry && Number.isFinite(s.entry.size) && `file ${bytes(s.entry.size)}`,
  ].filter(Boolean).join(' · '));
  const estimate = bufferedBytesEstimate(video, s.entry);
  setStat($('stat-bytes-buffered'), Number.isFinite(estimate)
    ? `≈ ${bytes(estimate)} held in the buffer (buffered seconds × average bitrate)` : '', estimate);

  setStat($('stat-stalls'), String(qoe ? qoe.stalls : 0), qoe ? qoe.stalls : 0);
  setStat($('stat-stall-time'), secs((qoe ? qoe.stall_ms : 0) / 1000), qoe ? qoe.stall_ms : 0);

  setStat($('stat-dropped'), String(qoe ? qoe.dropped_frames : 0), qoe ? qoe.dropped_frames : 0);
  setStat($('stat-decoded'), String(qoe ? qoe.decoded_frames : 0), qoe ? qoe.decoded_frames : 0);

  const ahead = bufferedAhead(video);
  setStat($('stat-buffered'), secs(ahead), ahead.toFixed(3));
  setStat($('stat-ranges'), bufferedRanges(video) || 'nothing buffered');

  const w = video.videoWidth;
  const hgt = video.videoHeight;
  setStat($('stat-resolution'), w && hgt ? `${w}×${hgt}` : '—', w && hgt ? `${w}x${hgt}` : '');

  setStat($('stat-seeks'), String(qoe ? qoe.seeks : 0), qoe ? qoe.seeks : 0);
  setStat($('stat-watch'), secs(qoe ? qoe.watch_s : 0), qoe ? qoe.watch_s : 0);

  const t = s.transport;
  setStat($('stat-qoe'), t.lastSentAt ? `last report ${ago(Date.now() - t.lastSentAt)}`
    : t.failed ? 'reports are failing' : 'no report sent yet', t.lastSentAt);
  setStat($('stat-qoe-detail'), `${t.sent} sent${t.failed ? `, ${t.failed} failed` : ''} to POST /api/qoe`);

  renderServer(s.server);
}

function renderServer({ data, error }) {
  const copies = $('stat-copies');
  if (!data) {
    setStat(copies, error ? 'unavailable' : '…', null);
    setStat($('stat-server-io'), error ? String(error) : 'asking GET /api/stats');
    setStat($('stat-server-detail'), '');
    return;
  }
  const cpb = Number(data.copies_per_byte);
  setStat(copies, Number.isFinite(cpb) ? cpb.toFixed(2) : '—', Number.isFinite(cpb) ? cpb : null);
  setStat($('stat-server-io'), `strategy: ${data.io ?? 'unknown'}${error ? ` (stale: ${error})` : ''}`, data.io ?? '');
  const conns = Number(data.open_connections);
  setStat($('stat-server-detail'), [
    `${bytes(Number(data.bytes_sent))} sent`,
    `${bytes(Number(data.userspace_copy_bytes))} copied in user space`,
    `${data.requests} requests`,
    `${conns} open connection${conns === 1 ? '' : 's'}`,
  ].join(' · '));
}

/**
 * Polls GET /api/stats every 2 s while the page is visible (a hidden tab has nobody to show it to) and hands each
 * answer to onUpdate({data, error}). Returns the latest state getter.
 */
export function pollServerStats(onUpdate) {
  let state = { data: null, error: null };
  let timer = 0;
  let inFlight = false;

  const tick = async () => {
    timer = 0;
    if (document.hidden) return;
    if (!inFlight) {
      inFlight = true;
      try {
        state = { data: await getServerStats(), error: null };
      } catch (e) {
        state = { data: state.data, error: e.message }; // keep the last numbers, say why they are old
      } finally {
        inFlight = false;
      }
      onUpdate(state);
    }
    if (!document.hidden && !timer) timer = setTimeout(tick, SERVER_POLL_MS);
  };
  document.addEventListener('visibilitychange', () => {
    if (document.hidden) { clearTimeout(timer); timer = 0; } else if (!timer) tick();
  });
  tick();
  return () => state;
}

/** "2 · 1280×720 · 2.5 Mb/s" for a rung of the mode's ladder. */
function rungText(r) {
  return [r.rung, r.width && r.height ? `${r.width}×${r.height}` : r.video, bitrate(r.bandwidth)].filter(v => v != null && v !== '')
    .join(' · ');
}

/**
 * The stream part of the panel, from the mode's optional stats() (`stats`, {} when it has none): rung and the
 * quality menu, latency to the live edge (live modes), skips, the buffer chart and its watermarks.
 */
export function renderStream({ mode, stats, video, chart }) {
  const rungs = Array.isArray(stats.rungs) ? stats.rungs : [];
  const rung = Number.isInteger(stats.rung) ? stats.rung : null;
  const current = rungs.find(r => r.rung === rung);
  const auto = stats.abr !== 'manual';
  if (current) {
    setStat($('stat-rung'), `${rungText(current)}${auto ? ' (auto)' : ''}`, rung);
  } else if (rung != null && rungs.length) {
    setStat($('stat-rung'), `rung ${rung}${auto && stats.abr ? ' (auto)' : ''}`, rung);
  } else {
    setStat($('stat-rung'), video.videoWidth ? `source, ${video.videoWidth}×${video.videoHeight}` : '—', '');
  }
  // A mode that can switch (setQuality) learns its ladder from the stream: before play it has none yet.
  const ladderless = typeof mode.setQuality === 'function' ? 'the bitrate ladder comes with the stream'
    : 'one rendition: this mode has no bitrate ladder';
  setStat($('stat-rung-detail'), Number.isFinite(stats.rx_bps) && stats.rx_bps > 0
    ? `receiving ${bitrate(stats.rx_bps)}` : rungs.length ? '' : ladderless);

  // The menu: Auto + each rung, only when the mode can switch (setQuality) and has a ladder to switch on.
  const menu = $('quality');
  const switchable = typeof mode.setQuality === 'function' && rungs.length > 0;
  $('quality-row').hidden = !switchable;
  if (switchable) {
    const signature = JSON.stringify(rungs.map(r => [r.rung, r.width, r.height, r.bandwidth]));
    if (menu.dataset.rungs !== signature) {
      menu.replaceChildren(h('option', { value: 'auto', text: 'Auto' }),
        ...rungs.map(r => h('option', { value: String(r.rung), text: rungText(r) })));
      menu.dataset.rungs = signature;
    }
    const wanted = auto ? 'auto' : String(rung);
    if (document.activeElement !== menu && menu.value !== wanted) menu.value = wanted;
  }

  // Latency to the live edge: only a live mode has an edge.
  $('latency-card').hidden = !mode.live;
  if (mode.live) {
    setStat($('stat-latency'), secs(Number(stats.latency_s), 2), Number.isFinite(stats.latency_s) ? stats.latency_s : '');
    setStat($('stat-edge'), Number.isFinite(stats.edge_s) ? `live edge at ${secs(stats.edge_s)}, playhead ${secs(video.currentTime)}` : '');
  }

  const skips = Number.isFinite(stats.skips) ? stats.skips : 0;
  setStat($('stat-skips'), `${skips} ${skips === 1 ? 'skip' : 'skips'} over gaps`, skips);

  const marks = [Number.isFinite(stats.low_s) && `low ${secs(stats.low_s)}`,
    Number.isFinite(stats.high_s) && `high ${secs(stats.high_s)}`].filter(Boolean).join(' · ');
  const now = Number.isFinite(stats.buffered_s) ? stats.buffered_s : bufferedAhead(video);
  setStat($('stat-watermarks'), `now ${secs(now)} ahead · ${marks ? `watermarks (dashed): ${marks}` : 'no watermarks from this mode'}`,
    now.toFixed(3));
  if (!document.hidden) chart.draw();
}
