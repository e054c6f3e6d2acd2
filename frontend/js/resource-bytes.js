// Counts the bytes the browser fetched for one URL, from the Resource Timing API.
//
// Why Resource Timing: a <video src> downloads by itself, so the page never sees the bytes. The browser does
// record each HTTP request it made (each Range request is its own entry) with transferSize (body + headers
// as received) and encodedBodySize (body only). Caveats a student should know, and why the panel may say
// "approx.": an entry appears only when its request finishes (a download still running is not counted yet),
// a request the browser aborts may report 0, and a response served from cache reports transferSize 0.

/**
 * Starts counting requests to `url` that begin from now on (earlier views of the same video are not counted).
 * Returns { read() → { bytes, requests, approx, statuses }, stop() }.
 */
export function meterResource(url) {
  const target = new URL(url, location.href).href;
  const since = performance.now();
  const totals = { bytes: 0, requests: 0, approx: false, statuses: {} };

  const take = entry => {
    if (entry.name !== target || entry.startTime < since) return;
    totals.requests++;
    if (entry.encodedBodySize > 0 && entry.transferSize > 0) {
      totals.bytes += entry.transferSize;
    } else {
      // A media response with no body bytes reported: the browser aborted it once it had what it wanted
      // (typical after reading moov with preload="metadata"), or served it from cache. Count what is
      // reported, and say the total is approximate.
      totals.bytes += entry.transferSize || entry.encodedBodySize || 0;
      totals.approx = true;
    }
    // responseStatus (Chromium 109+) tells 206 Partial Content from a full 200, which is the point of phase 2;
    // 0 means the request ended without a complete response.
    const status = entry.responseStatus === 0 ? 'aborted' : entry.responseStatus || '?';
    totals.statuses[status] = (totals.statuses[status] || 0) + 1;
  };

  let observer = null;
  if (typeof PerformanceObserver === 'function') {
    // An observer sees every entry even when the performance timeline buffer (250 entries by default) is full.
    observer = new PerformanceObserver(list => list.getEntries().forEach(take));
    observer.observe({ type: 'resource', buffered: true });
  } else {
    totals.approx = true;
  }

  return {
    read() {
      if (observer) observer.takeRecords().forEach(take); // entries queued but not yet delivered
      return { ...totals, statuses: { ...totals.statuses } };
    },
    stop() {
      if (observer) observer.disconnect();
      observer = null;
    },
  };
}
