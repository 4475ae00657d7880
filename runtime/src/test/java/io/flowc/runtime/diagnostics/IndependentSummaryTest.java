package io.flowc.runtime.diagnostics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The summary of independent draws: summarize's numbers without the chain statistics. */
class IndependentSummaryTest {
  @Test
  void meanSdAndQuantilesAreThoseOfSummarize() {
    SplittableRandom random = new SplittableRandom(4);
    double[] draws = new double[501];
    for (int i = 0; i < draws.length; i++) {
      draws[i] = Math.exp(random.nextDouble(-3, 3));
    }
    ParameterSummary full = Convergence.summarize("s", new double[][] {draws});
    ParameterSummary cheap = Convergence.summarizeIndependent("s", draws);
    assertEquals(full.mean(), cheap.mean());
    assertEquals(full.sd(), cheap.sd());
    assertEquals(full.q5(), cheap.q5());
    assertEquals(full.q50(), cheap.q50());
    assertEquals(full.q95(), cheap.q95());
    assertTrue(Double.isNaN(cheap.essBulk()) && Double.isNaN(cheap.rHat()));
  }

  @Test
  void anInfiniteDrawIsCarriedNotRefused() {
    ParameterSummary s = Convergence.summarizeIndependent("s", new double[] {1, 2, Double.POSITIVE_INFINITY});
    assertEquals(Double.POSITIVE_INFINITY, s.mean());
    assertEquals(1 + 0.1, s.q5());
  }
}
