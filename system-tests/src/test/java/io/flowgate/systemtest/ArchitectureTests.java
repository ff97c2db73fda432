package io.flowgate.systemtest;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The structure the design depends on, checked on the compiled classes: no package cycles inside a
 * service, no service importing another, and the shared modules importing no service.
 */
class ArchitectureTests {

    private static final List<String> SERVICES = List.of("api", "worker", "dispatcher");
    private static final JavaClasses FLOWGATE = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("io.flowgate");

    @Test
    void noServiceHasAPackageCycle() {
        for (String service : SERVICES) {
            slices().matching("io.flowgate." + service + ".(*)..")
                    .should()
                    .beFreeOfCycles()
                    .check(FLOWGATE);
        }
    }

    @Test
    void noServiceImportsAnother() {
        for (String service : SERVICES) {
            String[] others = SERVICES.stream()
                    .filter(other -> !other.equals(service))
                    .map(other -> "io.flowgate." + other + "..")
                    .toArray(String[]::new);
            noClasses()
                    .that()
                    .resideInAPackage("io.flowgate." + service + "..")
                    .should()
                    .dependOnClassesThat()
                    .resideInAnyPackage(others)
                    .check(FLOWGATE);
        }
    }

    @Test
    void theSharedModulesImportNoService() {
        noClasses()
                .that()
                .resideInAnyPackage(
                        "io.flowgate.contracts..",
                        "io.flowgate.kafka..",
                        "io.flowgate.tenancy..",
                        "io.flowgate.webhooks..")
                .should()
                .dependOnClassesThat()
                .resideInAnyPackage("io.flowgate.api..", "io.flowgate.worker..", "io.flowgate.dispatcher..")
                .check(FLOWGATE);
    }
}
