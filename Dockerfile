# Images of dnstap-forwarder, built from source:
#   docker build --target collector -t dnstap-forwarder-collector .
#   docker build --target shipper   -t dnstap-forwarder-shipper .
#   docker build -t dnstap-forwarder .          (the launcher: any command, standalone by default)
# Configuration comes only from DNSTAP_* variables and mounted files (token, TLS); see README.md.

FROM eclipse-temurin:17.0.20.1_1-jdk-jammy AS build
WORKDIR /src
COPY .mvn/ .mvn/
COPY mvnw pom.xml ./
COPY common/ common/
COPY embedded-kafka/ embedded-kafka/
COPY collector/ collector/
COPY shipper/ shipper/
COPY standalone/ standalone/
COPY service-lib/pom.xml service-lib/pom.xml
COPY testkit/ testkit/
COPY bench/pom.xml bench/pom.xml
COPY deployment/pom.xml deployment/pom.xml
RUN ./mvnw -B -q -Dmaven.test.skip=true -pl standalone,service-lib -am package

FROM eclipse-temurin:17.0.20.1_1-jre-jammy AS runtime
# The same layout as a source checkout, so that the image runs the launcher the tests run. Each
# image below adds the lib/ its command loads.
COPY --from=build /src/standalone/target/dnstap-forwarder.jar /opt/dnstap-forwarder/standalone/target/
COPY bin/dnstap-forwarder bin/healthcheck /opt/dnstap-forwarder/bin/
RUN groupadd --system --gid 10001 dnstap \
    && useradd --system --uid 10001 --gid dnstap --home-dir /var/lib/dnstap-forwarder --create-home dnstap \
    && mkdir -p /var/run/dnstap && chown dnstap:dnstap /var/run/dnstap
WORKDIR /var/lib/dnstap-forwarder
# In a container the heap follows the memory limit; an OutOfMemoryError restarts the container
# (Kafka holds what was not delivered) instead of leaving a half-working JVM. No performance-data
# sampling: 20 wake-ups a second that cost an idle service a fifth of its CPU (docs/PERFORMANCE.md).
ENV DNSTAP_SKIP_BUILD=1 \
    JAVA_OPTS="-XX:MaxRAMPercentage=75 -XX:InitialRAMPercentage=25 -XX:+UseG1GC -XX:+ExitOnOutOfMemoryError -XX:-UsePerfData" \
    PATH="/opt/dnstap-forwarder/bin:${PATH}"
USER 10001:10001
ENTRYPOINT ["/opt/dnstap-forwarder/bin/dnstap-forwarder"]

# The collector and shipper images: only what the services load (service-lib), none of the
# embedded broker's jars (Kafka's server, Scala, log4j-core), which scanners would flag.
FROM runtime AS collector
COPY --from=build /src/service-lib/target/lib/ /opt/dnstap-forwarder/standalone/target/lib/
ENV DNSTAP_MONITORING_PORT=8080 DNSTAP_SOCKET_PATH=/var/run/dnstap/dnstap.sock DNSTAP_SOCKET_MODE=0666
EXPOSE 6000 8080
HEALTHCHECK --interval=15s --timeout=5s --start-period=60s --retries=3 CMD ["/opt/dnstap-forwarder/bin/healthcheck"]
CMD ["collector"]

FROM runtime AS shipper
COPY --from=build /src/service-lib/target/lib/ /opt/dnstap-forwarder/standalone/target/lib/
ENV DNSTAP_MONITORING_PORT=8081
EXPOSE 8081
HEALTHCHECK --interval=15s --timeout=5s --start-period=60s --retries=3 CMD ["/opt/dnstap-forwarder/bin/healthcheck"]
CMD ["shipper"]

# Every command, standalone (with its embedded broker) among them.
FROM runtime AS launcher
COPY --from=build /src/standalone/target/lib/ /opt/dnstap-forwarder/standalone/target/lib/
ENV DNSTAP_MONITORING_PORT=8080
EXPOSE 6000 8080 8081
HEALTHCHECK --interval=15s --timeout=5s --start-period=90s --retries=3 CMD ["/opt/dnstap-forwarder/bin/healthcheck"]
CMD ["standalone"]
