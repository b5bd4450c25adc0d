package io.dnstapforwarder.shipper.shape;

import io.dnstapforwarder.config.ConfigException;
import io.dnstapforwarder.metrics.ComponentMetrics;
import io.dnstapforwarder.metrics.Stage;
import io.dnstapforwarder.shipper.enrich.Enrichment;
import io.micrometer.core.instrument.Counter;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The shaping rules in force: the options, overridden by {@code --shaping-file} when given, which
 * is read again when it or the suffix file changes (and the {@code --public-suffix-file} of
 * {@link Enrichment}, when that changes), so that an operator reshapes what Splunk gets
 * without a restart. A file that cannot be used is refused at start (the service does not start)
 * and, later, logged and counted while the rules in force stay: a typo must not open the flood
 * gates nor close them.
 *
 * <p>A change is read once the files have stood still for a whole check, and applied only if they
 * did not change while being read: a writer that truncates and then writes (not every editor or
 * tool renames a finished file into place) is never read half way, and an edit that lands during a
 * read is read at the next check instead of being lost. An {@code Error} out of a check is logged
 * and counted, and the watcher goes on.
 */
public final class LiveShaping implements Supplier<ShapingRules>, AutoCloseable {

    /** How often the files are looked at: a change applies within two of these. */
    public static final Duration CHECK_EVERY = Duration.ofSeconds(1);
    private static final Logger log = LoggerFactory.getLogger(LiveShaping.class);

    private final Shaping options;
    private final ComponentMetrics metrics;
    private final List<Watched> others;
    private final AtomicReference<ShapingRules> current = new AtomicReference<>();
    private final Counter reloads;
    private final ScheduledExecutorService watcher;
    /** The stamps of the files the rules in force were read from (or refused from). */
    private List<Object> stamps;
    /** The stamps of a change seen at the last check and not yet read: it is read if they still hold. */
    private List<Object> pending;

