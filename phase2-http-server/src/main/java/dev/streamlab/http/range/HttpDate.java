package dev.streamlab.http.range;

import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.Optional;

/**
 * HTTP-date (RFC 9110 §5.6.7): formats the preferred IMF-fixdate and parses all three historical forms.
 * <pre>
 *   IMF-fixdate   Sun, 06 Nov 1994 08:49:37 GMT    ; the only form a sender may generate
 *   rfc850-date   Sunday, 06-Nov-94 08:49:37 GMT   ; obsolete, two-digit year
 *   asctime-date  Sun Nov  6 08:49:37 1994         ; obsolete, ANSI C asctime()
 * </pre>
 * §5.6.7: "A recipient that parses a timestamp value in an HTTP field MUST accept all three HTTP-date formats"
 * and "HTTP-date is case sensitive". Parsing is strict about layout, names and ranges: a value that does not parse
 * is "not a valid HTTP-date", and every conditional header treats that as absent (§13.1.3, §13.1.4), which is
 * always safe (the client gets a full answer). Like most servers, the day-name is checked for spelling but not
 * against the date: a client that gets the weekday wrong still means the date it wrote.
 *
 * <p>Not {@code DateTimeFormatter.RFC_1123_DATE_TIME}: it formats the 6th of November as {@code "Sun, 6 Nov"}
 * (IMF-fixdate needs {@code 06}), and parses offsets other than GMT, which HTTP-date forbids.
 */
public final class HttpDate {
    private static final String[] DAYS = {"Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"};
    private static final String[] LONG_DAYS = {"Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday",
        "Sunday"};
    private static final String[] MONTHS = {"Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct",
        "Nov", "Dec"};
    /** 0000-01-01T00:00:00Z and 9999-12-31T23:59:59Z: the four-digit years HTTP-date can write. */
    private static final Instant MIN = LocalDateTime.of(0, 1, 1, 0, 0).toInstant(ZoneOffset.UTC);
    private static final Instant MAX = LocalDateTime.of(9999, 12, 31, 23, 59, 59).toInstant(ZoneOffset.UTC);

    private HttpDate() {
    }

    /** Whether {@code t} has a four-digit year, so that {@link #format} can write it. */
    public static boolean isRepresentable(Instant t) {
        return !t.isBefore(MIN) && !t.isAfter(MAX);
    }

    /**
     * Formats {@code t} as an IMF-fixdate, dropping fractions of a second: {@code Sun, 06 Nov 1994 08:49:37 GMT}.
     *
     * @throws IllegalArgumentException if the year has more than four digits or is negative
     */
    public static String format(Instant t) {
        if (!isRepresentable(t)) throw new IllegalArgumentException(t + " has no four-digit year");
        LocalDateTime d = LocalDateTime.ofEpochSecond(t.getEpochSecond(), 0, ZoneOffset.UTC);
        StringBuilder sb = new StringBuilder(29);
        sb.append(DAYS[d.getDayOfWeek().ordinal()]).append(", ");
        two(sb, d.getDayOfMonth()).append(' ').append(MONTHS[d.getMonthValue() - 1]).append(' ');
        two(sb, d.getYear() / 100);
        two(sb, d.getYear() % 100).append(' ');
        two(sb, d.getHour()).append(':');
        two(sb, d.getMinute()).append(':');
        two(sb, d.getSecond()).append(" GMT");
        return sb.toString();
    }

    /** Parses any of the three forms; a two-digit rfc850 year is resolved against the current clock. */
    public static Optional<Instant> parse(String value) {
        return parse(value, Instant.now());
    }

    /**
     * Parses any of the three forms, surrounded by optional whitespace.
     *
     * @param value the field value, or null
     * @param now   the current time, which decides the century of a two-digit rfc850 year
     * @return the instant, or empty if {@code value} is not an HTTP-date
     */
    public static Optional<Instant> parse(String value, Instant now) {
        if (value == null) return Optional.empty();
        int s = RangeHeader.skipOws(value, 0);
        String v = value.substring(s, RangeHeader.trimOws(value, s, value.length()));
        if (v.length() == 29 && v.charAt(3) == ',') return imfFixdate(v);
        if (v.length() == 24 && v.charAt(3) == ' ') return asctime(v);
        return rfc850(v, now);
    }

