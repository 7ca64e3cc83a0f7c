package net.doublehop.client;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class MainTest {

    record Ran(int code, String out, String err) { }

    static Ran run(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = Main.run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Ran(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    @Test
    void helpExplainsEveryOption() {
        Ran r = run("--help");
        assertThat(r.code()).isZero();
        assertThat(r.out()).contains("--proxy-a URL", "--mode oblivious", "--socks HOST:PORT", "--http HOST:PORT",
                "--user NAME:PASSWORD", "--psk KEY", "--privacy-pass-issuer", "--geohash", "--http-version",
                "h1 (HTTP/1.1", "--b-transport T", "quic: a CONNECT-UDP", "UDP ASSOCIATE", "socks5://127.0.0.1:1080");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "--user a:b                                                         | --proxy-a URL is required",
        "--proxy-a http://127.0.0.1:7443 --user a:b                          | --proxy-a must be https",
        "--proxy-a https://127.0.0.1:7443                                   | credentials for A are required",
        "--proxy-a https://127.0.0.1:7443 --user a:b --psk k                 | give one of --user and --psk",
        "--proxy-a https://127.0.0.1:7443 --user a:b --socks 0.0.0.0:1080   | must be a loopback address",
        "--proxy-a https://127.0.0.1:7443 --user a:b --geohash nowhere       | --geohash is not",
        "--proxy-a https://127.0.0.1:7443 --user a:b --http-version h4       | --http-version is h1, h2 or h3",
        "--proxy-a https://127.0.0.1:7443 --user a:b --b-transport quic     | --b-transport goes with --mode oblivious",
        "--proxy-a https://127.0.0.1:7443 --user a:b --mode sideways         | --mode is forward or oblivious",
        "--proxy-a https://127.0.0.1:7443 --user a:b --frobnicate            | unknown argument '--frobnicate'",
    })
    void badUsageExitsWith2AndSaysWhy(String args, String message) {
        Ran r = run(args.trim().split("\\s+"));
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).contains(message).contains("Usage:");
    }
}
