// Custom player controls, drawn from the <video> element's own state. The point for a student: the seek bar
// shows video.buffered (the time ranges the browser holds), so you can watch Range requests fill it in,
// and a seek into a gap start a new one. Keyframe ticks show where a decoder can start.

import { $, h } from './dom.js';
import { clock } from './format.js';
import { tileAt } from './thumbnails.js';

const SEEK_STEP_S = 5;
/** Seek-bar previews are drawn at most this wide (CSS px); bigger sprite tiles are scaled down. */
const PREVIEW_MAX_WIDTH = 160;

/** Focused elements that take typed keys (letters and arrows must not trigger shortcuts there). */
function takesTyping(el) {
  if (!el || el === document.body) return false;
  const tag = el.tagName;
  return el.isContentEditable || tag === 'SELECT' || tag === 'TEXTAREA' || (tag === 'INPUT' && el.type !== 'range');
}

/** Focused elements that already do something with Space (a button clicks itself, <details> toggles). */
function ownsSpace(el) {
  if (takesTyping(el)) return true;
  const tag = el && el.tagName;
  return tag === 'BUTTON' || tag === 'SUMMARY' || tag === 'A';
}

/**
 * Wires the controls in index.html to `video`. `onPlayRequest()` runs whenever the viewer asks to play
 * (QoE starts the startup clock there); `onPlayError(e)` when play() is refused.
 * Returns { render(), togglePlay(), requestPlay(), setDurationHint(s), setLive(on), setKeyframes(times),
 * setThumbnails(sheet) }.
 */
