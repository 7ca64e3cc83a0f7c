package net.doublehop.loadgen;

import java.io.PrintStream;
import java.util.Arrays;

/** {@code loadgen [options]} runs a load test; {@code loadgen serve ...} runs the destination. */
public final class Main {

    private Main() { }

    public static void main(String[] args) {
        int code;
        if (args.length > 0 && args[0].equals("serve")) {
            try {
                code = SourceServer.serve(Arrays.copyOfRange(args, 1, args.length));
            } catch (UsageException e) {
                System.err.println("loadgen serve: " + e.getMessage() + " (see loadgen serve --help)");
                code = 2;
            } catch (Exception e) {
                System.err.println("loadgen serve: " + e);
                code = 1;
            }
        } else {
            code = run(args, System.out, System.err, true);
        }
        System.exit(code);
    }

    /** Runs a load test; returns the exit code (0 no errors, 1 errors, 2 bad usage / not supported yet). */
    public static int run(String[] args, PrintStream out, PrintStream err) {
        return run(args, out, err, false);
    }

    private static int run(String[] args, PrintStream out, PrintStream err, boolean ctrlC) {
        try {
            Options o = Options.parse(args);
            if (o.help) {
                out.print(Options.HELP);
                return 0;
            }
            return Runner.run(o, out, err, ctrlC);
        } catch (UsageException e) {
            err.println("loadgen: " + e.getMessage());
            err.println("(loadgen --help explains every option)");
            return 2;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            err.println("loadgen: interrupted");
            return 1;
        }
    }
}
