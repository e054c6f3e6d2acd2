// The metrics dashboard: polls /metrics (Prometheus text format) once a second and draws one tile per question —
// a big current value, a detail line, and a canvas chart of the last two minutes. Plain JavaScript, no libraries.
//
// Rates (throughput, GC time, stalls) are deltas of counters between two polls divided by the time between them;
// a counter that went down (server restarted) counts as a fresh start, not a negative rate.

import { serverHas, otherPhaseMessage, DASHBOARD_FEATURE } from './server-features.js';

const POLL_MS = 1000;
const WINDOW_S = 120;
const HISTORY = 11; // snapshots kept for windowed figures (hit ratio, TTFB p99): the last ~10 s

const COLORS = ['#1f77b4', '#d62728', '#2ca02c', '#ff7f0e', '#9467bd', '#8c564b'];

/**
 * Parses the Prometheus text exposition format (0.0.4) into name -> [{labels, value}]. Comments and blank lines are
 * skipped; label values may hold escaped quotes, backslashes and newlines.
 */
export function parseMetrics(text) {
  const out = new Map();
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    let i = 0;
    while (i < line.length && line[i] !== '{' && line[i] !== ' ') i++;
    const name = line.slice(0, i);
    const labels = {};
    if (line[i] === '{') {
      i++;
      while (i < line.length && line[i] !== '}') {
        const eq = line.indexOf('=', i);
        const key = line.slice(i, eq).trim();
        let j = eq + 2; // past ="
        let value = '';
        while (j < line.length && line[j] !== '"') {
          if (line[j] === '\\' && j + 1 < line.length) {
            const c = line[j + 1];
            value += c === 'n' ? '\n' : c;
            j += 2;
          } else {
            value += line[j++];
          }
        }
        labels[key] = value;
        i = j + 1;
        if (line[i] === ',') i++;
      }
      i++; // past }
    }
    const value = parseNumber(line.slice(i).trim().split(/\s+/)[0]);
    if (!out.has(name)) out.set(name, []);
    out.get(name).push({ labels, value });
  }
  return out;
}

function parseNumber(s) {
  if (s === '+Inf') return Infinity;
  if (s === '-Inf') return -Infinity;
  return Number(s);
}

/** Sum of a metric's samples whose labels match every entry of `where`; null when the metric is absent. */
function sum(m, name, where = {}) {
  const samples = m.get(name);
  if (!samples) return null;
  let total = 0;
  for (const s of samples) {
    if (Object.entries(where).every(([k, v]) => s.labels[k] === v)) total += s.value;
  }
  return total;
}

function one(m, name) {
  return sum(m, name);
}

// ---- formatting ------------------------------------------------------------------------------------------------

function bytesRate(v) {
  if (v == null) return '–';
  const short = (x) => x.toFixed(x >= 100 ? 0 : 1);
  if (v >= 1e9) return (v / 1e9).toFixed(2) + ' GB/s';
  if (v >= 1e6) return short(v / 1e6) + ' MB/s';
  if (v >= 1e3) return short(v / 1e3) + ' kB/s';
  return v.toFixed(0) + ' B/s';
}

function mib(v) {
  return v == null ? '–' : (v / 1048576).toFixed(v >= 100 * 1048576 ? 0 : 1) + ' MiB';
}

function pct(v) {
  return v == null || !isFinite(v) ? '–' : (v * 100).toFixed(1) + ' %';
}

function seconds(v) {
  if (v == null || !isFinite(v)) return '–';
  return v < 1 ? (v * 1000).toFixed(v < 0.01 ? 2 : 0) + ' ms' : v.toFixed(2) + ' s';
}

function num(v, digits = 0) {
  return v == null || !isFinite(v) ? '–' : v.toFixed(digits);
}

// ---- charts ----------------------------------------------------------------------------------------------------

/** A tile's time series: name -> [[t, v]...], trimmed to the window. */
class Series {
  constructor() {
    this.lines = new Map();
  }

  add(name, t, v) {
    if (v == null || !isFinite(v)) return;
    if (!this.lines.has(name)) this.lines.set(name, []);
    const pts = this.lines.get(name);
    pts.push([t, v]);
    while (pts.length && pts[0][0] < t - WINDOW_S * 1000) pts.shift();
  }
}

