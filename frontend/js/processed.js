// The processed-live view: MJPEG in an <img>, WebSocket JPEG frames on a canvas, a filter switch, measured fps.
import { serverHas, otherPhaseMessage, PROCESSED_FEATURE } from './server-features.js';

const $ = id => document.getElementById(id);
const state = { video: null, filter: 'none', ws: null, wsFrames: [], mjpegFrames: [] };

function showError(msg) {
  $('error').textContent = msg;
  $('error').hidden = !msg;
}

/** Frames per second over the last 2 s of arrival times. */
function fps(times) {
  const now = performance.now();
  while (times.length && now - times[0] > 2000) times.shift();
  return times.length < 2 ? 0 : (times.length - 1) * 1000 / (times[times.length - 1] - times[0]);
}

function startMjpeg() {
  const url = `/mjpeg/${encodeURIComponent(state.video)}?filter=${state.filter}`;
  $('mjpeg-url').textContent = url;
  state.mjpegFrames = [];
  $('mjpeg').src = url;
}

// An <img> showing multipart/x-mixed-replace fires no event per part (Chromium fires 'load' at most once), so the
// MJPEG readout samples the picture itself: every animation frame it draws the <img> into a 32x18 canvas and counts
// a new frame when the pixels changed. (A still scene would undercount; video moves.)
const probe = document.createElement('canvas');
probe.width = 32; probe.height = 18;
const probeCtx = probe.getContext('2d', { willReadFrequently: true });
let lastSignature = -1;
function sampleMjpeg() {
  const img = $('mjpeg');
  if (img.naturalWidth > 0) {
    probeCtx.drawImage(img, 0, 0, probe.width, probe.height);
    const d = probeCtx.getImageData(0, 0, probe.width, probe.height).data;
    let signature = 0;
    for (let i = 0; i < d.length; i++) signature = (signature * 31 + d[i]) | 0;
    if (signature !== lastSignature) { lastSignature = signature; state.mjpegFrames.push(performance.now()); }
  }
  requestAnimationFrame(sampleMjpeg);
}
requestAnimationFrame(sampleMjpeg);
$('mjpeg').addEventListener('error', async () => {
  // The <img> hides the body of an error: ask again with fetch to show the server's message (404, 400, 503).
  const r = await fetch($('mjpeg').src, { method: 'GET' }).catch(() => null);
  if (r && !r.ok) showError(`MJPEG: ${r.status} ${(await r.json().catch(() => ({}))).error || r.statusText}`);
});

function startWebSocket() {
  if (state.ws) state.ws.close(1000, 'switching video');
  const proto = location.protocol === 'https:' ? 'wss:' : 'ws:';
  const ws = new WebSocket(`${proto}//${location.host}/ws/processed/${encodeURIComponent(state.video)}?filter=${state.filter}`);
  ws.binaryType = 'blob';
  state.ws = ws;
  state.wsFrames = [];
  const ctx = $('canvas').getContext('2d');
  let drawing = false;
  ws.onmessage = async e => {
    if (typeof e.data === 'string') {
      const msg = JSON.parse(e.data);
      if (msg.error) showError(`WebSocket: ${msg.error}`);
      else $('ws-state').textContent = `filter: ${msg.filter}`;
      return;
    }
    state.wsFrames.push(performance.now());
    if (drawing) return; // still decoding the last one: drop this frame rather than queue
    drawing = true;
    try {
      const bitmap = await createImageBitmap(e.data);
      if ($('canvas').width !== bitmap.width) { $('canvas').width = bitmap.width; $('canvas').height = bitmap.height; }
      ctx.drawImage(bitmap, 0, 0);
      bitmap.close();
    } finally {
      drawing = false;
    }
  };
  ws.onopen = () => { $('ws-state').textContent = `filter: ${state.filter}`; };
  ws.onclose = e => {
    if (state.ws !== ws) return;
    $('ws-state').textContent = `closed (${e.code})`;
    if (e.code !== 1000 && e.reason) showError(`WebSocket closed ${e.code}: ${e.reason}`);
  };
}

async function loadThumbs() {
  const base = `/thumbs/${encodeURIComponent(state.video)}`;
  $('vtt-link').href = `${base}/thumbnails.vtt`;
  $('json-link').href = `${base}/index.json`;
  const box = $('thumbs');
  box.textContent = 'Making thumbnails…';
  const r = await fetch(`${base}/index.json`);
  if (!r.ok) { box.textContent = (await r.json().catch(() => ({}))).error || r.statusText; return; }
  const index = await r.json();
  box.textContent = '';
  for (const t of index.tiles) {
    const d = document.createElement('div');
    d.title = `${t.start}–${t.end} s`;
    Object.assign(d.style, { width: `${index.tileWidth}px`, height: `${index.tileHeight}px`,
      background: `url(${base}/${index.sprite}) -${t.x}px -${t.y}px` });
    box.append(d);
  }
}

function start() {
  showError('');
  startMjpeg();
  startWebSocket();
  loadThumbs();
}

$('filter').addEventListener('change', () => {
  state.filter = $('filter').value;
  showError('');
  startMjpeg(); // MJPEG: a new request per filter
  if (state.ws && state.ws.readyState === WebSocket.OPEN) state.ws.send(state.filter); // WebSocket: one message
  else startWebSocket();
});
$('video').addEventListener('change', () => { state.video = $('video').value; start(); });

// Phases 2 and 3 serve this file too, without /mjpeg/, /ws/processed/ or /thumbs/: say so once instead of
// starting streams that can only fail.
if (await serverHas(PROCESSED_FEATURE)) {
  setInterval(() => {
    $('mjpeg-fps').textContent = `${fps(state.mjpegFrames).toFixed(1)} fps`;
    $('ws-fps').textContent = `${fps(state.wsFrames).toFixed(1)} fps`;
  }, 500);
  const params = new URLSearchParams(location.search);
  const videos = (await (await fetch('/api/videos')).json()).videos;
  for (const v of videos) $('video').append(new Option(v.title || v.id, v.id));
  state.video = params.get('video') || (videos[0] && videos[0].id);
  state.filter = params.get('filter') || 'none';
  $('filter').value = state.filter;
  if (state.video) { $('video').value = state.video; start(); } else showError('The catalog is empty.');
} else {
  showError(otherPhaseMessage('Processed live', 4));
  $('video').disabled = $('filter').disabled = true;
}
// For tests and curious students: the live numbers.
window.processedView = { fps: () => ({ mjpeg: fps(state.mjpegFrames), ws: fps(state.wsFrames) }),
  wsFrames: () => state.wsFrames.length };
