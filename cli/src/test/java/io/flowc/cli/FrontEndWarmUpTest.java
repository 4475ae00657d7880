package io.flowc.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.flowc.compiler.frontend.CheckedModel;
import org.junit.jupiter.api.Test;

class FrontEndWarmUpTest {
  /** The warm-up's model passes the whole front end (a model it rejected would stop the warm-up early). */
  @Test
  void theWarmUpModelPassesTheFrontEnd() throws Exception {
    CheckedModel model = FrontEndWarmUp.parseAndCheck();
    assertEquals("warm_up", model.name());
    assertEquals(2, model.dimension());
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
