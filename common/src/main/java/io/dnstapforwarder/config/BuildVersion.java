package io.dnstapforwarder.config;

import io.dnstapforwarder.ops.ServiceInfo;
import picocli.CommandLine.IVersionProvider;

/** {@code --version} of every command: the build version. */
public final class BuildVersion implements IVersionProvider {
    @Override
    public String[] getVersion() {
        return new String[] {"dnstap-forwarder " + ServiceInfo.BUILD_VERSION};
    }
}
