package io.sluice.direct;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * The programs of the direct-routing lab, one process per network namespace (a JVM cannot open a
 * socket in another namespace, so the test runs these with {@code ip netns exec}).
 *
 * <ul>
 *   <li>{@code server NAME VIP}: TCP on *:8080, greets each connection with {@code NAME}, answers
 *       {@code ping} with {@code NAME} and {@code download N} with N bytes; UDP on VIP:9000 answers
 *       every datagram with {@code NAME}. Bound to the VIP (UDP) so replies leave from the VIP.</li>
 *   <li>{@code client}: reads commands on stdin, answers one line each on stdout:
 *       {@code connect HOST PORT N FIRST} (N connections kept open, from source ports FIRST, FIRST+1, ...,
 *       so every test has flows of its own: the kernel's flow map remembers a 5-tuple for its idle
 *       timeout; {@code localPort:NAME} each),
 *       {@code ping} (each open connection: its answer or {@code dead}), {@code close},
 *       {@code udp HOST PORT N} (N datagrams from N sockets: the names that answered),
 *       {@code download HOST PORT BYTES} (bytes read and milliseconds),
 *       {@code udpstream HOST PORT COUNT INTERVAL_MS} (one UDP flow: how many answered, and by whom).</li>
 *   <li>{@code http METHOD URL TOKEN [BODY]}: one admin API call; prints the status and body.</li>
 * </ul>
 * Every wait is bounded (timeouts of a few seconds).
 */
public final class LabNode {

    static final int TCP_PORT = 8080;
    static final int UDP_PORT = 9000;
    private static final int TIMEOUT_MS = 3000;

    private LabNode() {
    }

    public static void main(String[] args) throws Exception {
        switch (args[0]) {
            case "server" -> server(args[1], InetAddress.getByName(args[2]));
            case "client" -> client();
            case "http" -> http(args[1], args[2], args[3], args.length > 4 ? args[4] : "");
            default -> throw new IllegalArgumentException("unknown mode " + args[0]);
        }
    }

    // ---- server ------------------------------------------------------------------------------

    private static void server(String name, InetAddress vip) throws IOException {
        byte[] reply = name.getBytes(StandardCharsets.US_ASCII);
        DatagramSocket udp = new DatagramSocket(new InetSocketAddress(vip, UDP_PORT));
        Thread udpThread = new Thread(() -> {
            byte[] buf = new byte[2048];
            while (true) {
                try {
                    DatagramPacket p = new DatagramPacket(buf, buf.length);
                    udp.receive(p);
                    udp.send(new DatagramPacket(reply, reply.length, p.getSocketAddress()));
                } catch (IOException e) {
                    return;
                }
            }
        }, "udp");
        udpThread.setDaemon(true);
        udpThread.start();
        try (ServerSocket tcp = new ServerSocket()) {
            tcp.setReuseAddress(true);
            tcp.bind(new InetSocketAddress(TCP_PORT), 4096);
            System.out.println("ready");
            System.out.flush();
            while (true) {
                Socket s = tcp.accept();
                Thread t = new Thread(() -> serve(s, name), "conn");
                t.setDaemon(true);
                t.start();
            }
        }
    }

