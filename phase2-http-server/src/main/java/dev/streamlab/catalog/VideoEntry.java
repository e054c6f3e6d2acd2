package dev.streamlab.catalog;

import dev.streamlab.mp4.Mp4File;
import java.nio.file.Path;

/**
 * One video in the catalog.
 *
 * @param id           stable, URL-safe, from the file name ({@code sample-30s-360p-h264-aac})
 * @param title        for people ({@code Sample 30s 360p H264 AAC})
 * @param file         where it is (real path, inside the media root)
 * @param relativeName path relative to the media root, as shown to users
 * @param size         bytes, when parsed
 * @param lastModified file modification time in milliseconds, when parsed
 * @param mp4          the parse, or null when the file is not a valid MP4
 * @param error        why it did not parse, or null
 */
public record VideoEntry(String id, String title, Path file, String relativeName, long size, long lastModified,
                         Mp4File mp4, String error) {
    public boolean ok() {
        return mp4 != null;
    }
}
