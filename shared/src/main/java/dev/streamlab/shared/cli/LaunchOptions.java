package dev.streamlab.shared.cli;

import java.net.BindException;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.net.URI;
import java.nio.channels.UnresolvedAddressException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The options every phase's server takes: {@code --host H --port N --media DIR}.
 *
 * <p>Like the JDK's {@code jwebserver}, the default host is the loopback address: a lab server is reachable from
 * other machines only when the student says so with {@code --host 0.0.0.0}.
 *
 * @param host  address to bind
 * @param port  TCP port, 0 for any free port
 * @param media folder holding the videos to serve
 * @param rest  arguments this class does not know, left for the phase to read
 */
public record LaunchOptions(String host, int port, Path media, List<String> rest) {
    public static final String DEFAULT_HOST = "127.0.0.1";
    public static final int DEFAULT_PORT = 8080;
    /** The options this class reads, for the start of a phase's usage line. */
    public static final String USAGE = "[--host H] [--port N] [--media DIR]";
    /** What they mean, one line each, for a phase's {@code --help}. */
    public static final String OPTIONS = """
              --host H         address to listen on (default 127.0.0.1; 0.0.0.0 for every interface)
              --port N         TCP port (default 8080; 0 picks a free one and prints it)
              --media DIR      folder of videos to serve (default: the bundled samples, media/)
            """;

    public LaunchOptions {
        if (port < 0 || port > 65_535) throw new IllegalArgumentException("--port must be 0..65535, was " + port);
        rest = List.copyOf(rest);
    }

    /**
     * Parses {@code args}.
     *
     * @param defaultMedia the media folder when {@code --media} is absent
     * @throws IllegalArgumentException with a message fit for the command line, when an option is malformed or
     *                                  the media folder is not a readable directory
     */
    public static LaunchOptions parse(List<String> args, Path defaultMedia) {
        String host = DEFAULT_HOST;
        int port = DEFAULT_PORT;
        Path media = defaultMedia;
        List<String> rest = new ArrayList<>();
        for (int i = 0; i < args.size(); i++) {
            String a = args.get(i);
            switch (a) {
                case "--host" -> host = value(args, ++i, a);
                case "--port" -> {
                    String v = value(args, ++i, a);
                    try {
                        port = Integer.parseInt(v);
                    } catch (NumberFormatException e) {
                        throw new IllegalArgumentException("--port needs a number, got '" + v + "'");
                    }
                }
                case "--media" -> media = Path.of(value(args, ++i, a));
                default -> rest.add(a);
            }
        }
        if (media == null) throw new IllegalArgumentException("no media folder: pass --media DIR");
        if (!Files.isDirectory(media)) throw new IllegalArgumentException("--media " + media + " is not a directory");
        if (!Files.isReadable(media)) throw new IllegalArgumentException("--media " + media + " is not readable");
        return new LaunchOptions(host, port, media.toAbsolutePath().normalize(), rest);
    }

    /**
     * Whether {@code args} ask for help: {@code -h} or {@code --help} anywhere, as most command-line tools read them.
     * A server's main then prints its usage and exits 0 instead of starting (or naming the flag an unknown argument).
     */
    public static boolean wantsHelp(String... args) {
        for (String a : args) {
            if (a.equals("-h") || a.equals("--help")) return true;
        }
        return false;
    }

    /**
     * The bundled samples: the {@code streamlab.media} system property (set by {@code ./lab} and the build), else
     * {@code media/} in the working directory or one of its parents.
     */
    public static Path bundledMedia() {
        String prop = System.getProperty("streamlab.media");
        if (prop != null && !prop.isBlank()) return Path.of(prop);
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            Path candidate = dir.resolve("media");
            if (Files.isDirectory(candidate)) return candidate;
        }
        return null;
    }

    /**
     * The URL a server listening at {@code bound} is reached at, as its main prints it: a wildcard bind
     * ({@code --host 0.0.0.0} or {@code ::}) is announced as 127.0.0.1, which always reaches it from this machine, and
     * an IPv6 address goes in brackets (RFC 3986 §3.2.2), its zone's {@code %} escaped as {@code %25} (RFC 6874).
     */
    public static URI urlOf(InetSocketAddress bound) {
        InetAddress address = bound.getAddress();
        String host = address.isAnyLocalAddress() ? DEFAULT_HOST
                : address instanceof Inet6Address ? "[" + address.getHostAddress().replace("%", "%25") + "]"
                : address.getHostAddress();
        return URI.create("http://" + host + ":" + bound.getPort() + "/");
    }

    /**
     * Why a server could not start, for the command line: what a main prints after {@code "phaseN: "} when
     * {@link #parse} or the server's start threw. Each exception the start can end in is turned into what to do
     * about it, where the JDK's own text says little: {@code --host 999.1.1.1} fails with an
     * {@link UnresolvedAddressException} (an {@code IllegalArgumentException} whose message is null) or
     * a {@link SocketException} "Unresolved address", a busy port with a {@link BindException} saying "Address already
     * in use".
     */
    public static String startFailure(Exception e) {
        boolean unresolved = e instanceof UnresolvedAddressException
                // what jdk.httpserver's bind turns it into (sun.nio.ch.Net translates it for the socket adaptor)
                || e instanceof SocketException && "Unresolved address".equals(e.getMessage());
        if (unresolved) return "cannot resolve the host to listen on; try --host 127.0.0.1 or --host 0.0.0.0";
        if (e instanceof BindException) {
            return "cannot listen there (" + e.getMessage() + "): is the port in use? Try --port 0";
        }
        return e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName();
    }

    private static String value(List<String> args, int i, String option) {
        // An empty value is no value: --media '' would otherwise serve the working directory and all below it.
        if (i >= args.size() || args.get(i).isBlank()) throw new IllegalArgumentException(option + " needs a value");
        return args.get(i);
    }
}