export function setupControls(video, { onPlayRequest = () => {}, onPlayError = () => {} } = {}) {
  const player = $('player');
  const play = $('play');
  const seek = $('seek');
  const bufferedBar = $('seek-buffered');
  const playedBar = $('seek-played');
  const keyframeBar = $('seek-keyframes');
  const current = $('time-current');
  const total = $('time-duration');
  const mute = $('mute');
  const fullscreen = $('fullscreen');
  const status = $('player-status');

  let durationHint = NaN; // from the catalog, until the browser has read the moov box
  let live = false;       // a live mode: no duration, the time shows "live"
  let keyframes = [];
  let dragging = false;
  let sheet = null;       // phase 4's sprite sheet of this video (thumbnails.js loadSheet), or null

  // Hover preview over the seek bar: the time under the pointer, and its sprite tile when there is a sheet.
  const previewImage = h('div', { class: 'seek-preview-image' });
  const previewTime = h('span', { class: 'seek-preview-time' });
  const preview = h('div', { id: 'seek-preview', class: 'seek-preview', hidden: true, 'aria-hidden': 'true' },
    previewImage, previewTime);
  seek.parentElement.append(preview);

  const duration = () => (Number.isFinite(video.duration) && video.duration > 0 ? video.duration : durationHint);

  const requestPlay = () => {
    onPlayRequest();
    const p = video.play();
    // AbortError: another video was selected meanwhile, not a failure.
    if (p && p.catch) p.catch(e => { if (e.name !== 'AbortError') onPlayError(e); });
  };
  const togglePlay = () => {
    if (!video.currentSrc && !video.src) return;
    if (video.paused || video.ended) requestPlay(); else video.pause();
  };
  const seekTo = t => {
    const d = duration();
    if (!Number.isFinite(d)) return;
    video.currentTime = Math.min(Math.max(0, t), d);
    render();
  };

  function renderBuffered(d) {
    const ranges = video.buffered;
    while (bufferedBar.children.length < ranges.length) bufferedBar.append(h('div', { class: 'range' }));
    while (bufferedBar.children.length > ranges.length) bufferedBar.lastChild.remove();
    for (let i = 0; i < ranges.length; i++) {
      const bar = bufferedBar.children[i];
      bar.style.left = `${(ranges.start(i) / d) * 100}%`;
      bar.style.width = `${((ranges.end(i) - ranges.start(i)) / d) * 100}%`;
    }
  }

  function renderKeyframes() {
    const d = duration();
    // Ticks closer than 3 px would merge into a solid bar that says nothing: then leave them out.
    const dense = keyframes.length * 3 > keyframeBar.clientWidth;
    if (!Number.isFinite(d) || !keyframes.length || dense) { keyframeBar.replaceChildren(); return; }
    keyframeBar.replaceChildren(...keyframes.map(t => h('span', { class: 'tick', style: `left:${(t / d) * 100}%` })));
  }

  function render() {
    const d = duration();
    const known = Number.isFinite(d) && d > 0;
    const t = dragging ? Number(seek.value) : video.currentTime;
    seek.max = known ? String(d) : '0';
    seek.disabled = !known;
    if (!dragging) seek.value = String(t);
    seek.setAttribute('aria-valuetext', `${clock(t)} of ${clock(d)}`);
    playedBar.style.width = known ? `${(t / d) * 100}%` : '0';
    if (known) renderBuffered(d); else bufferedBar.replaceChildren();
    current.textContent = clock(t);
    total.textContent = live && !known ? 'live' : clock(d);

    const playing = !video.paused && !video.ended;
    play.dataset.state = playing ? 'pause' : 'play';
    play.setAttribute('aria-label', playing ? 'Pause' : 'Play');
    mute.dataset.state = video.muted || video.volume === 0 ? 'muted' : 'sound';
    mute.setAttribute('aria-label', video.muted ? 'Unmute' : 'Mute');
    mute.setAttribute('aria-pressed', String(video.muted));
  }

  // Redraw every frame while playing (smooth playhead), and on every state change otherwise.
  let frame = 0;
  const loop = () => {
    render();
    frame = !video.paused && !document.hidden ? requestAnimationFrame(loop) : 0;
  };
  const kick = () => { if (!frame) frame = requestAnimationFrame(loop); };
  for (const type of ['loadedmetadata', 'durationchange', 'progress', 'timeupdate', 'seeking', 'seeked', 'pause',
    'ended', 'emptied', 'volumechange']) video.addEventListener(type, render);
  video.addEventListener('play', kick);
  video.addEventListener('playing', kick);
  document.addEventListener('visibilitychange', kick);
  video.addEventListener('durationchange', renderKeyframes);
  new ResizeObserver(() => renderKeyframes()).observe(keyframeBar); // density depends on the bar's width

  // "Buffering…" over the picture while the element waits for data (a stall, a seek, or startup).
  const setStatus = text => { status.textContent = text; status.hidden = !text; };
  video.addEventListener('waiting', () => setStatus('Buffering…'));
  for (const type of ['playing', 'pause', 'seeked', 'emptied', 'error']) video.addEventListener(type, () => setStatus(''));

  function showPreview(e) {
    const d = duration();
    const rect = seek.getBoundingClientRect();
    if (live || !Number.isFinite(d) || d <= 0 || rect.width <= 0) { preview.hidden = true; return; }
    const fraction = Math.min(Math.max((e.clientX - rect.left) / rect.width, 0), 1);
    const t = fraction * d;
    previewTime.textContent = clock(t);
    preview.dataset.time = t.toFixed(3);
    if (sheet) {
      // One tile of the sprite: the box is the tile's size, the sprite is shifted so the tile shows through it.
      const tile = tileAt(sheet, t);
      const scale = Math.min(1, PREVIEW_MAX_WIDTH / sheet.tileWidth);
      Object.assign(previewImage.style, {
        width: `${sheet.tileWidth * scale}px`,
        height: `${sheet.tileHeight * scale}px`,
        backgroundImage: `url("${sheet.url}")`,
        backgroundSize: `${sheet.columns * sheet.tileWidth * scale}px ${sheet.rows * sheet.tileHeight * scale}px`,
        backgroundPosition: `${-tile.x * scale}px ${-tile.y * scale}px`,
      });
      preview.dataset.tileX = String(tile.x);
      preview.dataset.tileY = String(tile.y);
    }
    previewImage.hidden = !sheet;
    preview.hidden = false;
    // Centred on the pointer, kept inside the seek bar so it is never cut off at either end.
    const half = preview.offsetWidth / 2;
    const x = Math.min(Math.max(fraction * rect.width, half), Math.max(half, rect.width - half));
    preview.style.left = `${x - half}px`;
  }
  const hidePreview = () => { preview.hidden = true; };
  seek.addEventListener('pointermove', showPreview);
  seek.addEventListener('pointerleave', hidePreview);
  // A finger lifted (touch, pen) leaves no hover behind.
  seek.addEventListener('pointerup', e => { if (e.pointerType !== 'mouse') hidePreview(); });

  play.addEventListener('click', togglePlay);
  video.addEventListener('click', togglePlay);
  mute.addEventListener('click', () => { video.muted = !video.muted; });

  // While dragging, show where the seek would land; seek once, on release (each seek may cost a Range request).
  seek.addEventListener('input', () => { dragging = true; render(); });
  seek.addEventListener('change', () => { dragging = false; seekTo(Number(seek.value)); });
  // A drag released where it started fires no `change`: stop previewing anyway.
  const endDrag = () => setTimeout(() => { if (dragging) { dragging = false; render(); } });
  seek.addEventListener('pointerup', endDrag);
  seek.addEventListener('pointercancel', endDrag);
  seek.addEventListener('blur', endDrag);
  seek.addEventListener('keydown', e => {
    const d = duration();
    const step = { ArrowLeft: -SEEK_STEP_S, ArrowDown: -SEEK_STEP_S, ArrowRight: SEEK_STEP_S, ArrowUp: SEEK_STEP_S,
      PageDown: -d / 10, PageUp: d / 10 }[e.key];
    if (step != null) seekTo(video.currentTime + step);
    else if (e.key === 'Home') seekTo(0);
    else if (e.key === 'End') seekTo(d);
    else return;
    e.preventDefault();
  });

  if (document.fullscreenEnabled) {
    fullscreen.addEventListener('click', () => {
      if (document.fullscreenElement) document.exitFullscreen(); else player.requestFullscreen();
    });
    document.addEventListener('fullscreenchange', () => {
      fullscreen.setAttribute('aria-label', document.fullscreenElement ? 'Exit full screen' : 'Full screen');
    });
  } else {
    fullscreen.hidden = true;
  }

  // Page shortcuts: Space or K play/pause, ←/→ seek 5 s, M mute (unless a focused control uses the key itself).
  document.addEventListener('keydown', e => {
    if (e.defaultPrevented || e.altKey || e.ctrlKey || e.metaKey) return;
    const target = e.target;
    if (e.key === ' ' || e.key === 'k') {
      if (e.key === ' ' ? ownsSpace(target) : takesTyping(target)) return;
      e.preventDefault(); // Space would scroll the page
      togglePlay();
    } else if ((e.key === 'ArrowLeft' || e.key === 'ArrowRight') && !takesTyping(target) && target !== seek) {
      e.preventDefault();
      seekTo(video.currentTime + (e.key === 'ArrowLeft' ? -SEEK_STEP_S : SEEK_STEP_S));
    } else if (e.key === 'm' && !takesTyping(target)) {
      video.muted = !video.muted;
    }
  });

  render();
  return {
    render,
    togglePlay,
    requestPlay,
    setDurationHint(s) { durationHint = Number(s); render(); renderKeyframes(); },
    setLive(on) { live = on; if (on) preview.hidden = true; render(); },
    /** Phase 4's sprite sheet for the hover preview (null: time only). */
    setThumbnails(s) {
      sheet = s;
      delete preview.dataset.tileX;
      delete preview.dataset.tileY;
      if (s) new Image().src = s.url; // fetch the sprite now, so the first hover has its picture
    },
    setKeyframes(times) { keyframes = times; renderKeyframes(); },
  };
}
