package io.flowc.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.flowc.compiler.diag.SourceFile;
import io.flowc.compiler.driver.Compilation;
import io.flowc.compiler.frontend.CheckedModel;
import io.flowc.compiler.frontend.FrontEnd;
import io.flowc.compiler.ir.IrPrinter;
import io.flowc.runtime.data.StanJson;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

class FrontEndWarmUpTest {
  /** The warm-up's model passes the whole front end (a model it rejected would stop the warm-up early). */
  @Test
  void theWarmUpModelPassesTheFrontEnd() throws Exception {
    CheckedModel model = FrontEndWarmUp.parseAndCheck();
    assertEquals("warm_up", model.name());
    assertEquals(2, model.dimension());
  }

  /**
   * The warm-up parses beside the command's own parse, sharing ANTLR's caches of decisions: models
   * checked on four threads at once, beside the warm-up's, lower to the IR they lower to alone.
   */
  @Test
  void modelsCheckedBesideOneAnotherAreCheckedAsAlone() throws Exception {
    List<String> names = List.of("arma11", "garch11", "kidiq_interaction", "low_dim_gauss_mix", "gp_pois_regr",
        "eight_schools_noncentered", "diamonds");
    List<String> alone = new ArrayList<>();
    for (String name : names) {
      alone.add(lowered(name));
    }
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try {
      List<Future<String>> together = new ArrayList<>();
      for (int round = 0; round < 3; round++) {
        together.add(pool.submit(() -> IrPrinter.print(Compilation.lowered(FrontEndWarmUp.parseAndCheck()))));
        for (String name : names) {
          together.add(pool.submit(() -> lowered(name)));
        }
      }
      for (int i = 0; i < together.size(); i++) {
        int k = i % (names.size() + 1);
        if (k > 0) {
          assertEquals(alone.get(k - 1), together.get(i).get(), names.get(k - 1));
        }
      }
    } finally {
      pool.shutdownNow();
    }
  }

  private static String lowered(String name) throws Exception {
    Path examples = Path.of(System.getProperty("flowc.root.dir")).resolve("examples");
    Path model = examples.resolve(name + ".flow");
    CheckedModel checked = FrontEnd.check(new SourceFile(model.toString(), Files.readString(model)),
        StanJson.read(examples.resolve(name + ".json")));
    return IrPrinter.print(Compilation.lowered(checked));
  }

  @Test
  void onlyCommandsThatNameAModelFileWarmUp() {
    assertTrue(FrontEndWarmUp.wanted("sample", "examples/arma11.flow", "--data", "examples/arma11.json"));
    assertTrue(FrontEndWarmUp.wanted("fit", "--flow", "planar*8", "m.flow"));
    assertFalse(FrontEndWarmUp.wanted("sample", "model.jar", "--data", "d.json"));
    assertFalse(FrontEndWarmUp.wanted("--help"));
    assertFalse(FrontEndWarmUp.wanted());
  }
}
