package net.doublehop.loadgen;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class OptionsTest {

    @Test
    void parsesAFullCommandLine() throws Exception {
        Options o = Options.parse("--proxy", "https://127.0.0.1:7443", "--proxy-version", "h2", "--proxy-insecure",
                "--proxy-user", "alice:wonderland", "--proxy-header", "sec-ch-geohash: u4pruy",
                "--proxy-header", "X-Test:  two words ", "--target", "127.0.0.1:9000", "--workload", "rps",
                "--tunnels", "32", "--duration", "1500ms", "--count", "1000", "--request-size", "1k",
                "--response-size", "2M", "--json", "out.json", "--html=out.html", "--h2-connections", "2");
        assertThat(o.proxyTls).isTrue();
        assertThat(o.proxyHost).isEqualTo("127.0.0.1");
        assertThat(o.proxyPort).isEqualTo(7443);
        assertThat(o.proxyVersion).isEqualTo("h2");
        assertThat(o.proxyHeaders).hasSize(2);
        assertThat(o.proxyHeaders.get(1)).containsExactly("X-Test", "two words");
        assertThat(o.workload).isEqualTo(Options.Workload.RPS);
        assertThat(o.tunnels).isEqualTo(32);
        assertThat(o.duration).isEqualTo(Duration.ofMillis(1500));
        assertThat(o.count).isEqualTo(1000);
        assertThat(o.requestSize).isEqualTo(1024);
        assertThat(o.responseSize).isEqualTo(2 << 20);
        assertThat(o.html.toString()).isEqualTo("out.html");
        assertThat(o.h2Connections).isEqualTo(2);
        assertThat(o.describe()).containsEntry("proxyUser", "alice:***").containsEntry("target", "127.0.0.1:9000");
    }

    @Test
    void defaultsAndIpv6() throws Exception {
        Options o = Options.parse("--proxy", "http://[::1]:8080", "--target", "[::1]:9000");
        assertThat(o.proxyTls).isFalse();
        assertThat(o.proxyHost).isEqualTo("::1");
        assertThat(o.targetHost).isEqualTo("::1");
        assertThat(o.workload).isEqualTo(Options.Workload.BULK);
        assertThat(o.proxyVersion).isEqualTo("h1");
        assertThat(o.duration).isEqualTo(Duration.ofSeconds(10));
        assertThat(o.count).isEqualTo(-1);
        assertThat(o.bytes).isEqualTo(-1);
        assertThat(Options.parse("--direct", "--target", "localhost:1", "--bytes", "inf").bytes).isEqualTo(-1);
        assertThat(Options.parse("--direct", "--target", "localhost:1", "--duration", "2m").duration)
                .isEqualTo(Duration.ofMinutes(2));
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiter = '|', value = {
        "--direct --target 127.0.0.1:9000 --tunnels 0                 | --tunnels must be between 1",
        "--direct --target 127.0.0.1:9000 --tunnels many              | --tunnels must be a whole number",
        "--direct --target 127.0.0.1:9000 --duration soon             | --duration must be a duration",
        "--direct --target 127.0.0.1:9000 --duration 0s               | --duration must be more than zero",
        "--direct --target 127.0.0.1:9000 --bytes 12q                 | --bytes must be a size",
        "--direct --target 127.0.0.1:9000 --workload flood            | --workload must be bulk, setup, firstbyte, rps, idle or udp",
        "--direct --target 127.0.0.1:9000 --client-tls jdk             | --client-tls is for TLS over TCP",
        "--direct-tls --target 127.0.0.1:9000 --client-tls nss         | --client-tls must be openssl or jdk",
        "--direct-tls --target 127.0.0.1:9000 --tcp-nodelay maybe      | --tcp-nodelay must be true or false",
        "--direct --target 127.0.0.1                                  | --target must be HOST:PORT",
        "--direct --target 127.0.0.1:99999                            | port must be 0..65535",
        "--target 127.0.0.1:9000                                      | --proxy URL is required",
        "--direct                                                     | --target HOST:PORT is required",
        "--proxy ftp://127.0.0.1:1 --target 127.0.0.1:9000            | must start with https:// or http://",
        "--proxy https://u:p@127.0.0.1:1 --target 127.0.0.1:9000      | credentials go in --proxy-user",
        "--proxy http://127.0.0.1:1 --proxy-insecure --target 127.0.0.1:9000 | need an https:// proxy",
        "--proxy https://127.0.0.1:1 --proxy-version h9 --target 127.0.0.1:9000 | --proxy-version must be h1, h2 or h3",
        "--proxy http://127.0.0.1:1 --proxy-version h3 --target 127.0.0.1:9000 | h3 needs an https:// proxy",
        "--proxy https://127.0.0.1:1 --proxy-version h3 --h3-connections 0 --target 127.0.0.1:9000 | --h3-connections must be between 1",
        "--proxy https://127.0.0.1:1 --proxy-version h3 --workload udp --h3-datagrams maybe --target 127.0.0.1:9000 | --h3-datagrams must be true or false",
        "--proxy https://127.0.0.1:1 --proxy-version h3 --h3-datagrams false --target 127.0.0.1:9000 | --h3-datagrams is for --method CONNECT-UDP over --proxy-version h3",
        "--proxy https://127.0.0.1:1 --proxy-version h2 --workload udp --h3-datagrams false --target 127.0.0.1:9000 | --h3-datagrams is for --method CONNECT-UDP over --proxy-version h3",
        "--direct --target 127.0.0.1:9000 --method CONNECT-UDP        | --method CONNECT-UDP is for --workload udp",
        "--direct --target 127.0.0.1:9000 --method GET                | --method must be CONNECT or CONNECT-UDP",
        "--proxy https://127.0.0.1:1 --method CONNECT --workload udp --target 127.0.0.1:9000 | --workload udp through a proxy needs --method CONNECT-UDP",
        "--proxy https://127.0.0.1:1 --method connect-udp --workload rps --target 127.0.0.1:9000 | --method CONNECT-UDP is for --workload udp",
        "--direct --target 127.0.0.1:9000 --workload udp --size 8     | --size must be between 16 and 65527",
        "--direct --target 127.0.0.1:9000 --workload udp --size 64k   | --size must be between 16 and 65527",
        "--direct --target 127.0.0.1:9000 --workload udp --window 0   | --window must be between 1",
        "--direct --target 127.0.0.1:9000 --workload rps --window 4   | --size, --window and --loss-timeout are for --workload udp",
        "--direct --target 127.0.0.1:9000 --size 100                  | --size, --window and --loss-timeout are for --workload udp",
        "--direct-tls --proxy-insecure --target 127.0.0.1:9000 --workload udp | --direct-tls is for the TCP workloads",
        "--proxy https://127.0.0.1:1 --workload udp --uri-template /masque --target 127.0.0.1:9000 | --uri-template: invalid CONNECT-UDP URI template",
        "--proxy https://127.0.0.1:1 --workload udp --uri-template https://p/{target_host}/ --target 127.0.0.1:9000 | target_host and target_port",
        "--proxy https://127.0.0.1:1 --uri-template https://p/{target_host}/{target_port}/ --target 127.0.0.1:9000 | --uri-template is for --method CONNECT-UDP",
        "--proxy https://127.0.0.1:1 --workload udp --target *.example:9000 | not a valid CONNECT-UDP target",
        "--proxy https://127.0.0.1:1 --proxy-user alice --target 127.0.0.1:9000 | --proxy-user must be USER:PASSWORD",
        "--proxy https://127.0.0.1:1 --proxy-header NoColon --target 127.0.0.1:9000 | --proxy-header must be 'Name: value'",
        "--proxy https://127.0.0.1:1 --proxy-cacert /nonexistent/ca.crt --target 127.0.0.1:9000 | cannot read file",
        "--direct --target 127.0.0.1:9000 --pids 12,x --workload idle | --pids must be process ids",
        "--direct --target 127.0.0.1:9000 --pids 12,-3 --workload rps | --pids must be process ids",
        "--direct --target 127.0.0.1:9000 --workload rps --bytes 10M  | --bytes is for --workload bulk",
        "--direct --target 127.0.0.1:9000 --request-size 0 --workload rps | --request-size must be at least 1 byte",
        "--direct --target 127.0.0.1:9000 --frobnicate 1              | unknown option --frobnicate",
        "--direct --target 127.0.0.1:9000 --tunnels                   | --tunnels needs a value",
        "--direct --target 127.0.0.1:9000 extra                       | unexpected argument 'extra'",
        "--direct --target 127.0.0.1:9000 --workload idle --warmup 1s | --warmup is for bulk, setup and rps",
    })
    void badValuesGiveAClearErrorAndExitCode2(String args, String message) {
        String[] argv = args.trim().split("\\s+");
        assertThatThrownBy(() -> Options.parse(argv)).isInstanceOf(UsageException.class).hasMessageContaining(message);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = Main.run(argv, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        assertThat(code).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains(message).contains("--help");
        assertThat(out.size()).isZero();
    }

    @Test
    void pidsAreForEveryWorkloadAndInTheReportsOptions() throws Exception {
        for (String w : new String[] {"bulk", "setup", "firstbyte", "rps", "udp", "idle"}) {
            Options o = Options.parse("--direct", "--target", "127.0.0.1:9000", "--workload", w, "--pids", "12, 34");
            assertThat(o.pids).as(w).containsExactly(12L, 34L);
            assertThat(o.describe()).as(w).containsKey("pids");
        }
        assertThat(Options.parse("--direct", "--target", "127.0.0.1:9000").describe()).doesNotContainKey("pids");
    }

    @Test
    void udpDefaultsAndTheConnectUdpRequestTarget() throws Exception {
        Options direct = Options.parse("--direct", "--target", "127.0.0.1:9000", "--workload", "udp");
        assertThat(direct.size).isEqualTo(1200);
        assertThat(direct.window).isEqualTo(1);
        assertThat(direct.lossTimeout).isEqualTo(Duration.ofSeconds(1));
        assertThat(direct.method).isEqualTo("CONNECT");
        assertThat(direct.describe()).containsEntry("size", 1200).containsEntry("window", 1);

        Options v4 = Options.parse("--proxy", "https://127.0.0.1:8443", "--target", "127.0.0.1:9000",
                "--workload", "udp", "--window", "16", "--size", "512", "--loss-timeout", "250ms");
        assertThat(v4.method).as("implied for udp through a proxy").isEqualTo("CONNECT-UDP");
        assertThat(v4.udpPath).isEqualTo("/.well-known/masque/udp/127.0.0.1/9000/");
        assertThat(v4.udpAuthority).isEqualTo("127.0.0.1:8443");
        assertThat(v4.window).isEqualTo(16);
        assertThat(v4.size).isEqualTo(512);
        assertThat(v4.lossTimeout).isEqualTo(Duration.ofMillis(250));

        Options v6 = Options.parse("--proxy", "https://[::1]:8443", "--target", "[::1]:9000", "--workload", "udp",
                "--method", "connect-udp", "--proxy-version", "h1");
        assertThat(v6.udpPath).as("IPv6 colons percent-encoded (RFC 9298 §3)")
                .isEqualTo("/.well-known/masque/udp/%3A%3A1/9000/");
        assertThat(v6.udpAuthority).isEqualTo("[::1]:8443");

        Options custom = Options.parse("--proxy", "https://127.0.0.1:8443", "--target", "localhost:53",
                "--workload", "udp", "--uri-template", "https://masque.example/udp?h={target_host}&p={target_port}");
        assertThat(custom.udpPath).isEqualTo("/udp?h=localhost&p=53");
        assertThat(custom.udpAuthority).isEqualTo("masque.example");
    }

    @Test
    void h3AndConnectUdpOverH2AndH3() throws Exception {
        Options h3 = Options.parse("--proxy", "https://127.0.0.1:8443", "--proxy-version", "h3", "--h3-connections", "3",
                "--target", "127.0.0.1:9000", "--workload", "rps");
        assertThat(h3.proxyVersion).isEqualTo("h3");
        assertThat(h3.h3Connections).isEqualTo(3);
        assertThat(h3.describe()).containsEntry("h3Connections", 3).doesNotContainKey("h3Datagrams");
        Options udp3 = Options.parse("--proxy", "https://127.0.0.1:8443", "--proxy-version", "h3", "--target",
                "127.0.0.1:9000", "--workload", "udp", "--h3-datagrams", "false");
        assertThat(udp3.method).isEqualTo("CONNECT-UDP");
        assertThat(udp3.h3Datagrams).isFalse();
        assertThat(udp3.udpPath).isEqualTo("/.well-known/masque/udp/127.0.0.1/9000/");
        assertThat(udp3.udpAuthority).isEqualTo("127.0.0.1:8443");
        assertThat(udp3.describe()).containsEntry("h3Datagrams", false);
        Options udp2 = Options.parse("--proxy", "https://127.0.0.1:8443", "--proxy-version", "h2", "--target",
                "127.0.0.1:9000", "--method", "connect-udp", "--workload", "udp");
        assertThat(udp2.method).isEqualTo("CONNECT-UDP");
        assertThat(udp2.h3Datagrams).isTrue();
    }

    @Test
    void helpExplainsEveryOption() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int code = Main.run(new String[] {"--help"}, new PrintStream(out, true, StandardCharsets.UTF_8), System.err);
        assertThat(code).isZero();
        String help = out.toString(StandardCharsets.UTF_8);
        for (String opt : new String[] {"--proxy ", "--proxy-version", "--proxy-insecure", "--proxy-cacert",
            "--proxy-cert", "--proxy-key", "--proxy-header", "--proxy-user", "--target", "--method", "--workload",
            "--tunnels", "--duration", "--count", "--bytes", "--request-size", "--response-size", "--pids", "--direct",
            "--allow-remote", "--json", "--html", "--concurrency", "--timeout", "--threads", "--h2-connections",
            "--quiet", "--warmup", "serve", "Examples", "default", "udp", "CONNECT-UDP", "--size", "--window",
            "--loss-timeout", "--uri-template", "--udp-listen", "--h3-connections", "--h3-datagrams", "h3"}) {
            assertThat(help).as(opt).contains(opt);
        }
    }

    @Test
    void sizesAndDurations() throws Exception {
        assertThat(Options.size("--bytes", "64k", Long.MAX_VALUE)).isEqualTo(65536);
        assertThat(Options.size("--bytes", "1G", Long.MAX_VALUE)).isEqualTo(1L << 30);
        assertThat(Options.size("--bytes", "10MiB", Long.MAX_VALUE)).isEqualTo(10L << 20);
        assertThat(Options.size("--bytes", "4096", Long.MAX_VALUE)).isEqualTo(4096);
        assertThat(Options.duration("--duration", "250ms")).isEqualTo(Duration.ofMillis(250));
        assertThat(Options.duration("--duration", "1.5s")).isEqualTo(Duration.ofMillis(1500));
        assertThat(Options.duration("--duration", "3")).isEqualTo(Duration.ofSeconds(3));
        assertThat(Options.duration("--duration", "1h")).isEqualTo(Duration.ofHours(1));
    }
}
