package dev.roster.node.config;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The three ways to run the example cluster — docker-compose, deploy/local-cluster.sh, the sample
 * configs — describe the same cluster, and the node accepts every setting each of them passes.
 */
class DeployFilesAgreeTest {
  private static final Path DEPLOY =
      Path.of(System.getProperty("basedir", ".")).resolve("../deploy").normalize();

  /** Settings of compose service nodeN, from its ROSTER_* environment. */
  private static Map<String, String> composeSettings(int n) throws IOException {
    JsonNode compose =
        new ObjectMapper(new YAMLFactory()).readTree(DEPLOY.resolve("docker-compose.yml").toFile());
    JsonNode env = compose.path("services").path("node" + n).path("environment");
    assertThat(env.isObject()).as("environment of node%d", n).isTrue();
    Map<String, String> vars = new HashMap<>();
    env.fields().forEachRemaining(e -> vars.put(e.getKey(), e.getValue().asText()));
    assertThat(vars.keySet()).allMatch(k -> k.startsWith(CommandLineArgs.ENV_PREFIX));
    Map<String, String> settings = CommandLineArgs.parse(vars);
    assertThat(settings).hasSize(vars.size()); // every variable is a known setting
    return settings;
  }

  private static NodeConfig sample(int n) {
    return NodeConfig.fromSettings(
        CommandLineArgs.parse(Map.of(), "-c", DEPLOY.resolve("node" + n + ".yml").toString()));
  }

  @Test
  void composeNodesAreValidNodeConfigurations() throws IOException {
    for (int n = 1; n <= 3; n++) {
      NodeConfig c = NodeConfig.fromSettings(composeSettings(n));
      assertThat(c.raft().toString()).isEqualTo("node" + n + ":727" + n);
      assertThat(c.peers())
          .extracting(HostPort::toString)
          .containsExactly("node1:7271", "node2:7272", "node3:7273");
      assertThat(c.clusterUrl()).isEqualTo("http://node" + n + ":717" + n);
    }
  }

  @Test
  void composeAndSampleConfigsUseTheSamePortsAndAdvertisedUrls() throws IOException {
    JsonNode compose =
        new ObjectMapper(new YAMLFactory()).readTree(DEPLOY.resolve("docker-compose.yml").toFile());
    for (int n = 1; n <= 3; n++) {
      NodeConfig fromCompose = NodeConfig.fromSettings(composeSettings(n));
      NodeConfig fromSample = sample(n);
      assertThat(fromCompose.http().port()).isEqualTo(fromSample.http().port()).isEqualTo(7170 + n);
      assertThat(fromCompose.raft().port()).isEqualTo(fromSample.raft().port()).isEqualTo(7270 + n);
      assertThat(fromCompose.advertise())
          .isEqualTo(fromSample.advertise())
          .isEqualTo("http://127.0.0.1:717" + n);
      assertThat(fromCompose.peers())
          .extracting(HostPort::port)
          .containsExactlyElementsOf(fromSample.peers().stream().map(HostPort::port).toList());
      List<String> ports = new ArrayList<>();
      compose.path("services").path("node" + n).path("ports").forEach(p -> ports.add(p.asText()));
      assertThat(ports).containsExactly("127.0.0.1:717" + n + ":717" + n);
      assertThat(compose.path("services").path("node" + n).path("volumes").get(0).asText())
          .isEqualTo("node" + n + "-data:/data");
    }
  }

  @Test
  void localClusterScriptRunsTheSampleConfigsOnTheSamePorts() throws IOException {
    String script = Files.readString(DEPLOY.resolve("local-cluster.sh"));
    assertThat(script).contains("-c \"deploy/node$n.yml\"");
    assertThat(script).contains("http_port() { echo $((7170 + $1)); }");
    for (int n = 1; n <= 3; n++) {
      // the script's data dir, log and pid files live next to what the sample config names
      assertThat(sample(n).dataDir().normalize().toString()).isEqualTo("roster-data/node" + n);
    }
  }

  @Test
  void localClusterScriptIsValidBashAndPrintsItsUsage() throws Exception {
    Process syntax =
        new ProcessBuilder("bash", "-n", DEPLOY.resolve("local-cluster.sh").toString())
            .redirectErrorStream(true)
            .start();
    assertThat(syntax.waitFor(10, TimeUnit.SECONDS)).isTrue();
    assertThat(syntax.exitValue()).as(new String(syntax.getInputStream().readAllBytes())).isZero();

    Process help =
        new ProcessBuilder("bash", DEPLOY.resolve("local-cluster.sh").toString(), "help")
            .redirectErrorStream(true)
            .start();
    String out = new String(help.getInputStream().readAllBytes());
    assertThat(help.waitFor(10, TimeUnit.SECONDS)).isTrue();
    assertThat(help.exitValue()).isZero();
    assertThat(out).contains("start", "stop", "status", "kill N", "restart N", "logs N");
  }

  @Test
  void dockerfileRunsTheShippedJarAsANonRootUserWithAReadinessCheck() throws IOException {
    String dockerfile = Files.readString(DEPLOY.resolve("Dockerfile"));
    // the base is a build argument (CI passes a locally built JRE); users get Temurin
    assertThat(dockerfile)
        .contains("ARG BASE_IMAGE=eclipse-temurin:17-jre")
        .contains("FROM ${BASE_IMAGE}");
    assertThat(dockerfile)
        .contains("COPY registry-node/target/roster-node.jar /app/roster-node.jar");
    assertThat(dockerfile).contains("USER roster");
    assertThat(dockerfile).contains("HEALTHCHECK").contains("/ready");
    assertThat(dockerfile).contains("VOLUME [\"/data\"]");
  }

  @Test
  void eachComposeNodeExposesItsOwnPortsAndTheImageNone() throws IOException {
    assertThat(Files.readString(DEPLOY.resolve("Dockerfile"))).doesNotContainPattern("(?m)^EXPOSE");
    JsonNode compose =
        new ObjectMapper(new YAMLFactory()).readTree(DEPLOY.resolve("docker-compose.yml").toFile());
    for (int n = 1; n <= 3; n++) {
      List<String> expose = new ArrayList<>();
      compose.path("services").path("node" + n).path("expose").forEach(p -> expose.add(p.asText()));
      assertThat(expose).containsExactly("717" + n, "727" + n);
    }
  }

  @Test
  void exampleServiceReachesTheNodesByTheirClusterUrls() throws IOException {
    ObjectMapper yaml = new ObjectMapper(new YAMLFactory());
    List<String> clusterUrls = new ArrayList<>();
    for (int n = 1; n <= 3; n++) {
      clusterUrls.add(NodeConfig.fromSettings(composeSettings(n)).clusterUrl());
    }
    JsonNode example =
        yaml.readTree(DEPLOY.resolve("docker-compose.example.yml").toFile())
            .path("services")
            .path("example");
    assertThat(example.path("environment").path("ROSTER_NODES").asText().split(","))
        .containsExactlyElementsOf(clusterUrls);
    assertThat(example.path("build").path("args").path("BASE_IMAGE").asText())
        .isEqualTo("${ROSTER_BASE_IMAGE:-eclipse-temurin:17-jre}");
  }
}