function niceMax(v) {
  if (!(v > 0)) return 1;
  const p = Math.pow(10, Math.floor(Math.log10(v)));
  for (const m of [1, 2, 2.5, 5, 10]) if (v <= m * p) return m * p;
  return 10 * p;
}

/** Scales the canvas to its CSS size times the device pixel ratio, so lines stay sharp. */
function prepare(canvas) {
  const dpr = window.devicePixelRatio || 1;
  const w = canvas.clientWidth || 400;
  const h = canvas.clientHeight || 150;
  if (canvas.width !== Math.round(w * dpr) || canvas.height !== Math.round(h * dpr)) {
    canvas.width = Math.round(w * dpr);
    canvas.height = Math.round(h * dpr);
  }
  const g = canvas.getContext('2d');
  g.setTransform(dpr, 0, 0, dpr, 0, 0);
  g.clearRect(0, 0, w, h);
  return { g, w, h };
}

/** A line chart of `series` over the last WINDOW_S seconds ending at `now`; y from 0 (or yMax) with 3 grid lines. */
function lineChart(canvas, series, now, format, { yMax = null, message = null } = {}) {
  const { g, w, h } = prepare(canvas);
  const left = 64, right = 8, top = 20, bottom = 18;
  const pw = w - left - right, ph = h - top - bottom;
  let max = 0;
  for (const pts of series.lines.values()) for (const [, v] of pts) max = Math.max(max, v);
  max = yMax ?? niceMax(max * 1.1);
  g.font = '11px system-ui, sans-serif';
  g.strokeStyle = '#d8dde3';
  g.fillStyle = '#5b6570';
  g.lineWidth = 1;
  g.textAlign = 'right';
  g.textBaseline = 'middle';
  for (let k = 0; k <= 3; k++) {
    const y = top + ph - (ph * k) / 3;
    g.beginPath();
    g.moveTo(left, y + 0.5);
    g.lineTo(left + pw, y + 0.5);
    g.stroke();
    let label = format((max * k) / 3);
    while (g.measureText(label).width > left - 6 && label.includes(' ')) label = label.slice(0, label.lastIndexOf(' '));
    g.fillText(label, left - 4, y);
  }
  g.textAlign = 'left';
  g.textBaseline = 'alphabetic';
  g.fillText('−' + WINDOW_S + ' s', left, h - 4);
  // Grid labels are right-aligned in the left margin; one that would not fit is shortened, never clipped.
  g.textAlign = 'right';
  g.fillText('now', left + pw, h - 4);
  let i = 0;
  let legendX = left;
  for (const [name, pts] of series.lines) {
    const color = COLORS[i++ % COLORS.length];
    g.strokeStyle = color;
    g.lineWidth = 2;
    g.beginPath();
    pts.forEach(([t, v], k) => {
      const x = left + pw * (1 - (now - t) / (WINDOW_S * 1000));
      const y = top + ph - (ph * Math.min(v, max)) / max;
      if (k === 0) g.moveTo(x, y);
      else g.lineTo(x, y);
    });
    if (pts.length === 1) { // a single point: a dot, so the first second shows something
      const [t, v] = pts[0];
      const x = left + pw * (1 - (now - t) / (WINDOW_S * 1000));
      g.rect(x - 1, top + ph - (ph * Math.min(v, max)) / max - 1, 2, 2);
    }
    g.stroke();
    g.fillStyle = color;
    g.fillRect(legendX, 6, 10, 10);
    g.fillStyle = '#2b333b';
    g.textAlign = 'left';
    g.textBaseline = 'middle';
    g.fillText(name, legendX + 14, 11);
    legendX += 24 + g.measureText(name).width;
  }
  if (message) {
    g.fillStyle = '#5b6570';
    g.textAlign = 'center';
    g.fillText(message, left + pw / 2, top + ph / 2);
  }
}

