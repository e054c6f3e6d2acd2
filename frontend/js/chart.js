// The buffer-level chart: seconds buffered ahead of the playhead over the last minute, on a plain <canvas>.
// A ring of samples (one every 500 ms, so 120 for 60 s); the y axis grows to the largest value seen in the window
// (at least 10 s), and the mode's low/high watermarks, when it reports them, are dashed lines: a student sees the
// buffer fill to `high`, drain while nothing arrives, and what happens when it touches 0 (a stall).

const WINDOW_S = 60;
const MIN_TOP_S = 10;

/** Draws into `canvas`; `sample()` records, `draw()` repaints (cheap: call it only when the page is visible). */
export function bufferChart(canvas, { windowS = WINDOW_S } = {}) {
  let samples = []; // { at (ms, performance.now), buffered, low, high, stalled }

  function sample(buffered, { low = null, high = null, stalled = false } = {}) {
    const at = performance.now();
    samples.push({ at, buffered: Number.isFinite(buffered) ? Math.max(0, buffered) : 0, low, high, stalled });
    const oldest = at - windowS * 1000;
    while (samples.length && samples[0].at < oldest) samples.shift();
  }

  function colour(name, fallback) {
    const v = getComputedStyle(canvas).getPropertyValue(name).trim();
    return v || fallback;
  }

  function draw() {
    // Backing store at the device's pixel ratio, so the lines are crisp on a phone.
    const ratio = window.devicePixelRatio || 1;
    const cssW = canvas.clientWidth || 280;
    const cssH = canvas.clientHeight || 90;
    if (canvas.width !== Math.round(cssW * ratio) || canvas.height !== Math.round(cssH * ratio)) {
      canvas.width = Math.round(cssW * ratio);
      canvas.height = Math.round(cssH * ratio);
    }
    const g = canvas.getContext('2d');
    g.setTransform(ratio, 0, 0, ratio, 0, 0);
    g.clearRect(0, 0, cssW, cssH);

    const text = colour('--muted', '#5b6475');
    const line = colour('--line', '#dde1e8');
    const accent = colour('--accent', '#2563eb');
    const bad = colour('--bad', '#b42318');
    const key = colour('--key', '#f59e0b');

    const left = 26;
    const bottom = cssH - 14;
    const top = 4;
    const width = cssW - left - 4;
    const last = samples[samples.length - 1];
    let max = MIN_TOP_S;
    for (const s of samples) max = Math.max(max, s.buffered, s.high || 0);
    max = Math.ceil(max / 5) * 5;
    const now = performance.now();
    const x = at => left + width * (1 - (now - at) / (windowS * 1000));
    const y = v => bottom - (bottom - top) * (v / max);

    // Axes: 0 and max on the left, "-60 s" and "now" under the chart.
    g.font = '10px system-ui, sans-serif';
    g.fillStyle = text;
    g.strokeStyle = line;
    g.lineWidth = 1;
    g.beginPath();
    g.moveTo(left, top); g.lineTo(left, bottom); g.lineTo(left + width, bottom);
    g.stroke();
    g.textAlign = 'right';
    g.fillText(`${max} s`, left - 3, top + 8);
    g.fillText('0', left - 3, bottom);
    g.textAlign = 'left';
    g.fillText(`−${windowS} s`, left, cssH - 2);
    g.textAlign = 'right';
    g.fillText('now', left + width, cssH - 2);

    // Watermarks: the latest values the mode reported.
    g.setLineDash([4, 3]);
    for (const [value, stroke] of [[last && last.low, bad], [last && last.high, key]]) {
      if (!Number.isFinite(value)) continue;
      g.strokeStyle = stroke;
      g.beginPath();
      g.moveTo(left, y(value)); g.lineTo(left + width, y(value));
      g.stroke();
    }
    g.setLineDash([]);

    if (!samples.length) return;
    // The buffer as a filled line; stalled samples get a red mark on the axis.
    g.beginPath();
    g.moveTo(x(samples[0].at), bottom);
    for (const s of samples) g.lineTo(x(s.at), y(s.buffered));
    g.lineTo(x(last.at), bottom);
    g.closePath();
    g.globalAlpha = 0.18;
    g.fillStyle = accent;
    g.fill();
    g.globalAlpha = 1;
    g.beginPath();
    samples.forEach((s, i) => (i ? g.lineTo(x(s.at), y(s.buffered)) : g.moveTo(x(s.at), y(s.buffered))));
    g.strokeStyle = accent;
    g.lineWidth = 1.5;
    g.stroke();
    g.fillStyle = bad;
    for (const s of samples) if (s.stalled) g.fillRect(x(s.at) - 1, bottom - 3, 3, 3);
  }

  return {
    sample,
    draw,
    clear() { samples = []; },
    /** The samples in the window, oldest first: [{ t_s (seconds ago, negative), buffered_s, low_s, high_s }]. */
    samples() {
      const now = performance.now();
      return samples.map(s => ({ t_s: Math.round((s.at - now) / 100) / 10, buffered_s: Math.round(s.buffered * 1000) / 1000,
        low_s: s.low, high_s: s.high, stalled: s.stalled }));
    },
  };
}
