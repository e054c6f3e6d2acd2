package dev.streamlab.y4m;

import dev.streamlab.pixels.YuvImage;

/**
 * One frame of a .y4m file: its planes are {@code slice()}s of the reader's mapping, so reading a frame copies no
 * pixel and allocates only these small view objects. Read-only: filters run on a copy ({@link YuvImage#copyInto}).
 *
 * @param index  0-based frame number
 * @param offset file offset of the pixel payload (after the FRAME line)
 * @param image  the planes, views of the mapped file
 */
public record Frame(int index, long offset, YuvImage image) {
    /** Presentation time in seconds at the stream's frame rate. */
    public double seconds(Y4mHeader header) {
        return index * (double) header.fpsDen() / header.fpsNum();
    }
}
