package dev.roster.node.config;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Properties;
import picocli.CommandLine.IVersionProvider;

/** The version the build stamped into the jar: what {@code --version} and the start log print. */
public final class RosterVersion implements IVersionProvider {
  private static final String VERSION = load();

  /** The project version, e.g. {@code 0.1.0-SNAPSHOT}. */
  public static String get() {
    return VERSION;
  }

  @Override
  public String[] getVersion() {
    return new String[] {"roster-node " + VERSION};
  }

  private static String load() {
    try (InputStream in = RosterVersion.class.getResourceAsStream("version.properties")) {
      if (in == null) {
        throw new IllegalStateException("version.properties is missing from the build");
      }
      Properties p = new Properties();
      p.load(in);
      return p.getProperty("version");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
