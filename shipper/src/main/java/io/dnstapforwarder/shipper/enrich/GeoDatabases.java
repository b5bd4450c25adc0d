package io.dnstapforwarder.shipper.enrich;

import com.maxmind.db.CHMCache;
import com.maxmind.db.MaxMindDbConstructor;
import com.maxmind.db.MaxMindDbParameter;
import com.maxmind.db.Reader;
import io.dnstapforwarder.config.ConfigException;
import io.dnstapforwarder.metrics.ComponentMetrics;
import io.micrometer.core.instrument.FunctionCounter;
import java.io.IOException;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where addresses are ({@code --geoip-database}): the country, autonomous system number and AS
 * organisation of an address, from MaxMind DB files (GeoLite2 or GeoIP2 Country, City and ASN,
 * DB-IP Lite, IPinfo Lite), read with MaxMind's own reader. Several files combine: each attribute
 * comes from the first file, in the order given, that has it (a Country file and an ASN file
 * together give all three).
 *
 * <p>Each file is read into memory once, shared by every worker, and read again when it changes
 * ({@link #reload()}): a database is replaced while workers use the one in force, and a file
 * rewritten in place can never fault a reader (a memory-mapped one could, mid-lookup). A file
 * that is not a usable database is refused at start and, later, leaves the database in force.
 * A lookup that fails on a damaged part of a database gives nothing and is counted
 * ({@code dnstap_shipper_geoip_lookup_failures_total}): the event goes on without the fields.
 * Thread-safe.
 */
public final class GeoDatabases {

    private static final Logger log = LoggerFactory.getLogger(GeoDatabases.class);
    /** Addresses every usable database can be asked about: a damaged tree shows at start, not in an event. */
    private static final List<String> PROBES = List.of("1.1.1.1", "8.8.8.8", "81.2.69.142", "203.0.113.1",
            "2001:4860:4860::8888", "2a02:ff80::1", "::1");

    private final List<Path> files;
    private final LongAdder failures = new LongAdder();
    private volatile List<Database> databases;

    private GeoDatabases(List<Path> files, List<Database> databases) {
        this.files = List.copyOf(files);
        this.databases = databases;
    }

    /**
     * Opens the databases; one that cannot be read, or is not a MaxMind DB, stops the start with a
     * {@link ConfigException} naming {@code --geoip-database} and the file.
     */
    public static GeoDatabases open(List<Path> files) {
        List<Database> databases = new ArrayList<>();
        for (Path file : files) {
            databases.add(Database.open(file));
        }
        return new GeoDatabases(files, List.copyOf(databases));
    }

    /** The files, in the order their attributes are preferred. */
    public List<Path> files() {
        return files;
    }

    /**
     * Reads the files again and puts those that changed in force; one that cannot be used throws
     * {@link ConfigException} and its database in force stays (the others that changed are taken).
     */
    public void reload() {
        List<Database> next = new ArrayList<>(databases);
        List<String> refused = new ArrayList<>();
        for (int i = 0; i < next.size(); i++) {
            Database old = next.get(i);
            if (old.stamp().equals(Database.stamp(old.file()))) {
                continue;
            }
            try {
                next.set(i, Database.open(old.file()));
            } catch (ConfigException e) {
                refused.add(e.getMessage());
            }
        }
        databases = List.copyOf(next);
        if (!refused.isEmpty()) {
            throw new ConfigException(String.join("; ", refused));
        }
    }

    /** Where {@code address} (4 or 16 bytes, as dnstap carries it) is; {@link Location#NONE} when no database knows. */
    public Location locate(byte[] address) {
        return locate(address, databases);
    }

    /** A worker's memory of where the addresses it looked up last are; one per renderer. */
    public Recent recent() {
        return new Recent();
    }

    private Location locate(byte[] address, List<Database> databases) {
        if (address == null || address.length != 4 && address.length != 16) {
            return Location.NONE;
        }
        InetAddress inet;
        try {
            inet = InetAddress.getByAddress(address);
        } catch (UnknownHostException e) {
            return Location.NONE; // not reached: the length is checked
        }
        String country = null;
        long asn = 0;
        String organisation = null;
        for (Database database : databases) {
            GeoRecord record = database.lookup(inet, failures);
            if (record == null) {
                continue;
            }
            country = country != null ? country : record.country();
            if (asn == 0 && record.asn() > 0) {
                asn = record.asn();
                organisation = record.organisation();
            }
            if (country != null && asn != 0) {
                break;
            }
        }
        return country == null && asn == 0 ? Location.NONE : new Location(country, asn, organisation);
    }

    /** Lookups that failed on a damaged database. */
    public long failures() {
        return failures.sum();
    }

    /** Publishes the failed lookups. */
    public void register(ComponentMetrics metrics) {
        FunctionCounter.builder("dnstap.shipper.geoip.lookup.failures", failures, LongAdder::sum)
                .description("Address lookups that failed on a damaged --geoip-database: the event went on without "
                        + "the fields").tags(metrics.tags()).register(metrics.registry());
    }

    /** For /stats and the log: each database's type, build date and file. */
    public String describe() {
        List<String> parts = new ArrayList<>();
        for (Database database : databases) {
            parts.add(database.reader().getMetadata().databaseType() + " built "
                    + database.reader().getMetadata().buildTime() + " (" + database.file() + ")");
        }
        return String.join(", ", parts);
    }

    /**
     * The last addresses a worker located, and where they are: DNS traffic asks about the same
     * clients and the same answers again and again, and a hit costs a hash and a comparison, not a
     * walk down the tree (about 300 ns in a real database). Direct-mapped, 1,024 entries; forgotten
     * when a database is read again. Not thread-safe.
     */
    public final class Recent {
        private static final int SIZE = 1024;
        private final byte[][] addresses = new byte[SIZE][];
        private final Location[] locations = new Location[SIZE];
        private List<Database> generation;

        /**
         * As {@link GeoDatabases#locate(byte[])}; {@code address} is kept, so it must not be
         * changed afterwards (the renderer's come fresh from each message).
         */
        public Location locate(byte[] address) {
            List<Database> now = databases;
            if (now != generation) {
                Arrays.fill(addresses, null);
                generation = now;
            }
            if (address == null) {
                return Location.NONE;
            }
            int hash = Arrays.hashCode(address);
            int slot = (hash ^ hash >>> 16) & (SIZE - 1);
            if (Arrays.equals(addresses[slot], address)) {
                return locations[slot];
            }
            Location location = GeoDatabases.this.locate(address, now);
            addresses[slot] = address;
            locations[slot] = location;
            return location;
        }
    }

    /**
     * Where an address is.
     *
     * @param country ISO 3166-1 alpha-2 code of the country the address is in, or null
     * @param asn autonomous system number, 0 when unknown
     * @param asOrganisation the autonomous system's organisation, or null
     */
    public record Location(String country, long asn, String asOrganisation) {
        public static final Location NONE = new Location(null, 0, null);
    }

    /** One open file and what tells it changed. */
    private record Database(Path file, Reader reader, String stamp) {

        static Database open(Path file) {
            String stamp = stamp(file);
            Reader reader;
            try {
                if (Files.size(file) == 0) {
                    throw new IOException("the file is empty");
                }
                reader = new Reader(file.toFile(), Reader.FileMode.MEMORY, new CHMCache());
            } catch (IOException | RuntimeException e) {
                throw ConfigException.invalid("--geoip-database", file, "is not a readable MaxMind DB file (GeoLite2, "
                        + "DB-IP Lite, IPinfo Lite .mmdb): " + e.getMessage());
            }
            long treeBytes = reader.getMetadata().nodeCount() * reader.getMetadata().recordSize() / 4;
            try {
                if (treeBytes + 16 > Files.size(file)) { // the tree, then 16 zero bytes before the data
                    throw ConfigException.invalid("--geoip-database", file, "is damaged: its search tree of "
                            + reader.getMetadata().nodeCount() + " nodes is larger than the file");
                }
            } catch (IOException e) {
                throw ConfigException.invalid("--geoip-database", file, "cannot be read: " + e.getMessage());
            }
            for (String probe : PROBES) {
                try {
                    InetAddress address = InetAddress.getByName(probe); // literals: no name is resolved
                    if (!(address instanceof Inet6Address) || reader.getMetadata().ipVersion() == 6) {
                        reader.get(address, GeoRecord.class);
                    }
                } catch (IOException | RuntimeException e) {
                    throw ConfigException.invalid("--geoip-database", file, "is damaged: looking up " + probe + " failed: "
                            + e.getMessage());
                }
            }
            log.info("GeoIP database {}: {} built {}, {} nodes", file, reader.getMetadata().databaseType(),
                    reader.getMetadata().buildTime(), reader.getMetadata().nodeCount());
            return new Database(file, reader, stamp);
        }

        static String stamp(Path file) {
            try {
                var attributes = Files.readAttributes(file, java.nio.file.attribute.BasicFileAttributes.class);
                return attributes.fileKey() + "/" + attributes.lastModifiedTime() + "/" + attributes.size();
            } catch (IOException e) {
                return "unreadable";
            }
        }

        GeoRecord lookup(InetAddress address, LongAdder failures) {
            if (address instanceof Inet6Address && reader.getMetadata().ipVersion() == 4) {
                return null; // an IPv4-only database knows no IPv6 address
            }
            try {
                return reader.get(address, GeoRecord.class);
            } catch (IOException | RuntimeException e) {
                failures.increment();
                return null;
            }
        }
    }

    /**
     * The fields read from a record, whichever database wrote it; any other field is skipped, not
     * decoded. MaxMind and DB-IP: {@code country.iso_code}, {@code autonomous_system_number},
     * {@code autonomous_system_organization}; IPinfo Lite: {@code country_code}, {@code asn}
     * ({@code "AS13335"}), {@code as_name}.
     */
    public static final class GeoRecord {
        private final String country;
        private final long asn;
        private final String organisation;

        @MaxMindDbConstructor
        public GeoRecord(@MaxMindDbParameter(name = "country") IsoCode country,
                @MaxMindDbParameter(name = "autonomous_system_number") Long asn,
                @MaxMindDbParameter(name = "autonomous_system_organization") String organisation,
                @MaxMindDbParameter(name = "country_code") String countryCode,
                @MaxMindDbParameter(name = "asn") String ipinfoAsn,
                @MaxMindDbParameter(name = "as_name") String asName) {
            this.country = country != null && country.code != null ? country.code : countryCode;
            this.asn = asn != null ? asn : parseAsn(ipinfoAsn);
            this.organisation = organisation != null ? organisation : asName;
        }

        String country() {
            return country;
        }

        long asn() {
            return asn;
        }

        String organisation() {
            return organisation;
        }

        private static long parseAsn(String text) {
            if (text == null) {
                return 0;
            }
            String digits = text.regionMatches(true, 0, "AS", 0, 2) ? text.substring(2) : text;
            try {
                return Long.parseLong(digits);
            } catch (NumberFormatException e) {
                return 0;
            }
        }
    }

    /** The {@code iso_code} of a {@code country} map. */
    public static final class IsoCode {
        private final String code;

        @MaxMindDbConstructor
        public IsoCode(@MaxMindDbParameter(name = "iso_code") String code) {
            this.code = code;
        }
    }
}
