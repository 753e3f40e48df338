package dev.roster.node.raft;

import java.io.IOException;
import java.nio.file.Path;

/**
 * Writes the golden snapshot file of one format version ({@code registry-format-N.snap}, read by
 * {@link RegistrySnapshotTest}) from the registry that test builds for it. Run it only on purpose,
 * when a new format's file is created, never to update an existing one:
 *
 * <pre>
 * mvn -B -q -o package -DskipTests -pl registry-node -am &amp;&amp; mvn -B -q -o test-compile -pl registry-node
 * java -cp registry-node/target/test-classes:registry-node/target/roster-node.jar \
 *     dev.roster.node.raft.SnapshotFixtures 4 registry-node/src/test/resources/dev/roster/node/raft
 * </pre>
 *
 * A tool, not a test: it asserts nothing, and as a test it would only ever show as skipped.
 */
public final class SnapshotFixtures {
  private SnapshotFixtures() {}

  public static void main(String[] args) throws IOException {
    if (args.length != 2) {
      System.err.println("usage: SnapshotFixtures FORMAT_VERSION DIRECTORY");
      System.exit(2);
    }
    int version = Integer.parseInt(args[0]);
    Path file = Path.of(args[1], "registry-format-" + version + ".snap");
    RegistrySnapshot.capture(
            RegistrySnapshotTest.registryOfFormatVersion(version),
            RegistrySnapshotTest.LAST_APPLIED_TS)
        .writeTo(file);
    System.out.println("wrote " + file);
  }
}
