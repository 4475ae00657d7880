package io.flowc.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.flowc.compiler.diag.SourceFile;
import io.flowc.compiler.frontend.FlowFormulaParsing;
import io.flowc.compiler.frontend.FrontEnd;
import io.flowc.runtime.data.StanJson;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * PosteriorDbWorkloads' rows name examples that exist and check with their data, with formulas that
 * parse, and every posteriordb example of examples/ has its row: the failures a bench run would
 * otherwise meet only after the rows before them.
 */
class PosteriorDbWorkloadsTest {
  private static final Path EXAMPLES = Path.of(System.getProperty("flowc.root.dir", "..")).resolve("examples");

  @Test
  void everyWorkloadChecksWithItsDataAndItsFormulaParses() throws Exception {
    for (PosteriorDbWorkloads.Workload w : PosteriorDbWorkloads.WORKLOADS) {
      Path file = EXAMPLES.resolve(w.name() + ".flow");
      FrontEnd.check(new SourceFile(file.toString(), Files.readString(file)),
          StanJson.read(EXAMPLES.resolve(w.name() + ".json")));
      if (w.formula() != null) {
        FlowFormulaParsing.parse(w.formula());
        assertTrue(w.iterations() > 0 && w.nmc() > 0 && w.lr() > 0, w.name() + ": NFVI settings");
      }
      assertTrue(w.maxTreeDepth() >= 1 && w.targetAccept() > 0 && w.targetAccept() < 1, w.name());
    }
  }

  @Test
  void theNewPosteriorDbExamplesAreRowsDiamondsWithItsReferenceSettings() {
    List<String> names = PosteriorDbWorkloads.WORKLOADS.stream().map(PosteriorDbWorkloads.Workload::name).toList();
    assertEquals(names.size(), new HashSet<>(names).size(), "one row per model: " + names);
    assertTrue(names.containsAll(List.of("low_dim_gauss_mix", "diamonds")), names.toString());
    PosteriorDbWorkloads.Workload diamonds = PosteriorDbWorkloads.WORKLOADS.stream()
        .filter(w -> w.name().equals("diamonds")).findFirst().orElseThrow();
    assertEquals(0.99, diamonds.targetAccept());
    assertEquals(20, diamonds.maxTreeDepth());
  }

  @Test
  void theTimeSeriesAreRowsFittedFromTheLaplaceStart() {
    for (String name : List.of("arK", "arma11", "garch11")) {
      PosteriorDbWorkloads.Workload w = PosteriorDbWorkloads.WORKLOADS.stream().filter(x -> x.name().equals(name))
          .findFirst().orElseThrow(() -> new AssertionError("no row for " + name));
      assertTrue(w.laplace(), name + " starts from the Laplace approximation");
    }
  }
}
