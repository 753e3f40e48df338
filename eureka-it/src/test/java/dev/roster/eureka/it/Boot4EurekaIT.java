package dev.roster.eureka.it;

/** {@link EurekaScenarios} with Spring Boot 4.0.7 / spring-cloud 2025.1.4 (eureka-probe/boot4). */
class Boot4EurekaIT extends EurekaScenarios {
  Boot4EurekaIT() {
    super(Generation.BOOT4);
  }
}
