package net.doublehop.loadgen;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The destination's line protocol, spoken with a plain socket. */
class SourceServerTest {

    static SourceServer serve;

    @BeforeAll
    static void start() throws Exception {
        serve = SourceServer.start("127.0.0.1", 0, 1);
    }

    @AfterAll
    static void stop() {
        serve.close();
    }

    private static Socket connect() throws Exception {
        Socket s = new Socket(InetAddress.getLoopbackAddress(), serve.port());
        s.setSoTimeout(5000);
        return s;
    }

    @Test
    void sourceSendsExactlyTheBytesThenCloses() throws Exception {
        try (Socket s = connect()) {
            s.getOutputStream().write("SOURCE 1000000\n".getBytes(StandardCharsets.US_ASCII));
            byte[] all = s.getInputStream().readAllBytes();
            assertThat(all).hasSize(1_000_000);
            assertThat(all[0]).isEqualTo((byte) 'a');
        }
    }

    @Test
    void rrAnswersEveryRequestEvenWhenSplitOrPipelined() throws Exception {
        try (Socket s = connect()) {
            OutputStream out = s.getOutputStream();
            InputStream in = s.getInputStream();
            out.write("RR 3 5\nab".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            Thread.sleep(50);
            out.write("c".getBytes(StandardCharsets.US_ASCII));
            assertThat(in.readNBytes(5)).hasSize(5);
            out.write("xyzxyz".getBytes(StandardCharsets.US_ASCII));
            assertThat(in.readNBytes(10)).hasSize(10);
        }
    }

    @Test
    void udpEchoAnswersEachDatagramToItsSenderOnTheTcpPortNumber() throws Exception {
        assertThat(serve.udpPort()).isEqualTo(serve.port());
        try (DatagramSocket a = new DatagramSocket(0, InetAddress.getLoopbackAddress());
             DatagramSocket b = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
            a.setSoTimeout(5000);
            b.setSoTimeout(5000);
            InetSocketAddress to = new InetSocketAddress(InetAddress.getLoopbackAddress(), serve.udpPort());
            byte[] big = new byte[1200];
            big[0] = 'A';
            a.send(new DatagramPacket(big, big.length, to));
            b.send(new DatagramPacket("from b".getBytes(StandardCharsets.US_ASCII), 6, to));
            DatagramPacket ra = new DatagramPacket(new byte[65535], 65535);
            a.receive(ra);
            assertThat(ra.getLength()).isEqualTo(1200);
            assertThat(ra.getData()[0]).isEqualTo((byte) 'A');
            assertThat(ra.getPort()).isEqualTo(serve.udpPort());
            DatagramPacket rb = new DatagramPacket(new byte[65535], 65535);
            b.receive(rb);
            assertThat(new String(rb.getData(), 0, rb.getLength(), StandardCharsets.US_ASCII)).isEqualTo("from b");
        }
    }

    @Test
    void udpCanBeTurnedOffOrPutElsewhere() throws Exception {
        try (SourceServer tcpOnly = SourceServer.start("127.0.0.1", 0, 1, false, null)) {
            assertThat(tcpOnly.udpPort()).isEqualTo(-1);
        }
        try (SourceServer elsewhere = SourceServer.start("127.0.0.1", 0, 2, true, new HostPort("127.0.0.1", 0))) {
            assertThat(elsewhere.udpPort()).isPositive();
        }
    }

    @Test
    void echoAndBadCommands() throws Exception {
        try (Socket s = connect()) {
            s.getOutputStream().write("ECHO\nhello".getBytes(StandardCharsets.US_ASCII));
            assertThat(new String(s.getInputStream().readNBytes(5), StandardCharsets.US_ASCII)).isEqualTo("hello");
        }
        try (Socket s = connect()) {
            s.getOutputStream().write("FLOOD 1\n".getBytes(StandardCharsets.US_ASCII));
            assertThat(new String(s.getInputStream().readAllBytes(), StandardCharsets.US_ASCII))
                    .startsWith("ERR unknown command 'FLOOD 1'");
        }
    }
}
