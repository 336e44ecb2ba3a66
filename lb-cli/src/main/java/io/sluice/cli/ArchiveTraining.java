package io.sluice.cli;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.io.Writer;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import picocli.CommandLine;

/**
 * The training run behind the launcher's class-data-sharing archive (lb-cli/src/main/dist/sluicectl):
 * run once per jar and JVM with {@code -XX:DumpLoadedClassList} (the list {@code -Xshare:dump} archives), it makes the typical calls
 * ({@code status}, {@code pools}, {@code backends}, {@code drain}, {@code undrain}, {@code explain}, {@code -o json},
 * {@code --help}, {@code --version}, a usage error) against a loopback stand-in that answers {@code {}} to
 * every request, so the archive holds the classes of every call kind, whichever call came first. Nothing
 * is printed; the exit code is 0 unless the stand-in could not start. Runs on the main thread, the
 * stand-in on one daemon thread.
 */
final class ArchiveTraining {

    /** Each call, as an operator types it (the admin address and token come from the environment). */
    private static final List<List<String>> CALLS = List.of(
            List.of("--version"),
            List.of("--help"),
            List.of("status"),
            List.of("status", "--help"),
            List.of("-o", "json", "status"),
            List.of("pools"),
            List.of("backends", "chat"),
            List.of("drain", "chat/app-1", "--reason", "training"),
            List.of("undrain", "chat/app-1"),
            List.of("weight", "chat/app-1", "50"),
            List.of("explain", "--listener", "chat", "--client", "192.0.2.1", "--sni", "a.example.test"),
            List.of("connections"),
            List.of("status", "--no-such-option"));

    private ArchiveTraining() {}

    public static void main(String[] args) throws IOException {
        Path token = Files.createTempFile("sluicectl-training", ".token");
        try (ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            Thread standIn = new Thread(() -> answerEmptyObjects(server), "sluicectl-training-stand-in");
            standIn.setDaemon(true);
            standIn.start();
            Files.writeString(token, "training\n", StandardCharsets.UTF_8);
            CliContext context = new CliContext(Map.of(
                    "SLUICE_ADMIN", "http://127.0.0.1:" + server.getLocalPort(),
                    "SLUICE_TOKEN_FILE", token.toString()), false, false, Clock.systemUTC(), Duration.ofMillis(10));
            for (List<String> call : CALLS) {
                String[] argv = call.toArray(String[]::new);
                CommandLine cl = SluiceCtl.commandLine(context, argv);
                PrintWriter sink = new PrintWriter(Writer.nullWriter());
                cl.setOut(sink);
                cl.setErr(sink);
                cl.execute(argv);
            }
        } finally {
            Files.deleteIfExists(token);
        }
    }

    /** HTTP/1.1 {@code 200 {}} to every request, one connection at a time, until the process ends. */
    private static void answerEmptyObjects(ServerSocket server) {
        byte[] answer = ("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 2\r\n"
                + "Connection: close\r\n\r\n{}").getBytes(StandardCharsets.US_ASCII);
        while (!server.isClosed()) {
            try (Socket s = server.accept()) {
                s.setSoTimeout(2_000);
                BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.US_ASCII));
                long length = 0;
                for (String line = in.readLine(); line != null && !line.isEmpty(); line = in.readLine()) {
                    String lower = line.toLowerCase(Locale.ROOT);
                    if (lower.startsWith("content-length:")) {
                        length = Long.parseLong(lower.substring("content-length:".length()).trim());
                    }
                }
                in.skip(length);
                OutputStream out = s.getOutputStream();
                out.write(answer);
                out.flush();
            } catch (IOException | RuntimeException e) {
                // A closed server ends the loop; a broken exchange only costs that call's classes.
            }
        }
    }
}
