package io.flowgate.charts;

import com.marcnuri.helm.Helm;
import java.nio.file.Path;

/**
 * {@code helm template} without a helm binary, for looking at what the chart renders:
 * {@code JAVA_HOME=<a JDK 25> ./mvnw -q -pl charts test-compile org.codehaus.mojo:exec-maven-plugin:3.6.3:java
 * -Dexec.mainClass=io.flowgate.charts.RenderChart
 * -Dexec.classpathScope=test -Dexec.args=flowgate/tests/values-full.yaml} (the values file is optional).
 */
public final class RenderChart {

    private RenderChart() {}

    public static void main(String[] args) {
        var template = new Helm(ChartTests.CHART)
                .template()
                .withName("flowgate")
                .withNamespace("flowgate")
                .withKubeVersion(ChartTests.KUBE_VERSION);
        if (args.length > 0) {
            template.withValuesFile(Path.of(args[0]).toAbsolutePath());
        }
        System.out.println(template.call());
    }
}
