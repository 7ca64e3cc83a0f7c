package net.doublehop.client;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.DataInputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import net.doublehop.proxya.DoubleHopFixture;
import net.doublehop.proxyb.it.UdpEchoDestination;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * curl (and raw SOCKS5 sockets) → the local client → Proxy A → Proxy B → destination, in forward mode. The client
 * reaches A from 127.0.0.1, which A's demo table does not locate, so B egresses from its default pool (127.0.0.3).
 */
class ForwardClientTest {

    private static DoubleHopFixture fx;
    private static LocalClient client;

    @BeforeAll
    static void start() throws Exception {
        fx = new DoubleHopFixture();
        client = LocalClient.start(fx.vertx, ClientOptions.parse(new String[] {
            "--proxy-a", "https://127.0.0.1:" + fx.a.port(), "--insecure",
            "--user", DoubleHopFixture.USER + ":" + DoubleHopFixture.PASSWORD,
            "--socks", "127.0.0.1:0", "--http", "127.0.0.1:0"})).await(30, TimeUnit.SECONDS);
    }

    @AfterAll
    static void stop() throws Exception {
        if (client != null) {
            client.stop().await(10, TimeUnit.SECONDS);
        }
        fx.close();
    }

    record Result(int exit, String stdout, String stderr) { }

