package net.doublehop.runtime.store;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * A real {@code redis-server} (Debian package {@code redis-server}, installed by scripts/install-test-deps.sh) of
 * the test's own, on a loopback port picked free at start, with no persistence; never the system's service.
 * Redis cannot be asked for an ephemeral port, so a free one is looked up and the start retried if another
 * process takes it in between.
 */
public final class RedisServer implements AutoCloseable {

    private final Process process;
    private final int port;
    private final Path dir;

    private RedisServer(Process process, int port, Path dir) {
        this.process = process;
        this.port = port;
        this.dir = dir;
    }

    public static RedisServer start() throws Exception {
        return start(List.of());
    }

    /** @param extraArgs further {@code redis-server} options, e.g. {@code --maxmemory 1mb} */
    public static RedisServer start(List<String> extraArgs) throws Exception {
        Exception last = null;
        for (int attempt = 0; attempt < 5; attempt++) {
            int port;
            try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
                port = s.getLocalPort();
            }
            try {
                return launch(port, extraArgs);
            } catch (IllegalStateException e) {
                last = e;
            }
        }
        throw last;
    }

    /** A server again on {@code port} (where one was stopped): to test a store that comes back. */
    public static RedisServer startOn(int port) throws Exception {
        return launch(port, List.of());
    }

    private static RedisServer launch(int port, List<String> extraArgs) throws Exception {
        Path dir = Files.createTempDirectory("redis-test");
        List<String> cmd = new ArrayList<>(List.of("redis-server", "--port", Integer.toString(port),
                "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", dir.toString(),
                "--daemonize", "no", "--loglevel", "notice"));
        cmd.addAll(extraArgs);
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        CompletableFuture<Boolean> ready = new CompletableFuture<>();
        StringBuilder log = new StringBuilder();
        Thread reader = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(),
                    StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) {
                    synchronized (log) {
                        log.append(line).append('\n');
                    }
                    if (line.contains("Ready to accept connections")) {
                        ready.complete(true);
                    }
                }
            } catch (IOException ignored) {
                // the process ended
            }
            ready.complete(false);
        }, "redis-server-log");
        reader.setDaemon(true);
        reader.start();
        if (ready.get(20, TimeUnit.SECONDS)) {
            return new RedisServer(p, port, dir);
        }
        p.destroyForcibly();
        synchronized (log) {
            throw new IllegalStateException("redis-server did not start on port " + port + ":\n" + log);
        }
    }

    public int port() {
        return port;
    }

    public String uri() {
        return "redis://127.0.0.1:" + port;
    }

    /** Stops the server (to test an unreachable store); {@link #close} is still safe afterwards. */
    public void stop() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
    }

    @Override
    public void close() throws Exception {
        stop();
        try (var files = Files.walk(dir)) {
            files.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
        }
    }
}