    private static void serve(Socket s, String name) {
        try (s) {
            OutputStream out = s.getOutputStream();
            BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.US_ASCII));
            out.write((name + "\n").getBytes(StandardCharsets.US_ASCII));
            out.flush();
            String line;
            while ((line = in.readLine()) != null) {
                if (line.equals("ping")) {
                    out.write((name + "\n").getBytes(StandardCharsets.US_ASCII));
                    out.flush();
                } else if (line.startsWith("download ")) {
                    long left = Long.parseLong(line.substring(9));
                    byte[] chunk = new byte[64 * 1024];
                    while (left > 0) {
                        int n = (int) Math.min(chunk.length, left);
                        out.write(chunk, 0, n);
                        left -= n;
                    }
                    out.flush();
                    return;
                }
            }
        } catch (IOException e) {
            // the client went away, or the lab moved the flow (a reset): nothing to do
        }
    }

    // ---- client ------------------------------------------------------------------------------

    private static void client() throws IOException {
        BufferedReader commands = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        PrintStream out = System.out;
        List<Conn> open = new ArrayList<>();
        out.println("ready");
        out.flush();
        String line;
        while ((line = commands.readLine()) != null) {
            String[] w = line.trim().split(" ");
            String answer;
            try {
                answer = switch (w[0]) {
                    case "connect" -> connect(w[1], Integer.parseInt(w[2]), Integer.parseInt(w[3]),
                            Integer.parseInt(w[4]), open);
                    case "ping" -> ping(open);
                    case "close" -> {
                        for (Conn c : open) {
                            c.socket.close();
                        }
                        open.clear();
                        yield "closed";
                    }
                    case "udp" -> udp(w[1], Integer.parseInt(w[2]), Integer.parseInt(w[3]));
                    case "download" -> download(w[1], Integer.parseInt(w[2]), Long.parseLong(w[3]));
                    case "udpstream" -> udpStream(w[1], Integer.parseInt(w[2]), Integer.parseInt(w[3]), Integer.parseInt(w[4]));
                    case "quit" -> {
                        out.println("bye");
                        out.flush();
                        System.exit(0);
                        yield "";
                    }
                    default -> "error unknown command";
                };
            } catch (IOException | RuntimeException e) {
                answer = "error " + e;
            }
            out.println(answer);
            out.flush();
        }
    }

    private record Conn(Socket socket, BufferedReader in) {
    }

    private static String connect(String host, int port, int n, int firstPort, List<Conn> open) throws IOException {
        StringBuilder answer = new StringBuilder("connected");
        for (int i = 0; i < n; i++) {
            Socket s = new Socket();
            String name;
            try {
                s.bind(new InetSocketAddress(firstPort + i));
                s.connect(new InetSocketAddress(host, port), TIMEOUT_MS);
                s.setSoTimeout(TIMEOUT_MS);
                BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.US_ASCII));
                name = in.readLine();
                open.add(new Conn(s, in));
            } catch (IOException e) {
                s.close();
                name = "failed";
            }
            answer.append(' ').append(s.getLocalPort()).append(':').append(name);
        }
        return answer.toString();
    }

    private static String ping(List<Conn> open) {
        StringBuilder answer = new StringBuilder("pong");
        for (Conn c : open) {
            String name;
            try {
                c.socket.getOutputStream().write("ping\n".getBytes(StandardCharsets.US_ASCII));
                name = c.in.readLine();
                if (name == null) {
                    name = "dead";
                }
            } catch (IOException e) {
                name = "dead";
            }
            answer.append(' ').append(c.socket.getLocalPort()).append(':').append(name);
        }
        return answer.toString();
    }

    private static String udp(String host, int port, int n) throws IOException {
        StringBuilder answer = new StringBuilder("udp");
        InetSocketAddress to = new InetSocketAddress(host, port);
        for (int i = 0; i < n; i++) {
            try (DatagramSocket s = new DatagramSocket()) {
                s.setSoTimeout(1000);
                s.connect(to); // a reply from any other address (not the VIP) would be dropped
                byte[] buf = new byte[256];
                String name = "lost";
                for (int attempt = 0; attempt < 3 && name.equals("lost"); attempt++) {
                    s.send(new DatagramPacket(new byte[] {'?'}, 1));
                    try {
                        DatagramPacket p = new DatagramPacket(buf, buf.length);
                        s.receive(p);
                        name = new String(p.getData(), 0, p.getLength(), StandardCharsets.US_ASCII);
                    } catch (SocketTimeoutException e) {
                        // try again, at most three times
                    }
                }
                answer.append(' ').append(s.getLocalPort()).append(':').append(name);
            }
        }
        return answer.toString();
    }

    /** One UDP flow: {@code count} datagrams, one every {@code intervalMs}, each awaiting its answer (200 ms). */
    private static String udpStream(String host, int port, int count, int intervalMs) throws IOException {
        int answered = 0;
        Set<String> names = new TreeSet<>();
        try (DatagramSocket s = new DatagramSocket()) {
            s.setSoTimeout(200);
            s.connect(new InetSocketAddress(host, port));
            byte[] buf = new byte[256];
            for (int i = 0; i < count; i++) {
                long next = System.nanoTime() + intervalMs * 1_000_000L;
                s.send(new DatagramPacket(new byte[] {'?'}, 1));
                try {
                    DatagramPacket p = new DatagramPacket(buf, buf.length);
                    s.receive(p);
                    answered++;
                    names.add(new String(p.getData(), 0, p.getLength(), StandardCharsets.US_ASCII));
                } catch (SocketTimeoutException e) {
                    // lost: counted by its absence
                }
                long wait = next - System.nanoTime();
                if (wait > 0) {
                    try {
                        Thread.sleep(wait / 1_000_000L, (int) (wait % 1_000_000L));
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        break;
                    }
                }
            }
            return "stream " + s.getLocalPort() + " sent " + count + " answered " + answered + " by " + String.join(",", names);
        }
    }

    private static String download(String host, int port, long bytes) throws IOException {
        long start = System.nanoTime();
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(host, port), TIMEOUT_MS);
            s.setSoTimeout(10_000);
            InputStream in = s.getInputStream();
            BufferedReader greeting = new BufferedReader(new InputStreamReader(in, StandardCharsets.US_ASCII), 1);
            String name = greeting.readLine();
            s.getOutputStream().write(("download " + bytes + "\n").getBytes(StandardCharsets.US_ASCII));
            byte[] buf = new byte[256 * 1024];
            long read = 0;
            int n;
            while ((n = in.read(buf)) > 0) {
                read += n;
            }
            return "downloaded " + read + " " + (System.nanoTime() - start) / 1_000_000 + " " + name;
        }
    }

    // ---- admin -------------------------------------------------------------------------------

    private static void http(String method, String url, String token, String body) throws Exception {
        HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(3)).build();
        HttpRequest request = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10))
                .header("Content-Type", "application/json")
                .header("Authorization", "Bearer " + token)
                .method(method, body.isEmpty() ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body))
                .build();
        HttpResponse<String> response = client.send(request, HttpResponse.BodyHandlers.ofString());
        System.out.println(response.statusCode() + " " + response.body());
    }
}
