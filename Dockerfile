# jepmd container image: the Erlang Port Mapper Daemon on the JVM.
#
#   docker build -t jepmd .
#   docker run -d --name epmd --network host --read-only jepmd
#   docker run -d --network host jepmd -address 10.0.0.5 -http 127.0.0.1:9436 -audit
#
# Runs in the foreground as an unprivileged user, on a read-only root file system if asked; SIGTERM
# (docker stop) frees the port, closes every connection and exits 0. Arguments are epmd's (see
# docs/operations.md). scripts/check-container builds and runs it with podman in CI.
#
# The two base images are arguments, so that the image builds from local or mirrored bases:
#   BUILD_IMAGE    a JDK 17+ with Maven 3.8+ ("mvn" on PATH)
#   RUNTIME_IMAGE  a JRE 17+ ("java" on PATH) with bash, coreutils, groupadd and useradd
ARG BUILD_IMAGE=maven:3.9-eclipse-temurin-17
ARG RUNTIME_IMAGE=eclipse-temurin:17-jre

# ---- build: the shaded jar ----
FROM ${BUILD_IMAGE} AS build
WORKDIR /src
COPY pom.xml ./pom.xml
RUN mvn -B -q dependency:go-offline
COPY src ./src
# only the jar: no tests, no generated docs (the image ships no man page), no packages
RUN mvn -B -q -Dmaven.test.skip=true -Dexec.skip=true -Dasciidoctor.skip=true package

# ---- runtime: a JRE, the jar and the launcher ----
FROM ${RUNTIME_IMAGE}
# a fixed numeric uid, so that Kubernetes' runAsNonRoot can check it
RUN groupadd --system --gid 10001 jepmd \
 && useradd --system --uid 10001 --gid jepmd --home-dir /var/lib/jepmd --create-home --shell /usr/sbin/nologin jepmd
COPY --from=build /src/target/jepmd.jar /opt/jepmd/target/jepmd.jar
COPY scripts/jepmd scripts/jepmd-cds scripts/jepmd-healthcheck /opt/jepmd/scripts/
ENV PATH=/opt/jepmd/scripts:$PATH
USER 10001:10001
# The launcher's two class-data-sharing archives (client actions', the daemon's), made now in the
# user's ~/.cache/jepmd (the launcher maps only archives of the user's own): --read-only keeps them.
RUN jepmd-cds && jepmd -version
EXPOSE 4369
# NAMES over bash's /dev/tcp: no JVM every 30 s
HEALTHCHECK --interval=30s --timeout=5s --start-period=10s --retries=3 CMD ["jepmd-healthcheck"]
STOPSIGNAL SIGTERM
ENTRYPOINT ["/opt/jepmd/scripts/jepmd"]
