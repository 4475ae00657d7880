package io.flowc.generated;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.flowc.runtime.nfvi.Fit;
import io.flowc.runtime.nfvi.Nfvi;
import io.flowc.runtime.optim.Optimizers;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * What a user of the processor writes: fits through the generated entry classes and the runtime
 * alone (this class imports nothing from the compiler).
 */
class NfviWithGeneratedClassesTest {
  /** log Z of pot1 ({@code reference/potentials.json}): KL(q||p) = final loss + log Z. */
  static final double POT1_LOG_Z = 1.8775;

  @Test
  void eightPlanarFlowsFitPot1() {
    Nfvi nfvi = Flowc_Pot1.nfvi("planar*8");
    Fit fit = nfvi.fit(new Nfvi.Settings(6000, Optimizers.byName("adam", 0.01), 20, 1.0, 3,
        Nfvi.Settings.NO_CLIPPING, List.of()));
    assertEquals(Fit.Status.FINISHED, fit.status(), fit.message());
    Nfvi.Evaluation evaluation = nfvi.evaluate(fit.parameters(), 20000, 3);
    double kl = evaluation.finalLoss() + POT1_LOG_Z;
    assertTrue(kl > -4 * evaluation.standardError() && kl < 0.4,
        "KL(q||p) " + kl + " (final loss " + evaluation.finalLoss() + " +- " + evaluation.standardError() + ")");
  }

  /** The banana's density integrates in closed form: Z = 2 sqrt(2 pi) * sqrt(2 pi) = 4 pi. */
  @Test
  void fourPlanarFlowsFitTheInlineBanana() {
    Nfvi nfvi = BananaModel.nfvi("planar*4");
    Fit fit = nfvi.fit(new Nfvi.Settings(4000, Optimizers.byName("adam", 0.01), 10, 1.0, 8,
        Nfvi.Settings.NO_CLIPPING, List.of()));
    assertEquals(Fit.Status.FINISHED, fit.status(), fit.message());
    Nfvi.Evaluation evaluation = nfvi.evaluate(fit.parameters(), 20000, 8);
    double kl = evaluation.finalLoss() + Math.log(4 * Math.PI);
    assertTrue(kl > -4 * evaluation.standardError() && kl < 0.3,
        "KL(q||p) " + kl + " (final loss " + evaluation.finalLoss() + " +- " + evaluation.standardError() + ")");
  }

  @Test
  void formulasAreLookedUpAsWrittenOrNormalized() {
    assertEquals(List.of("loc-scale-planar-radial-hh", "radial*2-hh"), Flowc_KitchenSink.flows());
    assertSame(Flowc_KitchenSink.flow("Radial*2 - HH").getClass(), Flowc_KitchenSink.flow("radial*2-hh").getClass());
    assertEquals(Flowc_KitchenSink.flowLayout("Radial*2 - HH"), Flowc_KitchenSink.flowLayout("radial*2-hh"));
    assertEquals(List.of("hh_2.v[0]", "hh_2.v[1]", "hh_2.v[2]", "hh_2.v[3]", "radial_1.a", "radial_1.b"),
        Flowc_KitchenSink.flowLayout("radial*2-hh").elementNames().subList(0, 6),
        "PyMC3's order: the last flow applied first, its parameters by name");
  }

  @Test
  void anUncompiledFormulaIsRefusedNamingTheCompiledOnes() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Flowc_Pot1.flow("planar*3"));
    assertEquals("model pot1 has no compiled flow 'planar*3' (compiled: planar*8, planar*2; add it to "
        + "@FlowModel(flows = ...) of io.flowc.generated.Pot1)", e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> Flowc_Pot1.nfvi("radial"));
  }
}