    private LiveShaping(Shaping options, ComponentMetrics metrics, List<Watched> others) {
        this.options = options;
        this.metrics = metrics;
        this.others = List.copyOf(others);
        this.reloads = Counter.builder("dnstap.shipper.shaping.reloads")
                .description("Times a changed shaping file was read again and its rules put in force").tags(metrics.tags())
                .register(metrics.registry());
        ShapingRules rules = ShapingRules.compile(effective());
        options.enrichment().turnOn(rules.shaping().enrich());
        current.set(rules);
        this.stamps = stamps(rules.shaping());
        log.info("Shaping: {}", describe(rules));
        if (options.liveFile() == null && sources().isEmpty()) {
            this.watcher = null;
            return;
        }
        this.watcher = Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread thread = new Thread(runnable, "dnstap-shaping-file");
            thread.setDaemon(true);
            return thread;
        });
        watcher.scheduleWithFixedDelay(this::check, CHECK_EVERY.toMillis(), CHECK_EVERY.toMillis(),
                TimeUnit.MILLISECONDS);
    }

    /** The rules of {@code options}; throws {@link ConfigException} when they or the files they name cannot be used. */
    public static LiveShaping start(Shaping options, ComponentMetrics metrics) {
        return new LiveShaping(options, metrics, List.of());
    }

    /** The same, also watching {@code others}: files the rendering reads, such as the HEC routing file. */
    public static LiveShaping start(Shaping options, ComponentMetrics metrics, List<Watched> others) {
        return new LiveShaping(options, metrics, others);
    }

    @Override
    public ShapingRules get() {
        return current.get();
    }

    /** One scheduled check: nothing that goes wrong in it may end the watcher, which would stop without a word. */
    private void check() {
        try {
            reloadIfChanged();
        } catch (RuntimeException | Error e) {
            metrics.error("shaping_watch_failed", Stage.PROCESSING);
            log.error("Checking {} for changes failed; the shaping in force stays, and the next check tries again",
                    options.liveFile(), e);
        }
    }

    /**
     * One look at the files (the watcher calls this every {@link #CHECK_EVERY}; tests may too): the
     * shaping file, and the suffix file of the rules in force (a new one named by the shaping file
     * comes with a change of that file). A change seen for the first time is only noted; one that
     * has stood still since the last look is read, and applied if the files did not change while
     * they were read. A file that cannot be used keeps the rules in force.
     */
    public void reloadIfChanged() {
        List<Object> seen = stamps(current.get().shaping());
        if (seen.equals(stamps)) {
            pending = null;
            return;
        }
        if (!seen.equals(pending)) {
            pending = seen; // a writer may be half way: read it once it has stood still for a check
            return;
        }
        pending = null;
        List<Object> read;
        ShapingRules rules;
        try {
            Shaping next = effective();
            read = stamps(next); // the shaping file again, and the suffix file it names, before that is read
            rules = ShapingRules.compile(next);
            if (!stamps(next).equals(read) || !read.subList(0, 2).equals(seen.subList(0, 2))) {
                return; // changed while being read: the next checks see it and read it again
            }
        } catch (RuntimeException e) {
            metrics.error("shaping_file_refused", Stage.PROCESSING);
            log.error("Cannot use {} ({}); the shaping in force stays: {}", options.liveFile(), e.getMessage(),
                    describe(current.get()));
            reloadSources(seen, stamps); // a key file or database that changed meanwhile is read all the same
            stamps = seen;
            return;
        }
        reloadSources(read, stamps);
        options.enrichment().turnOn(rules.shaping().enrich());
        current.set(rules);
        stamps = read;
        reloads.increment();
        log.info("Shaping read again from {}: {}", options.liveFile() != null ? options.liveFile()
                : sources().stream().map(Watched::file).toList(), describe(rules));
    }

    /**
     * A file read apart from the shaping rules, and how: the Public Suffix List, each GeoIP
     * database, the pseudonyms' key file, and the others given at start. Its stamps follow the
     * shaping file's and the suffix file's, in this order.
     *
     * @param what names the file in the log
     * @param errorType counts a change that cannot be used
     * @param reload reads it again, throwing (a {@code RuntimeException}) when it cannot be used
     * @param inForce describes what is in force, for the log
     */
    public record Watched(Path file, String what, String errorType, Runnable reload, Supplier<String> inForce) {
    }

    private List<Watched> sources() {
        List<Watched> sources = new ArrayList<>();
        Enrichment enrichment = options.enrichment();
        if (enrichment.suffixFile() != null) {
            sources.add(new Watched(enrichment.suffixFile(), "Public Suffix List", "public_suffix_file_refused",
                    enrichment::reload, enrichment::describe));
        }
        if (enrichment.geoip() != null) {
            for (Path database : enrichment.geoip().files()) {
                sources.add(new Watched(database, "GeoIP database", "geoip_database_refused", enrichment.geoip()::reload,
                        enrichment::describe));
            }
        }
        if (options.privacy().keyFile() != null) {
            sources.add(new Watched(options.privacy().keyFile(), "Pseudonym keys", "privacy_key_file_refused",
                    options.privacy()::reload, options.privacy()::describe));
        }
        sources.addAll(others);
        return sources;
    }

    /** Reads again each source whose file changed; one that cannot be used leaves what is in force. */
    private void reloadSources(List<Object> read, List<Object> before) {
        List<Watched> sources = sources();
        for (int i = 0; i < sources.size(); i++) {
            int at = 4 + 2 * i;
            if (!read.subList(at, at + 2).equals(before.subList(at, at + 2))) {
                reload(sources.get(i));
            }
        }
    }

    private void reload(Watched source) {
        try {
            source.reload().run();
            log.info("{} read again from {}: {}", source.what(), source.file(), source.inForce().get());
        } catch (RuntimeException e) {
            metrics.error(source.errorType(), Stage.PROCESSING);
            log.error("Cannot use {} ({}); what was in force stays", source.file(), e.getMessage());
        }
    }

    /** The options with the file's settings over them. */
    private Shaping effective() {
        return options.liveFile() == null ? options : ShapingFile.read(options.liveFile(), options);
    }

    /**
     * What tells a changed file: the path, then the identity (inode), modification time and size
     * of the shaping file, of the suffix file, then of each {@link Watched}. A file renamed into place
     * has a new identity even with the same time and size.
     */
    private List<Object> stamps(Shaping shaping) {
        List<Object> stamps = new ArrayList<>();
        List<Path> files = new ArrayList<>(Arrays.asList(shaping.liveFile(), shaping.dropQuerySuffixFile()));
        sources().forEach(source -> files.add(source.file()));
        for (Path file : files) {
            stamps.add(Objects.toString(file));
            try {
                BasicFileAttributes attributes = file == null ? null : Files.readAttributes(file, BasicFileAttributes.class);
                stamps.add(attributes == null ? "" : attributes.fileKey() + "/" + attributes.lastModifiedTime() + "/"
                        + attributes.size());
            } catch (IOException e) {
                stamps.add("unreadable");
            }
        }
        return stamps;
    }

    /** For the log: what is sent and what is dropped. */
    static String describe(ShapingRules rules) {
        Shaping shaping = rules.shaping();
        List<String> parts = new ArrayList<>();
        parts.add("profile " + shaping.profile().optionName());
        if (shaping.responsesOnly()) {
            parts.add("responses only");
        }
        addList(parts, "message types", shaping.dropMessageTypes());
        addList(parts, "identities", shaping.dropIdentities());
        if (rules.suffixCount() > 0) {
            parts.add("dropping names under " + rules.suffixCount() + " domains");
        }
        addList(parts, "query types", shaping.dropQueryTypes());
        addList(parts, "reply codes", shaping.dropReplyCodes());
        addList(parts, "client networks", shaping.dropClientNetworks());
        if (shaping.sampleRate() > 1) {
            parts.add("1 in " + shaping.sampleRate() + " sampled");
        }
        return String.join(", ", parts);
    }

    private static void addList(List<String> parts, String what, List<String> values) {
        if (!values.isEmpty()) {
            parts.add("dropping " + what + " " + values);
        }
    }

    @Override
    public void close() {
        if (watcher != null) {
            watcher.shutdownNow();
        }
    }
}
