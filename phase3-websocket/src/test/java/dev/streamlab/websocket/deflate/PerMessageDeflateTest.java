package dev.streamlab.websocket.deflate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.streamlab.websocket.deflate.PerMessageDeflate.Agreement;
import dev.streamlab.websocket.deflate.PerMessageDeflate.Config;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** RFC 7692 §7.1 negotiation: each offer and the response header the server answers with ("-": declined). */
class PerMessageDeflateTest {

    static String answer(String offer, Config config) {
        return PerMessageDeflate.negotiate(offer, config).map(Agreement::responseHeader).orElse("-");
    }

    @ParameterizedTest(name = "[{0}] -> [{1}]")
    @CsvSource(delimiter = '|', textBlock = """
            permessage-deflate                                              | permessage-deflate
            PerMessage-Deflate                                              | permessage-deflate
            permessage-deflate; client_max_window_bits                      | permessage-deflate
            permessage-deflate; server_no_context_takeover                  | permessage-deflate; server_no_context_takeover
            permessage-deflate; client_no_context_takeover                  | permessage-deflate; client_no_context_takeover
            permessage-deflate; server_max_window_bits=15                   | permessage-deflate; server_max_window_bits=15
            permessage-deflate; server_max_window_bits="15"                 | permessage-deflate; server_max_window_bits=15
            permessage-deflate; client_max_window_bits=10                   | permessage-deflate
            permessage-deflate; server_max_window_bits=10                   | -
            permessage-deflate; server_max_window_bits=10, permessage-deflate | permessage-deflate
            permessage-deflate; server_max_window_bits                      | -
            permessage-deflate; server_max_window_bits=16                   | -
            permessage-deflate; client_max_window_bits=7                    | -
            permessage-deflate; client_max_window_bits=08                   | -
            permessage-deflate; client_max_window_bits=abc                  | -
            permessage-deflate; server_no_context_takeover=1                | -
            permessage-deflate; client_no_context_takeover; client_no_context_takeover | -
            permessage-deflate; mystery_param                               | -
            x-webkit-deflate-frame                                          | -
            x-webkit-deflate-frame, permessage-deflate; client_max_window_bits | permessage-deflate
            permessage-deflate; server_max_window_bits="1                   | -
            ;;;                                                             | -
            """)
    void defaultConfigAnswersOffers(String offer, String expected) {
        assertEquals(expected, answer(offer, Config.DEFAULT));
    }

    @Test
    void chromiumsOfferIsAccepted() {
        // What Chromium sends (net/websockets/websocket_deflate_parameters.cc)
        assertEquals("permessage-deflate", answer("permessage-deflate; client_max_window_bits", Config.DEFAULT));
    }

    @Test
    void serverMayRequireNoContextTakeoverUnasked() {
        Config c = new Config(true, true, 15, 6);
        assertEquals("permessage-deflate; server_no_context_takeover; client_no_context_takeover",
                answer("permessage-deflate", c));
    }

    @Test
    void clientWindowIsLimitedOnlyWhenTheClientOfferedTheParameter() {
        Config c = new Config(false, false, 10, 6);
        assertEquals("permessage-deflate; client_max_window_bits=10",
                answer("permessage-deflate; client_max_window_bits", c));
        assertEquals("permessage-deflate; client_max_window_bits=9",
                answer("permessage-deflate; client_max_window_bits=9", c), "never more than the client offered");
        // §7.1.2.2: without the parameter in the offer the server must not send it
        assertEquals("permessage-deflate", answer("permessage-deflate", c));
        Agreement a = PerMessageDeflate.negotiate("permessage-deflate; client_max_window_bits=12", c).orElseThrow();
        assertEquals(10, a.clientMaxWindowBits());
        assertEquals(15, a.serverMaxWindowBits());
    }

    @Test
    void noHeaderNoExtension() {
        assertEquals(Optional.empty(), PerMessageDeflate.negotiate(null, Config.DEFAULT));
    }

    @Test
    void configRejectsImpossibleValues() {
        assertThrows(IllegalArgumentException.class, () -> new Config(false, false, 7, 6));
        assertThrows(IllegalArgumentException.class, () -> new Config(false, false, 15, 0));
    }
}
