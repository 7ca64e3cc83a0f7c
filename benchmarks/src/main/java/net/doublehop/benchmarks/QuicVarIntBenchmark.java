package net.doublehop.benchmarks;

import java.nio.ByteBuffer;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import net.doublehop.protocol.masque.QuicVarInt;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * QUIC variable-length integers (RFC 9000 §16), the encoding of every capsule header, context ID and HTTP/3
 * frame header: two or three of them per datagram each way. Values are an even mix of 1-, 2-, 4- and 8-byte
 * encodings in random order, so the length branch cannot be predicted from the previous value; the figure
 * is per varint.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class QuicVarIntBenchmark {

    static final int VALUES = 1024;

    long[] values;
    /** The values encoded back to back. */
    ByteBuffer encoded;
    ByteBuffer out;

    @Setup
    public void setUp() {
        Random random = new Random(42); // fixed seed: the same mix in every run
        long[] upper = {0x3f, 0x3fff, 0x3fff_ffffL, QuicVarInt.MAX_VALUE};
        long[] lower = {0, 0x40, 0x4000, 0x4000_0000L};
        values = new long[VALUES];
        int bytes = 0;
        for (int i = 0; i < VALUES; i++) {
            int k = random.nextInt(4);
            values[i] = lower[k] + Math.floorMod(random.nextLong(), upper[k] - lower[k] + 1);
            bytes += QuicVarInt.encodedLength(values[i]);
        }
        encoded = ByteBuffer.allocate(bytes);
        for (long v : values) {
            QuicVarInt.write(v, encoded);
        }
        out = ByteBuffer.allocate(bytes);
    }

    @Benchmark
    @OperationsPerInvocation(VALUES)
    public long decode() {
        encoded.clear();
        long sum = 0;
        for (int i = 0; i < VALUES; i++) {
            sum += QuicVarInt.read(encoded);
        }
        return sum;
    }

    @Benchmark
    @OperationsPerInvocation(VALUES)
    public int encode() {
        out.clear();
        for (long v : values) {
            QuicVarInt.write(v, out);
        }
        return out.position();
    }
}
