package dev.roster.eureka.it;

/** {@link EurekaScenarios} with Spring Boot 3.5.7 / spring-cloud 2025.0.0 (eureka-probe/boot3). */
class Boot3EurekaIT extends EurekaScenarios {
  Boot3EurekaIT() {
    super(Generation.BOOT3);
  }
}
