package dev.roster.node;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchRule;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The layering of docs/design.md, checked on the compiled main classes: dependencies point one way,
 * the core is deterministic, and each third-party runtime stays in the one package that wraps it. A
 * change that breaks a rule fails the build, naming the offending class and call.
 */
class ArchitectureTest {
  private static final String BASE = "dev.roster.node";
  private static JavaClasses main;

  @BeforeAll
  static void importMainClasses() {
    main =
        new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages(BASE);
  }

  private static String pkg(String name) {
    return BASE + "." + name + "..";
  }

  @Test
  void modelDependsOnNothingButTheJdk() {
    ArchRule rule =
        noClasses()
            .that()
            .resideInAPackage(pkg("model"))
            .should()
            .dependOnClassesThat()
            .resideOutsideOfPackages(pkg("model"), "java..");
    rule.check(main);
  }

  @Test
  void utilDependsOnNothingButTheJdk() {
    ArchRule rule =
        noClasses()
            .that()
            .resideInAPackage(pkg("util"))
            .should()
            .dependOnClassesThat()
            .resideOutsideOfPackages(pkg("util"), "java..");
    rule.check(main);
  }

  @Test
  void commandDependsOnTheModelOnly() {
    ArchRule rule =
        noClasses()
            .that()
            .resideInAPackage(pkg("command"))
            .should()
            .dependOnClassesThat()
            .resideOutsideOfPackages(pkg("command"), pkg("model"), "java..");
    rule.check(main);
  }

  @Test
  void modelAndCommandReadNoClockAndDrawNoRandomness() {
    ArchRule rule =
        noClasses()
            .that()
            .resideInAnyPackage(pkg("model"), pkg("command"))
            .should()
            .callMethod(System.class, "currentTimeMillis")
            .orShould()
            .callMethod(System.class, "nanoTime")
            .orShould()
            .dependOnClassesThat()
            .haveFullyQualifiedName("java.util.Random")
            .orShould()
            .dependOnClassesThat()
            .haveFullyQualifiedName("java.security.SecureRandom")
            .orShould()
            .dependOnClassesThat()
            .haveFullyQualifiedName("java.util.concurrent.ThreadLocalRandom")
            .orShould()
            .dependOnClassesThat()
            .haveFullyQualifiedName("java.util.UUID")
            .orShould()
            .dependOnClassesThat()
            .resideInAPackage("java.time..");
    rule.check(main);
  }

  @Test
  void raftNeverReachesUpToTheLayersAboveIt() {
    ArchRule rule =
        noClasses()
            .that()
            .resideInAPackage(pkg("raft"))
            .should()
            .dependOnClassesThat()
            .resideInAnyPackage(
                pkg("http"), pkg("cluster"), pkg("lease"), pkg("metrics"), pkg("config"))
            .orShould()
            .dependOnClassesThat()
            .belongToAnyOf(RosterNode.class);
    rule.check(main);
  }

  @Test
  void leaseAndClusterStayBelowHttp() {
    ArchRule rule =
        noClasses()
            .that()
            .resideInAnyPackage(pkg("lease"), pkg("cluster"))
            .should()
            .dependOnClassesThat()
            .resideInAPackage(pkg("http"))
            .orShould()
            .dependOnClassesThat()
            .belongToAnyOf(RosterNode.class);
    rule.check(main);
  }

  @Test
  void tlsUsesTheJdkAndUtilOnly() {
    ArchRule rule =
        noClasses()
            .that()
            .resideInAPackage(pkg("tls"))
            .should()
            .dependOnClassesThat()
            .resideOutsideOfPackages(pkg("tls"), pkg("util"), "java..", "javax..", "org.slf4j..");
    rule.check(main);
  }

  @Test
  void nettyOnlyInHttp() {
    ArchRule rule =
        noClasses()
            .that()
            .resideOutsideOfPackage(pkg("http"))
            .should()
            .dependOnClassesThat()
            .resideInAPackage("io.netty..");
    rule.check(main);
  }

  @Test
  void configAndMetricsAreLeaves() {
    ArchRule rule =
        noClasses()
            .that()
            .resideInAnyPackage(pkg("config"), pkg("metrics"))
            .should()
            .dependOnClassesThat()
            .resideInAnyPackage(
                pkg("http"),
                pkg("cluster"),
                pkg("lease"),
                pkg("raft"),
                pkg("command"),
                pkg("model"));
    rule.check(main);
  }

  @Test
  void jraftOnlyInRaft() {
    ArchRule rule =
        noClasses()
            .that()
            .resideOutsideOfPackage(pkg("raft"))
            .should()
            .dependOnClassesThat()
            .resideInAPackage("com.alipay..");
    rule.check(main);
  }
}