/** Horizontal bars, one per client: buffer (blue) and lag (red), the lowest buffer first. */
function barChart(canvas, rows, format, message) {
  const { g, w, h } = prepare(canvas);
  g.font = '11px system-ui, sans-serif';
  g.fillStyle = '#5b6570';
  g.strokeStyle = '#d8dde3';
  g.strokeRect(0.5, 0.5, w - 1, h - 1);
  if (!rows.length) {
    g.textAlign = 'center';
    g.textBaseline = 'middle';
    wrap(g, message, w / 2, h / 2, w - 24);
    return;
  }
  const max = niceMax(Math.max(...rows.map((r) => Math.max(r.buffer, r.lag ?? 0))));
  const shown = rows.slice(0, 8);
  const rowH = (h - 8) / shown.length;
  shown.forEach((r, k) => {
    const y = 4 + k * rowH;
    g.fillStyle = '#2b333b';
    g.textAlign = 'left';
    g.textBaseline = 'middle';
    g.fillText(r.name.slice(0, 10), 6, y + rowH / 2);
    const bw = ((w - 140) * r.buffer) / max;
    g.fillStyle = COLORS[0];
    g.fillRect(80, y + 2, bw, rowH / 2 - 2);
    if (r.lag != null) {
      g.fillStyle = COLORS[1];
      g.fillRect(80, y + rowH / 2, ((w - 140) * r.lag) / max, rowH / 2 - 2);
    }
    g.fillStyle = '#2b333b';
    g.fillText(format(r.buffer), 84 + bw, y + rowH / 2);
  });
}

function wrap(g, text, x, y, width) {
  const words = text.split(' ');
  const lines = [];
  let line = '';
  for (const word of words) {
    const test = line ? line + ' ' + word : word;
    if (g.measureText(test).width > width && line) {
      lines.push(line);
      line = word;
    } else {
      line = test;
    }
  }
  lines.push(line);
  lines.forEach((l, k) => g.fillText(l, x, y + (k - (lines.length - 1) / 2) * 14));
}

// ---- the tiles -------------------------------------------------------------------------------------------------

const history = []; // [{t, m}] newest last
const series = {};
for (const id of ['throughput', 'clients', 'qoe', 'cache', 'heap', 'copies', 'ttfb']) series[id] = new Series();
const state = { polls: 0, lastError: null };
window.streamlabDashboard = state; // for tests and the curious: how many polls have been drawn

function set(id, value, detail) {
  document.getElementById('v-' + id).textContent = value;
  document.getElementById('d-' + id).textContent = detail;
}

/** A counter's increase per second between two snapshots; a decrease (restart) counts from 0. */
function rate(prev, cur, name, where) {
  if (!prev) return null;
  const a = sum(prev.m, name, where), b = sum(cur.m, name, where);
  if (a == null || b == null) return null;
  const dt = (cur.t - prev.t) / 1000;
  return dt > 0 ? (b >= a ? b - a : b) / dt : null;
}

/** p99 from the increase of a histogram's cumulative buckets between two snapshots: the upper bound reached. */
function p99(old, cur, name) {
  if (!old) return null;
  const byLe = (m) => {
    const acc = new Map();
    for (const s of m.get(name + '_bucket') ?? []) acc.set(s.labels.le, (acc.get(s.labels.le) ?? 0) + s.value);
    return acc;
  };
  const a = byLe(old.m), b = byLe(cur.m);
  const bounds = [...b.keys()].sort((x, y) => parseNumber(x) - parseNumber(y));
  const total = (b.get('+Inf') ?? 0) - (a.get('+Inf') ?? 0);
  if (total <= 0) return null;
  for (const le of bounds) {
    if ((b.get(le) ?? 0) - (a.get(le) ?? 0) >= 0.99 * total) return parseNumber(le);
  }
  return Infinity;
}

