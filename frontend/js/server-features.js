// Which optional features the page's server has (phase 2 has no WebSocket, only phase 4 makes thumbnails...),
// told by the metrics each feature registers when it is installed. One GET /metrics per page, shared by every
// question: phases 2 to 4 answer it, so no page logs a failed request for a feature its server lacks.

/** Phase 4's dashboard: DashboardRoute.install registers these JVM gauges with /api/dashboard/clients. */
export const DASHBOARD_FEATURE = 'streamlab_jvm_gc_collections_total'; // phases 2 and 3 export heap_used, not this
/** Phase 4's processed view: FrameProcessing.install registers it with /mjpeg/, /ws/processed/ and /thumbs/. */
export const PROCESSED_FEATURE = 'streamlab_processed_streams';

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

/**
 * What a page says when its server is another phase's (every phase serves all of frontend/, so a bookmark can open a
 * phase 4 page on phase 3): which phase serves it and the command that starts that phase, instead of its requests
 * failing one by one.
 */
export function otherPhaseMessage(page, phase) {
  const command = `./lab run phase${phase}` + (phase === 4 ? ' (or just ./lab run)' : ''); // 4 is the default
  return `${page} is a phase ${phase} page, and this server is another phase: it does not serve what the page needs. ` +
    `Stop this server and start phase ${phase} with ${command}, then reload.`;
}
