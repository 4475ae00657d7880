package io.flowc.runtime.nuts;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** PyMC3's wording and rules for the lines around sampling. */
class SamplerReportTest {
  private static ChainStats stats(int draws, int divergences, double accept, int maxDepthHits) {
    boolean[] diverging = new boolean[draws];
    boolean[] maxDepth = new boolean[draws];
    for (int i = 0; i < divergences; i++) {
      diverging[i] = true;
    }
    for (int i = 0; i < maxDepthHits; i++) {
      maxDepth[draws - 1 - i] = true;
    }
    double[] accepts = new double[draws];
    Arrays.fill(accepts, accept);
    return new ChainStats(new double[draws], diverging, new int[draws], new double[draws], new double[draws],
        new double[draws], accepts, new int[draws], maxDepth, 0, 0, 0, new double[1], 0, 0);
  }

  @Test
  void theLinesAroundSampling() {
    assertEquals("Multiprocess sampling (4 chains in 2 jobs)", SamplerReport.jobsLine(4, 2));
    assertEquals("Sequential sampling (2 chains in 1 job)", SamplerReport.jobsLine(2, 1));
    assertEquals("Sequential sampling (1 chain in 1 job)", SamplerReport.jobsLine(1, 4));
    assertEquals("Sampling 4 chains for 1_000 tune and 1_000 draw iterations (4_000 + 4_000 draws total) took 1 seconds.",
        SamplerReport.samplingLine(4, 1000, 1000, 1.2));
    assertEquals("Sampling 1 chain for 0 tune and 12_345 draw iterations (0 + 12_345 draws total) took 0 seconds.",
        SamplerReport.samplingLine(1, 0, 12345, 0.4));
  }

  @Test
  void divergenceWarnings() {
    assertEquals(List.of(), SamplerReport.chainWarnings(stats(1000, 0, 0.8, 0), 0.8));
    assertEquals(List.of("There was 1 divergence after tuning. Increase `target_accept` or reparameterize."),
        SamplerReport.chainWarnings(stats(1000, 1, 0.8, 0), 0.8));
    assertEquals(List.of("There were 49 divergences after tuning. Increase `target_accept` or reparameterize."),
        SamplerReport.chainWarnings(stats(1000, 49, 0.8, 0), 0.8));
    assertEquals("The chain contains only diverging samples. The model is probably misspecified.",
        SamplerReport.chainWarnings(stats(100, 100, 0.8, 0), 0.8).get(0));
  }

  @Test
  void acceptanceWarningUsesPyMc3sBetaInterval() {
    // Beta(81, 21) holds 0.8 comfortably; with a = 0.7: Beta(71, 31) has 95 % interval ~ (0.605, 0.780)
    assertTrue(SamplerReport.acceptanceMatches(0.8, 1000, 0.8));
    assertTrue(SamplerReport.acceptanceMatches(0.74, 1000, 0.8));
    assertFalse(SamplerReport.acceptanceMatches(0.7, 1000, 0.8));
    // fewer draws widen the interval
    assertTrue(SamplerReport.acceptanceMatches(0.7, 20, 0.8));
    assertEquals(0.5, SamplerReport.betaQuantile(0.5, 3, 3), 1e-12);
    assertEquals(0.025, SamplerReport.betaQuantile(0.025, 1, 1), 1e-12);
    assertEquals(List.of("The acceptance probability does not match the target. It is 0.3125, but should "
        + "be close to 0.8. Try to increase the number of tuning steps."),
        SamplerReport.chainWarnings(stats(1000, 0, 0.3125, 0), 0.8));
  }

  @Test
  void treeDepthWarningAboveFivePercent() {
    assertEquals(List.of(), SamplerReport.chainWarnings(stats(1000, 0, 0.8, 50), 0.8));
    assertEquals(List.of("The chain reached the maximum tree depth. Increase max_treedepth, increase target_accept or "
        + "reparameterize."), SamplerReport.chainWarnings(stats(1000, 0, 0.8, 51), 0.8));
  }
}
