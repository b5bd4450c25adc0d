package io.dnstapforwarder.shipper.render;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/** The writer's output, read back by Jackson: any text and any number come back as they went in. */
class JsonWriterTest {

    private final ObjectMapper json = new ObjectMapper();

    @Property(tries = 2000)
    void stringsAndNumbersComeBackAsTheyWentIn(@ForAll("texts") String text, @ForAll long number,
            @ForAll("texts") String name) throws Exception {
        JsonWriter out = new JsonWriter(8);
        out.startObject();
        out.field(JsonWriter.key(name));
        out.string(text);
        out.field(JsonWriter.key("chars"));
        out.string(("<" + text + ">").toCharArray(), 1, text.length());
        out.field(JsonWriter.key("constant"));
        out.value(JsonWriter.quoted(text));
        out.field(JsonWriter.key("list"));
        out.startArray();
        out.number(number);
        out.bool(number % 2 == 0);
        out.startObject();
        out.endObject();
        out.string(text);
        out.endArray();
        out.endObject();

        JsonNode read = json.readTree(out.toByteArray());

        assertThat(read.get(name).asText()).isEqualTo(text);
        assertThat(read.get("chars").asText()).isEqualTo(text);
        assertThat(read.get("constant").asText()).isEqualTo(text);
        assertThat(read.get("list").get(0).asLong()).isEqualTo(number);
        assertThat(read.get("list").get(1).asBoolean()).isEqualTo(number % 2 == 0);
        assertThat(read.get("list").get(2).isObject()).isTrue();
        assertThat(read.get("list").get(3).asText()).isEqualTo(text);
    }

    @Example
    void writesCompactJsonAndStartsAgainAfterReset() {
        JsonWriter out = new JsonWriter(4);
        out.startObject();
        out.field(JsonWriter.key("a"));
        out.number(Long.MIN_VALUE);
        out.field(JsonWriter.key("b"));
        out.number(new char[] {'1', '.', '5'}, 0, 3);
        out.field(JsonWriter.key("c\"\n"));
        out.string("tab\there \u00e9 \uD83D\uDE00");
        out.endObject();
        assertThat(new String(out.toByteArray(), StandardCharsets.UTF_8))
                .isEqualTo("{\"a\":-9223372036854775808,\"b\":1.5,\"c\\\"\\n\":\"tab\\there \u00e9 \uD83D\uDE00\"}");

        out.reset();
        out.startArray();
        out.endArray();
        assertThat(out.toByteArray()).isEqualTo("[]".getBytes());
    }

    @Example
    void aLoneSurrogateBecomesAQuestionMarkInsteadOfFailingTheEvent() throws Exception {
        JsonWriter out = new JsonWriter(16);
        out.string("a\uD800b");

        assertThat(json.readTree(out.toByteArray()).asText()).isEqualTo("a?b");
    }

    /** Plain ASCII, as DNS data mostly is; escapes and control characters; other scripts; emoji (surrogate pairs). */
    @Provide
    Arbitrary<String> texts() {
        Arbitrary<String> tricky = Arbitraries.strings().withCharRange('a', 'z')
                .withChars("\"\\\n\t\u0000\u001f\u007f\u00e9\u3042\u20ac").ofMaxLength(30);
        return Arbitraries.oneOf(Arbitraries.strings().ascii().ofMaxLength(40), tricky,
                Arbitraries.strings().all().ofMaxLength(20).filter(JsonWriterTest::noLoneSurrogate),
                Combinators.combine(tricky, Arbitraries.of("\uD83D\uDE00", "\uD834\uDD1E"), tricky).as((a, e, b) -> a + e + b));
    }

    private static boolean noLoneSurrogate(String text) {
        return text.equals(new String(text.getBytes(StandardCharsets.UTF_8),
                StandardCharsets.UTF_8));
    }
}
