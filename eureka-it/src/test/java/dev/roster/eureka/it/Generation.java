package dev.roster.eureka.it;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** A generation of the Spring Cloud Eureka client, built as one of the eureka-probe modules. */
enum Generation {
  /**
   * Spring Boot 3.5.7, spring-cloud 2025.0.0: spring-cloud-netflix 4.3 (RestTemplate transport).
   */
  BOOT3("boot3"),
  /** Spring Boot 4.0.7, spring-cloud 2025.1.4: spring-cloud-netflix 5.0 (RestClient transport). */
  BOOT4("boot4");

  private final String module;

  Generation(String module) {
    this.module = module;
  }

  /**
   * The probe module's {@code target/} (failsafe sets {@code probe.boot3}, {@code probe.boot4}).
   */
  Path target() {
    String dir = System.getProperty("probe." + module);
    if (dir == null) {
      throw new IllegalStateException("system property probe." + module + " is not set (failsafe)");
    }
    return Path.of(dir);
  }

  /** {@code target/classes} and the runtime classpath the module wrote to probe.classpath. */
  String classpath() {
    Path classes = target().resolve("classes");
    Path cp = target().resolve("probe.classpath");
    if (!Files.isDirectory(classes) || !Files.isRegularFile(cp)) {
      throw new IllegalStateException(
          classes + " or " + cp + " is missing: build eureka-probe/" + module + " first");
    }
    try {
      return classes + java.io.File.pathSeparator + Files.readString(cp).trim();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  String label() {
    return module;
  }
}
