package dev.streamlab.http.range;

import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.concurrent.TimeUnit;

/**
 * The validators of one representation (RFC 9110 §8.8): what the server sends as {@code ETag} and
 * {@code Last-Modified}, and what conditional requests are compared against.
 *
 * <p>{@code lastModified} is kept truncated to whole seconds, because that is all an HTTP-date can carry: comparing
 * a file's nanosecond mtime with a date the client copied from our own Last-Modified would otherwise say
 * "modified" for an unchanged file.
 *
 * @param etag         the entity tag, or null when the representation has none
 * @param lastModified the modification time, whole seconds, or null when unknown; a four-digit year
 */
public record Validators(EntityTag etag, Instant lastModified) {
    public Validators {
        if (lastModified != null) {
            lastModified = lastModified.truncatedTo(ChronoUnit.SECONDS);
            if (!HttpDate.isRepresentable(lastModified)) {
                throw new IllegalArgumentException(lastModified + " cannot be written as an HTTP-date");
            }
        }
    }

    /**
     * Validators for a file of {@code size} bytes last modified at {@code mtime}: a strong ETag
     * {@code "<size hex>-<mtime nanoseconds hex>"} and Last-Modified from the mtime.
     *
     * <p>Why this ETag is strong (§8.8.1: a strong validator changes whenever the bytes change): a file rewritten
     * in place gets a new mtime, and at nanosecond resolution (what ext4, XFS, APFS and NTFS keep) two writes that
     * leave the same size and the same mtime are practically impossible. nginx builds its ETag the same way from
     * size and mtime, only in seconds. The inode is left out on purpose: Apache's default ETag used to include it
     * and broke validation across servers sharing the same files, so Apache 2.4 dropped it. Residual risk: on a
     * file system with one-second mtimes (HFS+, FAT has two), a same-size rewrite within that second keeps the tag.
     *
     * <p>An mtime without a four-digit year (clock or archive damage) gives no Last-Modified rather than an error.
     */
    public static Validators forFile(long size, FileTime mtime) {
        if (size < 0) throw new IllegalArgumentException("negative size " + size);
        long nanos = mtime.to(TimeUnit.NANOSECONDS); // saturates far from 1970; still a stable tag
        EntityTag etag = EntityTag.strong(Long.toHexString(size) + "-" + Long.toHexString(nanos));
        Instant instant = mtime.toInstant();
        return new Validators(etag, HttpDate.isRepresentable(instant) ? instant : null);
    }

    /** {@link #forFile(long, FileTime)} with an mtime in epoch milliseconds, as {@code File.lastModified()} gives. */
    public static Validators forFile(long size, long lastModifiedMillis) {
        return forFile(size, FileTime.fromMillis(lastModifiedMillis));
    }

    /**
     * These validators with Last-Modified no later than {@code now}. RFC 9110 §8.8.2.1: "An origin server with a
     * clock MUST NOT generate a Last-Modified date that is later than the server's time of message origination
     * (Date). If the last modification time is derived from implementation-specific metadata that evaluates to
     * some time in the future, according to the origin server's clock, then the origin server MUST replace that
     * value with the message origination date." A file copied from a machine whose clock runs ahead has such an
     * mtime.
     */
    public Validators notAfter(Instant now) {
        if (lastModified == null || !lastModified.isAfter(now)) return this;
        return new Validators(etag, now);
    }
}
