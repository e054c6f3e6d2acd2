package dev.streamlab.thumbs;

import java.nio.file.Path;

/**
 * A video's seek-bar previews as made on disk: one JPEG of tiles (row-major, {@code columns} wide), a WebVTT
 * thumbnails track whose cues point at tiles with Media Fragments {@code #xywh=}, and the same as JSON.
 *
 * @param dir        the cache folder holding {@link #SPRITE}, {@link #VTT}, {@link #INDEX} and {@link #POSTER}
 * @param tiles      number of tiles
 * @param interval   seconds between tiles (tile i covers {@code [i*interval, min((i+1)*interval, duration))})
 * @param duration   the video's duration in seconds (of its .y4m proxy)
 * @param tileWidth  pixels
 * @param tileHeight pixels
 * @param columns    tiles per sprite row
 */
public record SpriteSheet(Path dir, int tiles, double interval, double duration, int tileWidth, int tileHeight,
                          int columns) {
    public static final String SPRITE = "sprite.jpg";
    public static final String VTT = "thumbnails.vtt";
    public static final String INDEX = "index.json";
    public static final String POSTER = "poster.jpg";
}
