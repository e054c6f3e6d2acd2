package dev.streamlab.y4m;

import dev.streamlab.pixels.YuvImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** Writes small synthetic .y4m files for tests: frame {@code i}'s every Y byte is {@code i}, U is 100+i, V 200-i. */
public final class Y4mFiles {
    private Y4mFiles() {}

    public static Path write(Path file, int w, int h, int frames, String header) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(header.getBytes(StandardCharsets.US_ASCII));
        int c = YuvImage.chroma(w) * YuvImage.chroma(h);
        for (int i = 0; i < frames; i++) {
            out.writeBytes((i % 2 == 0 ? "FRAME\n" : "FRAME Ixyz\n").getBytes(StandardCharsets.US_ASCII));
            for (int k = 0; k < w * h; k++) out.write(i);
            for (int k = 0; k < c; k++) out.write(100 + i);
            for (int k = 0; k < c; k++) out.write(200 - i);
        }
        return Files.write(file, out.toByteArray());
    }

    public static Path write(Path file, int w, int h, int frames) throws IOException {
        return write(file, w, h, frames, Y4mHeader.line(w, h, 15, 1));
    }
}
