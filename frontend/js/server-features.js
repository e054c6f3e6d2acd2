// Which optional features the page's server has (phase 2 has no WebSocket, only phase 4 makes thumbnails...),
// told by the metrics each feature registers when it is installed. One GET /metrics per page, shared by every
// question: every phase answers it, so no page logs a failed request for a feature its server lacks.

let metrics = null; // the promise of the first scrape's text ('' when it failed)

/** True when the server's /metrics mentions `name` (a metric name or a prefix of one). */
export async function serverHas(name) {
  if (!metrics) {
    metrics = fetch('/metrics', { cache: 'no-store' })
      .then(res => (res.ok ? res.text() : ''))
      .catch(() => '');
  }
  return (await metrics).includes(name);
}
