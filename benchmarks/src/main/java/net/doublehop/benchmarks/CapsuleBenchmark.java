package net.doublehop.benchmarks;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import net.doublehop.protocol.masque.Capsule;
import net.doublehop.protocol.masque.CapsuleEvent;
import net.doublehop.protocol.masque.CapsuleParser;
import net.doublehop.protocol.masque.CapsuleWriter;
import net.doublehop.protocol.masque.UdpPayload;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.infra.Blackhole;

/**
 * The CONNECT-UDP data stream (RFC 9297 capsules carrying RFC 9298 payloads), per datagram: what Proxy B's
 * UdpRelay does for every UDP packet a client sends (parse a DATAGRAM capsule, decode its context ID) and for
 * every packet it returns (the capsule prefix written before the payload buffer).
 *
 * <p>Payloads are 1200 bytes, the size QUIC-sized clients send (RFC 9000's minimum datagram size), so a capsule is
 * 1204 bytes on the wire: type (1), length 1201 (2), context ID 0 (1), payload.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class CapsuleBenchmark {

    static final int PAYLOAD_BYTES = 1200;
    /** Capsules per stream: one invocation parses them all, and the figure is per capsule. */
    static final int CAPSULES = 64;
    /**
     * A TCP read as the relay sees it. Not a multiple of 1204, so some capsules straddle two chunks and take the
     * parser's buffering path (a copy), as they do on a real connection; the rest are zero-copy views.
     */
    static final int CHUNK_BYTES = 16 * 1024;

    /** The stream as one buffer: every capsule lies whole inside it (the parser's zero-copy path). */
    byte[] stream;
    /** The same stream cut into TCP-sized chunks; positions are rewound before each pass. */
    ByteBuffer[] chunks;
    ByteBuffer payload;
    ByteBuffer out;
    /** One parser per stream direction, as in production; reusable because each pass ends on a capsule boundary. */
    CapsuleParser parser;

    @Setup
    public void setUp() {
        byte[] udp = new byte[PAYLOAD_BYTES];
        for (int i = 0; i < udp.length; i++) {
            udp[i] = (byte) (i * 31);
        }
        payload = ByteBuffer.wrap(udp);
        byte[] one = CapsuleWriter.datagram(ByteBuffer.wrap(UdpPayload.encode(payload)));
        stream = new byte[one.length * CAPSULES];
        for (int i = 0; i < CAPSULES; i++) {
            System.arraycopy(one, 0, stream, i * one.length, one.length);
        }
        List<ByteBuffer> cut = new ArrayList<>();
        for (int from = 0; from < stream.length; from += CHUNK_BYTES) {
            cut.add(ByteBuffer.wrap(Arrays.copyOfRange(stream, from, Math.min(stream.length, from + CHUNK_BYTES))));
        }
        chunks = cut.toArray(ByteBuffer[]::new);
        out = ByteBuffer.allocate(one.length);
        parser = UdpPayload.capsuleParser();
    }

    /** Client to B: a stream whose capsules all lie whole in the buffer handed to the parser. */
    @Benchmark
    @OperationsPerInvocation(CAPSULES)
    public int parseDatagramsOneBuffer(Blackhole bh) {
        return drain(ByteBuffer.wrap(stream), bh);
    }

    /** Client to B: the same stream arriving in 16 KiB reads, so a capsule at a chunk edge is buffered and copied. */
    @Benchmark
    @OperationsPerInvocation(CAPSULES)
    public int parseDatagramsChunked(Blackhole bh) {
        int n = 0;
        for (ByteBuffer chunk : chunks) {
            chunk.clear();
            n += drain(chunk, bh);
        }
        return n;
    }

    private int drain(ByteBuffer in, Blackhole bh) {
        int datagrams = 0;
        while (true) {
            CapsuleEvent event = parser.next(in);
            if (event == CapsuleEvent.NEED_MORE) {
                return datagrams;
            }
            if (event instanceof CapsuleEvent.Parsed parsed && parsed.capsule().isDatagram()
                    && UdpPayload.decode(parsed.capsule().value()) instanceof UdpPayload.Udp udp) {
                bh.consume(udp.payload());
                datagrams++;
            } else {
                throw new IllegalStateException("unexpected capsule event " + event);
            }
        }
    }

    /** B to client: the header bytes UdpRelay writes before each UDP payload it returns (type, length, context ID). */
    @Benchmark
    public byte[] datagramCapsulePrefix() {
        return UdpPayload.datagramCapsulePrefix(PAYLOAD_BYTES);
    }

    /** A whole DATAGRAM capsule written into a reused buffer: the allocation-free way to encode one. */
    @Benchmark
    public int writeDatagramCapsuleIntoBuffer() {
        out.clear();
        CapsuleWriter.writeHeader(Capsule.DATAGRAM, 1 + PAYLOAD_BYTES, out);
        UdpPayload.write(payload, out);
        return out.position();
    }

    /** A whole DATAGRAM capsule as a new array via the convenience encoders (two copies of the payload). */
    @Benchmark
    public byte[] encodeDatagramCapsuleArray() {
        return CapsuleWriter.datagram(ByteBuffer.wrap(UdpPayload.encode(payload)));
    }
}