    static Result curl(String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("curl", "-sS", "--max-time", "20"));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).start();
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        return new Result(p.exitValue(), out, err);
    }

    @Test
    void curlThroughSocks5WithTheNameResolvedAtB() throws Exception {
        for (int i = 0; i < 3; i++) { // one connection to A carries them all
            Result r = curl("--socks5-hostname", "127.0.0.1:" + client.socksPort(), "http://" + fx.destination() + "/");
            assertThat(r.exit()).as(r.stderr()).isZero();
            assertThat(r.stdout()).startsWith("seen-from=127.0.0.3 ");
        }
    }

    @Test
    void curlThroughSocks5WithAnAddress() throws Exception {
        Result r = curl("--socks5", "127.0.0.1:" + client.socksPort(), "http://" + fx.destination() + "/");
        assertThat(r.exit()).as(r.stderr()).isZero();
        assertThat(r.stdout()).startsWith("seen-from=127.0.0.3 ");
    }

    @Test
    void curlThroughTheHttpConnectProxy() throws Exception {
        Result r = curl("-p", "-x", "http://127.0.0.1:" + client.httpPort(), "http://" + fx.destination() + "/");
        assertThat(r.exit()).as(r.stderr()).isZero();
        assertThat(r.stdout()).startsWith("seen-from=127.0.0.3 ");
    }

    @Test
    void theHopsRefusalsReachHttpClientsWithEveryProxyStatusEntry() throws Exception {
        // B's destination policy allows 127.0.0.1 only
        Result r = curl("-p", "-x", "http://127.0.0.1:" + client.httpPort(), "-v", "http://127.0.0.9:80/");
        assertThat(r.exit()).isNotZero();
        assertThat(r.stderr()).contains("502").containsPattern("(?i)proxy-status: proxy-b; error=destination_ip_prohibited"
                + ".*, proxy-a.*, doublehop-client");
    }

    @Test
    void aNonConnectRequestToTheHttpProxyGets405() throws Exception {
        Result r = curl("-x", "http://127.0.0.1:" + client.httpPort(), "-o", "/dev/null", "-w", "%{http_code}",
                "http://" + fx.destination() + "/");
        assertThat(r.stdout()).isEqualTo("405");
    }

    /** RFC 1928 §3: a client offering only methods we do not have gets X'FF' and the connection closes. */
    @Test
    void socks5WithoutAnAcceptableMethodGetsFF() throws Exception {
        try (Socket s = socks()) {
            s.getOutputStream().write(new byte[] {5, 1, 2}); // username/password only
            assertThat(s.getInputStream().readNBytes(2)).containsExactly(5, 0xFF);
            assertThat(s.getInputStream().read()).isEqualTo(-1);
        }
    }

    @Test
    void socks5BindGetsCommandNotSupported() throws Exception {
        assertThat(request(2, new byte[] {1, 127, 0, 0, 1, 0, 80})).isEqualTo(7);
    }

    @Test
    void socks5UnknownAddressTypeGetsAddressTypeNotSupported() throws Exception {
        assertThat(request(1, new byte[] {9, 1, 2, 3, 4, 0, 80})).isEqualTo(8);
    }

    @Test
    void socks5NotVersion5IsClosed() throws Exception {
        try (Socket s = socks()) {
            s.getOutputStream().write(new byte[] {4, 1, 0, 80, 127, 0, 0, 1, 0});
            assertThat(s.getInputStream().read()).isEqualTo(-1);
        }
    }

    @Test
    void socks5RefusalsMapToTheirReplyCodes() throws Exception {
        int closedPort;
        try (java.net.ServerSocket ss = new java.net.ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            closedPort = ss.getLocalPort();
        }
        // B dials a closed port: connection_refused → X'05'
        assertThat(request(1, ipv4(127, 0, 0, 1, closedPort))).isEqualTo(5);
        // B's policy refuses the address: destination_ip_prohibited → X'02'
        assertThat(request(1, ipv4(127, 0, 0, 9, 80))).isEqualTo(2);
    }

    /** UDP ASSOCIATE: datagrams with SOCKS5 UDP headers ride CONNECT-UDP through A and B; B's egress answers. */
    @Test
    void socks5UdpAssociateRidesConnectUdp() throws Exception {
        try (UdpEchoDestination echo = new UdpEchoDestination()) {
            assertThat(udpRoundTrip(client.socksPort(), echo.port())).isEqualTo("from=127.0.0.3 ping");
        }
    }

    /**
     * One UDP ASSOCIATE on the SOCKS5 listener at {@code socksPort}, then "ping" to 127.0.0.1:{@code echoPort} until an
     * answer comes (the flow opens on the first datagram); returns the answer's payload after its checked header.
     */
    static String udpRoundTrip(int socksPort, int echoPort) throws Exception {
        return udpRoundTrip(socksPort, echoPort, 40);
    }

    /** As above, giving up (null) after {@code attempts} datagrams half a second apart. */
    static String udpRoundTrip(int socksPort, int echoPort, int attempts) throws Exception {
        try (Socket control = new Socket("127.0.0.1", socksPort);
                DatagramSocket udp = new DatagramSocket(0, InetAddress.getByName("127.0.0.1"))) {
            control.setSoTimeout(20_000);
            greet(control);
            OutputStream out = control.getOutputStream();
            out.write(new byte[] {5, 3, 0, 1, 127, 0, 0, 1, (byte) (udp.getLocalPort() >> 8), (byte) udp.getLocalPort()});
            DataInputStream in = new DataInputStream(control.getInputStream());
            byte[] head = in.readNBytes(4);
            assertThat(head[1]).isZero();
            assertThat(head[3]).isEqualTo((byte) 1);
            byte[] addr = in.readNBytes(4);
            int relayPort = in.readUnsignedShort();
            udp.setSoTimeout(500);
            byte[] header = {0, 0, 0, 1, 127, 0, 0, 1, (byte) (echoPort >> 8), (byte) echoPort};
            byte[] payload = "ping".getBytes(StandardCharsets.US_ASCII);
            ByteBuffer datagram = ByteBuffer.allocate(header.length + payload.length).put(header).put(payload);
            for (int attempt = 0; attempt < attempts; attempt++) {
                udp.send(new DatagramPacket(datagram.array(), datagram.capacity(), InetAddress.getByAddress(addr),
                        relayPort));
                DatagramPacket p = new DatagramPacket(new byte[2048], 2048);
                try {
                    udp.receive(p);
                } catch (java.net.SocketTimeoutException again) {
                    continue;
                }
                assertThat(java.util.Arrays.copyOf(p.getData(), header.length)).containsExactly(header);
                return new String(p.getData(), header.length, p.getLength() - header.length, StandardCharsets.US_ASCII);
            }
            return null;
        }
    }

    private static byte[] ipv4(int a, int b, int c, int d, int port) {
        return new byte[] {1, (byte) a, (byte) b, (byte) c, (byte) d, (byte) (port >> 8), (byte) port};
    }

    private static Socket socks() throws Exception {
        Socket s = new Socket("127.0.0.1", client.socksPort());
        s.setSoTimeout(20_000);
        return s;
    }

    private static void greet(Socket s) throws Exception {
        s.getOutputStream().write(new byte[] {5, 1, 0});
        assertThat(s.getInputStream().readNBytes(2)).containsExactly(5, 0);
    }

    /** Sends one request (after the greeting) and returns the reply code; a failure reply closes the connection. */
    private static int request(int command, byte[] addressAndPort) throws Exception {
        try (Socket s = socks()) {
            greet(s);
            OutputStream out = s.getOutputStream();
            out.write(new byte[] {5, (byte) command, 0});
            out.write(addressAndPort);
            InputStream in = s.getInputStream();
            byte[] reply = in.readNBytes(10);
            assertThat(reply[0]).isEqualTo((byte) 5);
            if (reply[1] != 0) {
                assertThat(in.read()).isEqualTo(-1);
            }
            return reply[1];
        }
    }
}
