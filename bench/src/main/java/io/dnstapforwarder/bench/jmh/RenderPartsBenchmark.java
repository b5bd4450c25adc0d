package io.dnstapforwarder.bench.jmh;

import io.dnstapforwarder.dnstap.Dnstap;
import io.dnstapforwarder.event.DnstapEvent;
import io.dnstapforwarder.shipper.render.dns.DnsNames;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.xbill.DNS.Message;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;

/** Where rendering time goes: the parts of RenderBenchmark measured on their own. */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class RenderPartsBenchmark {

    private List<DnstapEvent> events;
    private List<byte[]> envelopes;
    private List<byte[]> wires;
    private List<Message> messages;
    private int next;
    private final char[] text = new char[DnsNames.MAX_CHARS];

    @Setup
    public void setUp() throws Exception {
        events = Samples.events(10_000);
        envelopes = new ArrayList<>();
        wires = new ArrayList<>();
        messages = new ArrayList<>();
        for (DnstapEvent event : events) {
            envelopes.add(event.toByteArray());
            Dnstap dnstap = Dnstap.parseFrom(event.getFrame());
            byte[] wire = (dnstap.getMessage().hasResponseMessage() ? dnstap.getMessage().getResponseMessage()
                    : dnstap.getMessage().getQueryMessage()).toByteArray();
            wires.add(wire);
            messages.add(new Message(wire));
        }
    }

    private int advance() {
        int current = next;
        next = next + 1 == events.size() ? 0 : next + 1;
        return current;
    }

    @Benchmark
    public Object envelopeAndDnstapParse() throws Exception {
        return Dnstap.parseFrom(DnstapEvent.parseFrom(envelopes.get(advance())).getFrame());
    }

    @Benchmark
    public Object dnsjavaParse() throws Exception {
        return new Message(wires.get(advance()));
    }

    @Benchmark
    public int dnsjavaPresentation() {
        Message message = messages.get(advance());
        int length = message.getQuestion().getName().toString(true).length();
        for (Record record : message.getSection(Section.ANSWER)) {
            length += record.rdataToString().length() + record.getName().toString(true).length();
        }
        for (Record record : message.getSection(Section.AUTHORITY)) {
            length += record.rdataToString().length() + record.getName().toString(true).length();
        }
        return length;
    }

    /** The question's and the authority's names as dnsjava presents them, a string and a builder per name. */
    @Benchmark
    public int namesDnsjava() {
        Message message = messages.get(advance());
        int length = message.getQuestion().getName().toString(true).length();
        for (Record record : message.getSection(Section.AUTHORITY)) {
            length += record.getName().toString(true).length();
        }
        return length;
    }

    /** The same names as the renderer presents them, into one reused buffer. */
    @Benchmark
    public int namesWritten() {
        Message message = messages.get(advance());
        int length = DnsNames.write(message.getQuestion().getName(), text);
        for (Record record : message.getSection(Section.AUTHORITY)) {
            length += DnsNames.write(record.getName(), text);
        }
        return length;
    }
}
