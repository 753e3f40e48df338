package dev.roster.client;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * The stub nodes and clients one test starts, closed after it, clients first. Register with
 * {@code @RegisterExtension final Started started = new Started();}.
 */
final class Started implements AfterEachCallback {
  private final List<AutoCloseable> closeLater = new ArrayList<>();

  StubNode node() {
    return closeAfter(StubNode.start());
  }

  RosterClient client(RosterClient.Builder b) {
    RosterClient c = b.build();
    closeLater.add(0, c);
    return c;
  }

  <T extends AutoCloseable> T closeAfter(T resource) {
    closeLater.add(resource);
    return resource;
  }

  @Override
  public void afterEach(ExtensionContext context) throws Exception {
    for (AutoCloseable c : closeLater) {
      c.close();
    }
    closeLater.clear();
  }
}
