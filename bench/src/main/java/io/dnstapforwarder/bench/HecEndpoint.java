package io.dnstapforwarder.bench;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Executors;
import java.util.zip.GZIPInputStream;

/** The HTTP side of the benchmarks' HEC endpoints: a server that answers as HEC does, fast. */
public final class HecEndpoint {

    private static final byte[] SUCCESS = "{\"text\":\"Success\",\"code\":0}".getBytes(StandardCharsets.US_ASCII);

    private HecEndpoint() {
    }

    /**
     * Starts a server on {@code host:port} with {@code threads} request threads. Without
     * TCP_NODELAY the JDK server's separate writes of headers and body meet the client's delayed
     * ACK: about 40 ms per response, which would measure the sink rather than the shipper.
     */
    public static HttpServer start(String host, int port, int threads, HttpHandler handler) throws IOException {
        System.setProperty("sun.net.httpserver.nodelay", "true");
        HttpServer server = HttpServer.create(new InetSocketAddress(host, port), 256);
        server.setExecutor(Executors.newFixedThreadPool(threads));
        server.createContext("/", handler);
        server.start();
        return server;
    }

    /** The request's body, gunzipped when the shipper sent it gzipped. */
    public static InputStream body(HttpExchange exchange) throws IOException {
        return "gzip".equalsIgnoreCase(exchange.getRequestHeaders().getFirst("Content-Encoding"))
                ? new GZIPInputStream(exchange.getRequestBody(), 1 << 16) : exchange.getRequestBody();
    }

    /** HEC's answer to a request it took whole. */
    public static void success(HttpExchange exchange) throws IOException {
        exchange.getResponseHeaders().add("Content-Type", "application/json");
        exchange.sendResponseHeaders(200, SUCCESS.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(SUCCESS);
        }
    }
}
