package dev.streamlab.phase3;

import dev.streamlab.http1.Http1Exchange;

/**
 * One request as the routes see it: the exchange, plus what the access log and metrics need afterwards (route
 * label and a note such as the Range outcome). Status, body bytes and timings are the exchange's.
 */
final class Call {
    final Http1Exchange ex;
    String route = "other";
    String note = "";

    Call(Http1Exchange ex) {
        this.ex = ex;
    }

    String method() {
        return ex.method();
    }

    boolean head() {
        return ex.head();
    }

    /** A request header; repeated field lines joined with ", " (RFC 9110 §5.3). */
    String header(String name) {
        return ex.request().header(name);
    }
}
