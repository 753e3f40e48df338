# The example client service (registry-example): registers itself, renews, watches compose.peer
# and logs one line per change. Built by deploy/docker-compose.example.yml; by hand, from the
# repository root:
#   mvn -B -q package -DskipTests
#   docker build -f deploy/example.Dockerfile -t roster-example:latest .
# Same base as deploy/Dockerfile (any Debian-family image with a Java 17 runtime on PATH).
ARG BASE_IMAGE=eclipse-temurin:17-jre
FROM ${BASE_IMAGE}
# lets a rebuild's replaced images be found: docker image prune --filter label=dev.roster.image
LABEL dev.roster.image=example

RUN groupadd --system --gid 10002 example \
 && useradd --system --uid 10002 --gid example --no-create-home --shell /usr/sbin/nologin example \
 && mkdir -p /app

COPY registry-example/target/roster-example.jar /app/roster-example.jar

USER example
ENV JAVA_OPTS="-Xmx64m"
# exec: java is PID 1 and gets SIGTERM, so `docker stop` cancels the registration
ENTRYPOINT ["sh", "-c", "exec java $JAVA_OPTS -jar /app/roster-example.jar"]
