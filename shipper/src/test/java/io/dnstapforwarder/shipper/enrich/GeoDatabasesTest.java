package io.dnstapforwarder.shipper.enrich;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.dnstapforwarder.config.ConfigException;
import io.dnstapforwarder.testkit.TestData;
import java.math.BigInteger;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code --geoip-database} on the MaxMind-DB project's test databases: every network of their
 * source data located as a longest-prefix match over that source computes it, the files combined,
 * and every kind of file that is not a usable database refused.
 */
class GeoDatabasesTest {

    private static final Path COUNTRY = TestData.path("maxmind/GeoLite2-Country-Test.mmdb");
    private static final Path CITY = TestData.path("maxmind/GeoLite2-City-Test.mmdb");
    private static final Path ASN = TestData.path("maxmind/GeoLite2-ASN-Test.mmdb");

    @TempDir
    Path dir;

    /** A network of the source data and what it says. */
    private record Network(byte[] start, int prefix, JsonNode data) {

        boolean contains(byte[] address) {
            if (address.length != start.length) {
                return false;
            }
            BigInteger mask = BigInteger.ONE.shiftLeft(address.length * 8).subtract(BigInteger.ONE)
                    .shiftRight(prefix).not();
            return new BigInteger(1, address).and(mask).equals(new BigInteger(1, start).and(mask));
        }

        byte[] last() {
            BigInteger hostBits = BigInteger.ONE.shiftLeft(start.length * 8 - prefix).subtract(BigInteger.ONE);
            byte[] big = new BigInteger(1, start).or(hostBits).toByteArray();
            byte[] last = new byte[start.length];
            System.arraycopy(big, Math.max(0, big.length - last.length), last, Math.max(0, last.length - big.length),
                    Math.min(big.length, last.length));
            return last;
        }
    }

    @Test
    void locatesEveryNetworkOfTheSourceDataAsALongestPrefixMatchOverItSays() throws Exception {
        List<Network> countries = networks("maxmind/GeoLite2-Country-Test.json");
        List<Network> asns = networks("maxmind/GeoLite2-ASN-Test.json");
        GeoDatabases geoip = GeoDatabases.open(List.of(COUNTRY, ASN));
        List<byte[]> addresses = new ArrayList<>();
        for (Network network : concat(countries, asns)) {
            addresses.add(network.start());
            addresses.add(network.last());
        }
        int located = 0;
        for (byte[] address : addresses) {
            if (isAlias(address)) {
                continue; // IPv4 reached through IPv6 (::/96, ::ffff:0:0/96, 2002::/16): the tree's own business
            }
            JsonNode country = longestMatch(countries, address);
            JsonNode asn = longestMatch(asns, address);
            GeoDatabases.Location location = geoip.locate(address);
            String which = InetAddress.getByAddress(address).getHostAddress();
            assertThat(location.country()).as(which).isEqualTo(country == null ? null
                    : country.path("country").path("iso_code").asText(null));
            assertThat(location.asn()).as(which).isEqualTo(asn == null ? 0 : asn.path("autonomous_system_number").asLong());
            assertThat(location.asOrganisation()).as(which).isEqualTo(asn == null ? null
                    : asn.path("autonomous_system_organization").asText(null));
            located += location.equals(GeoDatabases.Location.NONE) ? 0 : 1;
        }
        assertThat(located).as("of %d addresses", addresses.size()).isGreaterThan(500);
        GeoDatabases.Recent recent = geoip.recent(); // twice over, so that the second time comes from memory
        for (int round = 0; round < 2; round++) {
            for (byte[] address : addresses) {
                assertThat(recent.locate(address.clone())).isEqualTo(geoip.locate(address));
            }
        }
        assertThat(geoip.failures()).isZero();
        assertThat(geoip.describe()).contains("GeoLite2-Country", "GeoLite2-ASN");
    }

    @Test
    void theFirstFileThatKnowsAnAttributeGivesIt() throws Exception {
        byte[] london = InetAddress.getByName("81.2.69.142").getAddress();
        byte[] google = InetAddress.getByName("1.0.0.1").getAddress();
        assertThat(GeoDatabases.open(List.of(CITY)).locate(london)).isEqualTo(new GeoDatabases.Location("GB", 0, null));
        assertThat(GeoDatabases.open(List.of(ASN, CITY)).locate(google))
                .isEqualTo(new GeoDatabases.Location(null, 15169, "Google Inc."));
        assertThat(GeoDatabases.open(List.of(CITY, COUNTRY, ASN)).locate(london).country()).isEqualTo("GB");
        assertThat(GeoDatabases.open(List.of(COUNTRY)).locate(InetAddress.getByName("127.0.0.1").getAddress()))
                .isSameAs(GeoDatabases.Location.NONE);
    }

    @Test
    void addressesOfEveryLengthAndAnIpv4OnlyDatabaseAreNoFailure() throws Exception {
        GeoDatabases ipv4Only = GeoDatabases.open(List.of(TestData.path("maxmind/MaxMind-DB-test-ipv4-24.mmdb"), COUNTRY));
        assertThat(ipv4Only.locate(InetAddress.getByName("2001:218::1").getAddress()).country())
                .as("the IPv4-only file is passed over, the next one answers").isEqualTo("JP");
        for (byte[] odd : List.of(new byte[0], new byte[3], new byte[5], new byte[17])) {
            assertThat(ipv4Only.locate(odd)).isSameAs(GeoDatabases.Location.NONE);
        }
        assertThat(ipv4Only.locate(null)).isSameAs(GeoDatabases.Location.NONE);
        assertThat(ipv4Only.failures()).isZero();
    }