function draw(cur) {
  const prev = history.length > 1 ? history[history.length - 2] : null;
  const old = history.length > 1 ? history[0] : null;
  const m = cur.m, t = cur.t;

  // Throughput: body bytes of every HTTP route, plus WebSocket stream and hub bytes.
  const http = rate(prev, cur, 'streamlab_http_bytes_sent_total');
  const ws = rate(prev, cur, 'streamlab_ws_stream_bytes_total');
  const hub = rate(prev, cur, 'streamlab_ws_hub_delivered_bytes_total');
  const all = http == null && ws == null && hub == null ? null : (http ?? 0) + (ws ?? 0) + (hub ?? 0);
  series.throughput.add('HTTP', t, http);
  series.throughput.add('WS stream', t, ws);
  if (hub != null) series.throughput.add('WS hub', t, hub);
  set('throughput', all == null ? 'measuring…' : bytesRate(all),
      `HTTP ${bytesRate(http)} · stream ${bytesRate(ws)} · sent so far ${mib(one(m, 'streamlab_http_bytes_sent_total'))}`);
  lineChart(document.getElementById('c-throughput'), series.throughput, t, bytesRate);

  // Clients.
  const conns = one(m, 'streamlab_http_open_connections');
  const sessions = one(m, 'streamlab_ws_stream_sessions');
  const subs = one(m, 'streamlab_ws_hub_subscribers');
  const active = one(m, 'streamlab_http_active_requests');
  series.clients.add('conns', t, conns);
  series.clients.add('streams', t, sessions);
  series.clients.add('hub subs', t, subs);
  set('clients', num(conns) + ' connections',
      `${num(sessions)} WebSocket stream sessions · ${num(subs)} hub subscribers · ${num(active)} requests in flight`);
  lineChart(document.getElementById('c-clients'), series.clients, t, (v) => num(v));

  // Per-client buffer and lag: /api/dashboard/clients (phase 4's ClientLevels, fed by /ws/stream's stats messages).
  const rows = (cur.clients?.clients ?? []).map((c) => ({ name: c.client, buffer: c.buffered_s ?? 0,
    lag: c.lag_s })).sort((a, b) => a.buffer - b.buffer);
  if (cur.clients?.observing) {
    const min = rows.length ? Math.min(...rows.map((r) => r.buffer)) : null;
    const maxLag = rows.some((r) => r.lag != null) ? Math.max(...rows.map((r) => r.lag ?? 0)) : null;
    set('buffers', rows.length ? 'min ' + seconds(min) : 'no clients',
        `${rows.length} reporting · worst lag ${seconds(maxLag)} · blue: buffered ahead · red: lag`);
  } else if (cur.clients) {
    set('buffers', 'n/a', 'this server has no /ws/stream to observe');
  } else {
    set('buffers', 'n/a', "phase 4's: it reads the players' stats messages on /ws/stream");
  }
  barChart(document.getElementById('c-buffers'), rows, seconds, cur.clients?.observing
      ? 'no WebSocket stream client is reporting right now'
      : 'no per-client levels on this server');

  // QoE: startup (mean of the players' reports), stalls.
  const startCount = one(m, 'streamlab_qoe_startup_seconds_count');
  const startSum = one(m, 'streamlab_qoe_startup_seconds_sum');
  const startup = startCount ? startSum / startCount : null;
  const stalls = one(m, 'streamlab_qoe_stalls_total');
  const stallRate = rate(prev, cur, 'streamlab_qoe_stall_milliseconds_total');
  series.qoe.add('stalled ms/s', t, stallRate ?? (prev ? 0 : null));
  series.qoe.add('sessions', t, one(m, 'streamlab_qoe_sessions_total') ?? (prev ? 0 : null));
  set('qoe', startup == null ? 'no reports' : 'startup ' + seconds(startup),
      `${num(stalls ?? 0)} stalls · ${num((one(m, 'streamlab_qoe_stall_milliseconds_total') ?? 0) / 1000, 1)} s stalled`
      + ` · ${num(one(m, 'streamlab_qoe_sessions_total') ?? 0)} sessions`);
  lineChart(document.getElementById('c-qoe'), series.qoe, t, (v) => num(v, v < 10 ? 1 : 0));

  // Cache: hit ratio over the last ~10 s (and since start).
  const hits = (s) => sum(s.m, 'streamlab_cache_hits_total');
  const lookups = (s) => hits(s) + sum(s.m, 'streamlab_cache_misses_total') + sum(s.m, 'streamlab_cache_bypasses_total');
  if (m.has('streamlab_cache_hits_total')) {
    const dl = old ? lookups(cur) - lookups(old) : 0;
    const recent = dl > 0 ? (hits(cur) - hits(old)) / dl : null;
    series.cache.add('last 10 s', t, recent);
    series.cache.add('since start', t, one(m, 'streamlab_cache_hit_ratio'));
    set('cache', pct(recent ?? one(m, 'streamlab_cache_hit_ratio')),
        `${mib(one(m, 'streamlab_cache_resident_bytes'))} of ${mib(one(m, 'streamlab_cache_capacity_bytes'))}`
        + ` · ${num(one(m, 'streamlab_cache_entries'))} entries · ${num(sum(m, 'streamlab_cache_evictions_total'))}`
        + ` evictions · ${mib(sum(m, 'streamlab_cache_bytes_saved_total'))} saved`);
  } else {
    set('cache', 'n/a', 'no chunk cache on this server');
  }
  lineChart(document.getElementById('c-cache'), series.cache, t, pct, { yMax: 1 });

  // JVM heap and GC.
  const used = one(m, 'streamlab_jvm_heap_used_bytes');
  const committed = one(m, 'streamlab_jvm_heap_committed_bytes');
  const gcRate = rate(prev, cur, 'streamlab_jvm_gc_seconds_total');
  series.heap.add('used', t, used);
  series.heap.add('committed', t, committed);
  series.heap.add('direct', t, one(m, 'streamlab_jvm_direct_buffer_bytes'));
  set('heap', mib(used),
      `committed ${mib(committed)} · direct ${mib(one(m, 'streamlab_jvm_direct_buffer_bytes'))} · GC `
      + `${num(one(m, 'streamlab_jvm_gc_collections_total'))} runs, ${gcRate == null ? '–' : (gcRate * 100).toFixed(1) + ' %'} of time`);
  lineChart(document.getElementById('c-heap'), series.heap, t, mib);

  // Copies per byte, per path.
  const paths = [['HTTP', 'streamlab_http_copies_per_byte'], ['WS', 'streamlab_ws_stream_copies_per_byte'],
    ['cache', 'streamlab_cache_copies_per_byte'], ['hub', 'streamlab_ws_hub_copies_per_byte']];
  for (const [label, name] of paths) series.copies.add(label, t, one(m, name));
  set('copies', num(one(m, 'streamlab_http_copies_per_byte'), 3),
      'HTTP video (sendfile) · ' + paths.slice(1).map(([label, name]) => `${label} ${num(one(m, name), 3)}`).join(' · '));
  lineChart(document.getElementById('c-copies'), series.copies, t, (v) => num(v, 2));

  // TTFB p99 over the last ~10 s, all routes.
  const ttfb = p99(old, cur, 'streamlab_http_ttfb_seconds');
  series.ttfb.add('p99', t, isFinite(ttfb) ? ttfb : null);
  set('ttfb', ttfb == null ? 'no requests' : (isFinite(ttfb) ? '≤ ' + seconds(ttfb) : '> 2.5 s'),
      'over the last 10 s, all routes (histogram bucket bound)');
  lineChart(document.getElementById('c-ttfb'), series.ttfb, t, seconds);
}

