// The playback modes the page offers. Only modes that work are listed: phase 3 adds a WebSocket/MediaSource
// mode and phase 4 a "processed live" view by importing them here; the mode switch is built from this list.

import { progressive } from './progressive.js';
import { websocket, streamEndpointAvailable } from './websocket.js';
import { live, liveEndpointAvailable } from './live.js';

// The WebSocket mode only where the server has /ws/stream (phase 3): one GET /metrics before the page starts.
export const MODES = [progressive, ...(await streamEndpointAvailable() ? [websocket] : []),
  ...(await liveEndpointAvailable() ? [live] : [])];

/** The mode with this id, or the first (default) one. */
export function findMode(id) {
  return MODES.find(m => m.id === id) || MODES[0];
}
