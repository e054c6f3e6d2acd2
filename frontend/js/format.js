// Number formatting shared by the catalog, controls and stats panel (one place, so units agree everywhere).

/** 75.4 → "1:15"; 3725 → "1:02:05"; NaN/Infinity → "–:––" (duration unknown yet). */
export function clock(seconds) {
  if (!Number.isFinite(seconds) || seconds < 0) return '–:––';
  const s = Math.floor(seconds);
  const hh = Math.floor(s / 3600);
  const mm = Math.floor((s % 3600) / 60);
  const ss = String(s % 60).padStart(2, '0');
  return hh > 0 ? `${hh}:${String(mm).padStart(2, '0')}:${ss}` : `${mm}:${ss}`;
}

/** Binary units, because file sizes and the server's counters are in bytes: 692874 → "676.6 KiB". */
export function bytes(n) {
  if (!Number.isFinite(n)) return '–';
  if (n < 1024) return `${n} B`;
  const units = ['KiB', 'MiB', 'GiB', 'TiB'];
  let v = n / 1024;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) { v /= 1024; i++; }
  return `${v.toFixed(v < 10 ? 2 : 1)} ${units[i]}`;
}

/** 184766 → "185 kb/s" (decimal kilobits, as encoders and ffprobe report bitrates). */
export function bitrate(bitsPerSecond) {
  if (!Number.isFinite(bitsPerSecond) || bitsPerSecond <= 0) return '';
  return bitsPerSecond >= 1e6 ? `${(bitsPerSecond / 1e6).toFixed(1)} Mb/s` : `${Math.round(bitsPerSecond / 1000)} kb/s`;
}

/** Seconds with a fixed number of decimals and a unit: 1.234 → "1.2 s". */
export function secs(seconds, digits = 1) {
  return Number.isFinite(seconds) ? `${seconds.toFixed(digits)} s` : '–';
}

/** Byte offsets are easier to compare with thousands separators: 27499 → "27,499". */
export function grouped(n) {
  return Number.isFinite(n) ? n.toLocaleString('en-US') : '–';
}