// Phases 2 and 3 serve this file too and answer /metrics, but /api/dashboard/clients is phase 4's: there the page
// says once which phase it belongs to, draws what their /metrics has, and never asks for the route (not a 404 a second).
const hasClientLevels = serverHas(DASHBOARD_FEATURE);
hasClientLevels.then((has) => {
  if (has) return;
  const note = document.getElementById('phase-note');
  note.textContent = otherPhaseMessage('The dashboard', 4);
  note.hidden = false;
});

async function poll() {
  try {
    const [res, clients] = await Promise.all([fetch('/metrics', { cache: 'no-store' }),
      hasClientLevels.then((has) => (has ? fetch('/api/dashboard/clients', { cache: 'no-store' })
        .then((r) => (r.ok ? r.json() : null), () => null) : null))]);
    if (!res.ok) throw new Error('HTTP ' + res.status);
    const cur = { t: Date.now(), m: parseMetrics(await res.text()), clients };
    history.push(cur);
    while (history.length > HISTORY) history.shift();
    draw(cur);
    state.polls++;
    state.lastError = null;
    document.getElementById('status').textContent = 'updated ' + new Date(cur.t).toLocaleTimeString();
    document.getElementById('status').className = 'status ok';
  } catch (e) {
    state.lastError = String(e);
    document.getElementById('status').textContent = 'cannot read /metrics: ' + e.message + ' (retrying)';
    document.getElementById('status').className = 'status bad';
  } finally {
    setTimeout(poll, POLL_MS);
  }
}

poll();
