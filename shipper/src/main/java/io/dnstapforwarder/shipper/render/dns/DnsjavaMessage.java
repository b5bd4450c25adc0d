package io.dnstapforwarder.shipper.render.dns;

import io.dnstapforwarder.net.IpAddresses;
import java.util.Arrays;
import java.util.List;
import org.xbill.DNS.ClientSubnetOption;
import org.xbill.DNS.EDNSOption;
import org.xbill.DNS.ExtendedFlags;
import org.xbill.DNS.Message;
import org.xbill.DNS.OPTRecord;
import org.xbill.DNS.Record;

/** A DNS message as dnsjava decodes it: every record type, every EDNS option, truncated messages. */
public final class DnsjavaMessage implements DnsMessageView {

    private final Message message;
    private final List<List<Record>> sections;
    private final OPTRecord opt;
    private final List<EDNSOption> options;

    public DnsjavaMessage(Message message) {
        this.message = message;
        this.sections = List.of(message.getSection(QUESTION), message.getSection(ANSWER),
                message.getSection(AUTHORITY), message.getSection(ADDITIONAL));
        this.opt = message.getOPT();
        this.options = opt == null ? List.of() : opt.getOptions();
    }

    private Record record(int section, int index) {
        return sections.get(section).get(index);
    }

    @Override
    public int id() {
        return message.getHeader().getID();
    }

    @Override
    public int opcode() {
        return message.getHeader().getOpcode();
    }

    @Override
    public boolean flag(int bit) {
        return message.getHeader().getFlag(bit);
    }

    @Override
    public int headerCount(int section) {
        return message.getHeader().getCount(section);
    }

    @Override
    public int rcode() {
        return message.getRcode();
    }

    @Override
    public int records(int section) {
        return sections.get(section).size();
    }

    @Override
    public int type(int section, int index) {
        return record(section, index).getType();
    }

    @Override
    public int dclass(int section, int index) {
        return record(section, index).getDClass();
    }

    @Override
    public long ttl(int section, int index) {
        return record(section, index).getTTL();
    }

    @Override
    public int writeName(int section, int index, char[] out) {
        return DnsNames.write(record(section, index).getName(), out);
    }

    @Override
    public int writeRdata(int section, int index, char[] out) {
        return Rdata.write(record(section, index), out);
    }

    @Override
    public String rdataText(int section, int index) {
        return Rdata.text(record(section, index));
    }

    @Override
    public byte[] address(int section, int index) {
        Record record = record(section, index);
        if (record instanceof org.xbill.DNS.ARecord a) {
            return a.getAddress().getAddress();
        }
        if (record instanceof org.xbill.DNS.AAAARecord aaaa) {
            return aaaa.getAddress().getAddress();
        }
        return null;
    }

    @Override
    public boolean hasEdns() {
        return opt != null;
    }

    @Override
    public int ednsVersion() {
        return opt.getVersion();
    }

    @Override
    public int udpPayloadSize() {
        return opt.getPayloadSize();
    }

    @Override
    public boolean dnssecOk() {
        return (opt.getFlags() & ExtendedFlags.DO) != 0;
    }

    @Override
    public int ednsOptions() {
        return options.size();
    }

    @Override
    public int optionCode(int option) {
        return options.get(option).getCode();
    }

    @Override
    public byte[] optionData(int option) {
        byte[] wire = options.get(option).toWire(); // code (2), length (2), data
        return Arrays.copyOfRange(wire, 4, wire.length);
    }

    @Override
    public String clientSubnet() {
        String subnet = null;
        for (EDNSOption option : options) {
            if (option instanceof ClientSubnetOption ecs) {
                subnet = IpAddresses.format(ecs.getAddress().getAddress()) + "/" + ecs.getSourcePrefixLength();
            }
        }
        return subnet;
    }
}