    @Test
    void aFileThatIsNotAUsableDatabaseStopsTheStartNamingTheOptionAndTheFile() throws Exception {
        byte[] country = Files.readAllBytes(COUNTRY);
        Path empty = Files.write(dir.resolve("empty.mmdb"), new byte[0]);
        Path text = Files.writeString(dir.resolve("text.mmdb"), "// not a database\n1.2.3.0/24,GB\n");
        Path truncated = Files.write(dir.resolve("truncated.mmdb"), Arrays.copyOf(country, country.length / 2));
        Path missing = dir.resolve("missing.mmdb");
        for (Path bad : List.of(empty, text, truncated, missing, dir,
                TestData.path("maxmind/libmaxminddb-metadata-marker-only.mmdb"),
                TestData.path("maxmind/GeoIP2-City-Test-Invalid-Node-Count.mmdb"))) {
            assertThatThrownBy(() -> GeoDatabases.open(List.of(COUNTRY, bad))).describedAs(bad.toString())
                    .isInstanceOf(ConfigException.class).hasMessageContaining("--geoip-database")
                    .hasMessageContaining(bad.getFileName().toString());
        }
    }

    /**
     * A search tree damaged where no probe goes (libmaxminddb's corrupt-search-tree, which MaxMind's
     * Java reader reads without error): every lookup answers, none throws into the event.
     */
    @Test
    void aDatabaseDamagedWhereTheProbesDoNotGoAnswersEveryLookupWithoutThrowing() throws Exception {
        GeoDatabases damaged = GeoDatabases.open(List.of(TestData.path("maxmind/libmaxminddb-corrupt-search-tree.mmdb")));
        for (int address = 0; address < 1 << 16; address++) {
            damaged.locate(new byte[] {(byte) (address >> 8), (byte) address, 7, 1});
        }
        assertThat(damaged.locate(InetAddress.getByName("2001:db8::1").getAddress()))
                .as("IPv6 in an IPv4 database").isSameAs(GeoDatabases.Location.NONE);
    }

    @Test
    void aChangedFileIsReadAgainAndABadOneLeavesTheDatabaseInForce() throws Exception {
        Path file = dir.resolve("geo.mmdb");
        Files.copy(COUNTRY, file);
        GeoDatabases geoip = GeoDatabases.open(List.of(file));
        GeoDatabases.Recent recent = geoip.recent();
        byte[] google = InetAddress.getByName("1.0.0.1").getAddress();
        byte[] london = InetAddress.getByName("81.2.69.142").getAddress();
        assertThat(geoip.locate(london).country()).isEqualTo("GB");
        assertThat(recent.locate(google).asn()).isZero();

        replace(ASN, file);
        geoip.reload();
        assertThat(geoip.locate(google).asn()).isEqualTo(15169);
        assertThat(recent.locate(google).asn()).as("a worker's memory forgets the old database").isEqualTo(15169);

        Path garbage = Files.writeString(dir.resolve("garbage"), "not a database");
        replace(garbage, file);
        assertThatThrownBy(geoip::reload).isInstanceOf(ConfigException.class).hasMessageContaining("geo.mmdb");
        assertThat(geoip.locate(google).asn()).as("the database in force stays").isEqualTo(15169);
        assertThat(geoip.describe()).contains("GeoLite2-ASN");
    }

    /** As an operator replaces a file: a new file renamed over the old one. */
    private void replace(Path from, Path to) throws Exception {
        Path next = dir.resolve("next");
        Files.copy(from, next, StandardCopyOption.REPLACE_EXISTING);
        Files.move(next, to, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    private static List<Network> networks(String source) throws Exception {
        List<Network> networks = new ArrayList<>();
        for (JsonNode entry : new ObjectMapper().readTree(TestData.path(source).toFile())) {
            entry.fields().forEachRemaining(field -> {
                String[] cidr = field.getKey().split("/");
                try {
                    networks.add(new Network(InetAddress.getByName(cidr[0]).getAddress(), Integer.parseInt(cidr[1]),
                            field.getValue()));
                } catch (java.net.UnknownHostException e) {
                    throw new IllegalStateException(e);
                }
            });
        }
        return networks;
    }

    private static JsonNode longestMatch(List<Network> networks, byte[] address) {
        Network best = null;
        for (Network network : networks) {
            if (network.contains(address) && (best == null || network.prefix() > best.prefix())) {
                best = network;
            }
        }
        return best == null ? null : best.data();
    }

    private static boolean isAlias(byte[] address) {
        if (address.length != 16) {
            return false;
        }
        boolean zeros = true;
        for (int i = 0; i < 10; i++) {
            zeros &= address[i] == 0;
        }
        return zeros || (address[0] == 0x20 && address[1] == 0x02);
    }

    private static List<Network> concat(List<Network> a, List<Network> b) {
        List<Network> all = new ArrayList<>(a);
        all.addAll(b);
        return all;
    }
}
