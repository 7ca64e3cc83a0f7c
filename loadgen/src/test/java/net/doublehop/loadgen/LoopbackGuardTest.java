package net.doublehop.loadgen;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class LoopbackGuardTest {

    @Test
    void loopbackNamesAndAddressesPass() {
        for (String h : new String[] {"127.0.0.1", "127.9.8.7", "::1", "localhost"}) {
            assertThatCode(() -> LoopbackGuard.check("--target", h, false)).as(h).doesNotThrowAnyException();
        }
    }

    @Test
    void remoteAddressesAreRefusedUnlessAllowed() throws Exception {
        for (String h : new String[] {"10.1.2.3", "192.168.1.1", "192.0.2.7", "2001:db8::1", "0.0.0.0"}) {
            assertThatThrownBy(() -> LoopbackGuard.check("--target", h, false)).as(h)
                    .isInstanceOf(UsageException.class)
                    .hasMessageContaining("not a loopback address")
                    .hasMessageContaining("--allow-remote");
            LoopbackGuard.check("--target", h, true);
        }
    }

    @Test
    void theRunIsRefusedBeforeAnyTrafficWithExitCode2() {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = Main.run(new String[] {"--proxy", "https://192.0.2.1:443", "--target", "127.0.0.1:9000",
            "--duration", "1s"}, System.out, new PrintStream(err, true, StandardCharsets.UTF_8));
        assertThat(code).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("--proxy 192.0.2.1 resolves to 192.0.2.1");

        err.reset();
        code = Main.run(new String[] {"--direct", "--target", "192.0.2.1:80", "--duration", "1s"}, System.out,
                new PrintStream(err, true, StandardCharsets.UTF_8));
        assertThat(code).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("--target 192.0.2.1");
    }
}
