# jepmd container image: the Erlang Port Mapper Daemon on the JVM.
#
#   docker build -t jepmd .
#   docker run -d --name epmd -p 127.0.0.1:4369:4369 jepmd
#   docker run -d --network host jepmd -address 10.0.0.5 -http 127.0.0.1:9436 -audit
#
# Runs in the foreground as an unprivileged user; SIGTERM (docker stop) frees the port, closes every
# connection and exits 0. Arguments are epmd's (see docs/operations.md). scripts/check-dockerfile
# checks in CI that every file copied here exists and that the entrypoint runs.

# ---- build: the shaded jar ----
FROM maven:3.9-eclipse-temurin-17 AS build
WORKDIR /src
COPY pom.xml ./pom.xml
RUN mvn -B -q dependency:go-offline
COPY src ./src
RUN mvn -B -q -DskipTests -Dasciidoctor.skip=true package

# ---- runtime: a JRE, the jar and the launcher ----
FROM eclipse-temurin:17-jre
# a fixed numeric uid, so that Kubernetes' runAsNonRoot can check it
RUN groupadd --system --gid 10001 jepmd \
 && useradd --system --uid 10001 --gid jepmd --home-dir /var/lib/jepmd --create-home --shell /usr/sbin/nologin jepmd
COPY --from=build /src/target/jepmd.jar /opt/jepmd/target/jepmd.jar
COPY scripts/jepmd /opt/jepmd/scripts/jepmd
ENV PATH=/opt/jepmd/scripts:$PATH
USER 10001:10001
# runs the launcher once: proves it starts, and leaves its class-data-sharing archive in ~/.cache
RUN jepmd -version
EXPOSE 4369
HEALTHCHECK --interval=30s --timeout=5s --start-period=10s --retries=3 CMD ["jepmd", "-started"]
STOPSIGNAL SIGTERM
ENTRYPOINT ["/opt/jepmd/scripts/jepmd"]