    /** {@code Sun, 06 Nov 1994 08:49:37 GMT}. */
    private static Optional<Instant> imfFixdate(String v) {
        if (indexOf(DAYS, v, 0) < 0 || !at(v, 3, ", ") || v.charAt(7) != ' ' || v.charAt(11) != ' '
                || v.charAt(16) != ' ' || !at(v, 25, " GMT")) {
            return Optional.empty();
        }
        return of(digits(v, 12, 4), indexOf(MONTHS, v, 8) + 1, digits(v, 5, 2), v, 17);
    }

    /** {@code Sunday, 06-Nov-94 08:49:37 GMT}. */
    private static Optional<Instant> rfc850(String v, Instant now) {
        int comma = v.indexOf(", ");
        if (comma < 0 || indexOfWhole(LONG_DAYS, v.substring(0, comma)) < 0) return Optional.empty();
        String r = v.substring(comma + 2); // "06-Nov-94 08:49:37 GMT"
        if (r.length() != 22 || r.charAt(2) != '-' || r.charAt(6) != '-' || r.charAt(9) != ' '
                || !at(r, 18, " GMT")) {
            return Optional.empty();
        }
        int yy = digits(r, 7, 2);
        if (yy < 0) return Optional.empty();
        // §5.6.7: "Recipients of a timestamp value in rfc850-date format, which uses a two-digit year, MUST
        // interpret a timestamp that appears to be more than 50 years in the future as representing the most
        // recent year in the past that had the same last two digits."
        int thisYear = LocalDateTime.ofEpochSecond(now.getEpochSecond(), 0, ZoneOffset.UTC).getYear();
        int year = thisYear - Math.floorMod(thisYear, 100) + yy;
        if (year > thisYear + 50) year -= 100;
        return of(year, indexOf(MONTHS, r, 3) + 1, digits(r, 0, 2), r, 10);
    }

    /** {@code Sun Nov  6 08:49:37 1994}: the day is space-padded ({@code " 6"}) or two digits. */
    private static Optional<Instant> asctime(String v) {
        if (indexOf(DAYS, v, 0) < 0 || v.charAt(7) != ' ' || v.charAt(10) != ' ' || v.charAt(19) != ' ') {
            return Optional.empty();
        }
        int day = v.charAt(8) == ' ' ? digits(v, 9, 1) : digits(v, 8, 2);
        return of(digits(v, 20, 4), indexOf(MONTHS, v, 4) + 1, day, v, 11);
    }

    /** Builds the instant after checking every field; {@code time} is the index of "hh:mm:ss" in {@code v}. */
    private static Optional<Instant> of(int year, int month, int day, String v, int time) {
        if (v.charAt(time + 2) != ':' || v.charAt(time + 5) != ':') return Optional.empty();
        int hour = digits(v, time, 2);
        int minute = digits(v, time + 3, 2);
        int second = digits(v, time + 6, 2);
        if (year < 0 || month < 1 || day < 1 || day > java.time.YearMonth.of(year, month).lengthOfMonth()
                || hour < 0 || hour > 23 || minute < 0 || minute > 59 || second < 0 || second > 60) {
            return Optional.empty();
        }
        // §5.6.7 allows second 60 for a leap second; java.time has none, so it means the last second of the minute.
        LocalDateTime t = LocalDateTime.of(year, month, day, hour, minute, Math.min(second, 59));
        return Optional.of(t.toInstant(ZoneOffset.UTC));
    }

    /** The value of {@code count} ASCII digits at {@code v[from..]}, or -1 if any is not a digit. */
    private static int digits(String v, int from, int count) {
        int n = 0;
        for (int i = from; i < from + count; i++) {
            char c = v.charAt(i);
            if (c < '0' || c > '9') return -1;
            n = n * 10 + (c - '0');
        }
        return n;
    }

    /** Index in {@code names} of the three-letter name at {@code v[from..from+3)}, case-sensitively, or -1. */
    private static int indexOf(String[] names, String v, int from) {
        for (int i = 0; i < names.length; i++) {
            if (v.startsWith(names[i], from)) return i;
        }
        return -1;
    }

    private static int indexOfWhole(String[] names, String v) {
        for (int i = 0; i < names.length; i++) {
            if (names[i].equals(v)) return i;
        }
        return -1;
    }

    private static boolean at(String v, int from, String expected) {
        return v.startsWith(expected, from);
    }

    private static StringBuilder two(StringBuilder sb, int n) {
        return sb.append((char) ('0' + n / 10)).append((char) ('0' + n % 10));
    }
}
