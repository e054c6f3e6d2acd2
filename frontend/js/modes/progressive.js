// Phase 2's playback mode: hand the MP4's URL to <video> and let the browser stream it.
//
// The browser does all the work here: it reads the moov box (codecs, sample tables), then fetches media data
// with HTTP Range requests as playback and seeks need it. That is why the server's Range support matters,
// and why a file with moov at the end costs an extra request to the tail before the first frame.
//
// A mode is an object { id, label, description, attach(video, entry), detach(), bytesLoaded() }.
// Later phases add modes beside this one (WebSocket + MediaSource), registered in modes/index.js.

import { mediaUrl } from '../api.js';
import { meterResource } from '../resource-bytes.js';

let current = null; // { video, meter } while attached

export const progressive = {
  id: 'progressive',
  label: 'Progressive (HTTP Range)',
  description: 'The browser fetches the MP4 itself, with HTTP Range requests for the parts it needs.',

  /** Starts loading `entry` into `video` (metadata only until someone calls play()). */
  attach(video, entry) {
    this.detach();
    const url = mediaUrl(entry);
    const meter = meterResource(url); // before src is set, so the first request is counted
    current = { video, meter };
    video.preload = 'metadata';
    video.src = url;
  },

  /** Stops the download and frees the decoder: an unused <video> with a src keeps its connection open. */
  detach() {
    if (!current) return;
    const { video, meter } = current;
    current = null;
    meter.stop();
    video.removeAttribute('src');
    video.load(); // the spec's way to abort the fetch and reset the element
  },

  /** What went over the wire for this view: { bytes, requests, approx, statuses }. */
  bytesLoaded() {
    return current ? current.meter.read() : { bytes: 0, requests: 0, approx: false, statuses: {} };
  },
};
