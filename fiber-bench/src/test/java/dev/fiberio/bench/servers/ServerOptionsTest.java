package dev.fiberio.bench.servers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class ServerOptionsTest {
    @Test
    void defaultsToLoopbackAnyPortAndOneThreadPerProcessor() {
        ServerOptions o = ServerOptions.parse();
        assertEquals("127.0.0.1", o.host());
        assertEquals(0, o.port());
        assertEquals(Runtime.getRuntime().availableProcessors(), o.threads());
    }

    @Test
    void parsesPortAndThreads() {
        ServerOptions o = ServerOptions.parse("--port", "8081", "--threads", "3");
        assertEquals(8081, o.port());
        assertEquals(3, o.threads());
    }

    @Test
    void rejectsBadValuesAndUnknownOptions() {
        assertThrows(IllegalArgumentException.class, () -> ServerOptions.parse("--threads", "0"));
        assertThrows(IllegalArgumentException.class, () -> ServerOptions.parse("--port", "70000"));
        assertThrows(IllegalArgumentException.class, () -> ServerOptions.parse("--workers", "2"));
    }

    @Test
    void recognisesHelp() {
        assertTrue(ServerOptions.wantsHelp("--port", "1", "--help"));
        assertFalse(ServerOptions.wantsHelp("--port", "1"));
    }
}
