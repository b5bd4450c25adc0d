package io.dnstapforwarder.shipper.hec;

import io.dnstapforwarder.logging.RateLimitedLogger;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The HEC token: fixed, or read from a file and read again whenever the file changes, so that a
 * rotated token (a Kubernetes Secret update, say) is used without a restart. Never logged.
 * Thread-safe.
 */
public final class TokenSource implements Supplier<String> {

    private static final Logger log = LoggerFactory.getLogger(TokenSource.class);

    private final RateLimitedLogger limitedLog = new RateLimitedLogger(log);
    private final Path file;
    private volatile String token;
    private FileTime readAt;

    private TokenSource(Path file, String token) {
        this.file = file;
        this.token = token;
    }

    /** A token as given; the white space around it (a trailing newline, say) is not part of it. */
    public static TokenSource fixed(String token) {
        return new TokenSource(null, token.strip());
    }

    /** Reads the file now; fails if it cannot be read or is empty. */
    public static TokenSource file(Path file) throws IOException {
        TokenSource source = new TokenSource(file, null);
        source.reload(true);
        return source;
    }

    /**
     * Where a token has a character that cannot go into the {@code Authorization} header (a
     * control character, a space, anything beyond printable ASCII), or -1. HEC tokens are GUIDs.
     */
    public static int unsendableAt(String token) {
        for (int i = 0; i < token.length(); i++) {
            char c = token.charAt(i);
            if (c <= ' ' || c > '~') {
                return i;
            }
        }
        return -1;
    }

    @Override
    public String get() {
        if (file != null) {
            try {
                reload(false);
            } catch (IOException e) {
                limitedLog.warn("unreadable", "Cannot read the HEC token file {} ({}); keeping the token read before", file,
                        e.toString());
            }
        }
        return token;
    }

    private synchronized void reload(boolean first) throws IOException {
        FileTime modified = Files.getLastModifiedTime(file);
        if (modified.equals(readAt)) {
            return;
        }
        String read = Files.readString(file, StandardCharsets.UTF_8).strip();
        if (read.isEmpty()) {
            throw new IOException(file + " is empty");
        }
        int unsendable = unsendableAt(read);
        if (unsendable >= 0) {
            throw new IOException(file + " has a character an HTTP header cannot carry, at position " + (unsendable + 1)
                    + " (the token is not shown)");
        }
        if (!first && !read.equals(token)) {
            log.info("The HEC token in {} changed; using the new one", file);
        }
        token = read;
        readAt = modified;
    }
}
