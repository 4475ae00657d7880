package io.flowc.runtime.calibration;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The calibration statistics against counts and tables worked out independently. */
class StatisticsTest {

  @Test
  void rankCountsTheDrawsBelowTheTruth() {
    SplittableRandom random = new SplittableRandom(1);
    assertEquals(2, Ranks.rank(1.5, new double[] {3, 1, 2, 0.5}, random));
    assertEquals(0, Ranks.rank(-9, new double[] {3, 1, 2, 0.5}, random));
    assertEquals(4, Ranks.rank(9, new double[] {3, 1, 2, 0.5}, random));
  }

  @Test
  void tiesAreSharedOutUniformly() {
    // truth 2 among {1, 2, 2, 3}: one below, two equal, so ranks 1, 2 and 3 each a third of the time
    SplittableRandom random = new SplittableRandom(7);
    int[] seen = new int[5];
    int n = 30_000;
    for (int i = 0; i < n; i++) {
      seen[Ranks.rank(2, new double[] {1, 2, 2, 3}, random)]++;
    }
    assertEquals(0, seen[0]);
    assertEquals(0, seen[4]);
    for (int r = 1; r <= 3; r++) {
      // a third, within five binomial standard errors (sd = sqrt(n / 3 * 2 / 3) = 82)
      assertEquals(n / 3.0, seen[r], 5 * 82, "rank " + r);
    }
  }

  @Test
  void rescalingKeepsUniformRanksUniform() {
    SplittableRandom random = new SplittableRandom(3);
    int[] ranks = new int[20_000];
    for (int i = 0; i < ranks.length; i++) {
      ranks[i] = Ranks.rescale(random.nextInt(10), 9, 99, random);
    }
    RankHistogram h = RankHistogram.of(ranks, 99, 100);
    assertTrue(h.pValue() > 0.01, "p = " + h.pValue());
    assertEquals(5, Ranks.rescale(5, 99, 99, random));
    assertThrows(IllegalArgumentException.class, () -> Ranks.rescale(11, 10, 99, random));
  }

  @Test
  void thinningKeepsAboutOneDrawPerEffectiveDraw() {
    double[] chain = new double[1000];
    for (int i = 0; i < chain.length; i++) {
      chain[i] = i;
    }
    // ESS 50: stride at least 20, so 50 draws, the last one the chain's last
    double[] kept = Thinning.thin(chain, 50, 100);
    assertEquals(50, kept.length);
    assertEquals(19, kept[0]);
    assertEquals(39, kept[1]);
    assertEquals(999, kept[49]);
    // ESS above L (even above N, for antithetic chains): L draws, stride N / L
    kept = Thinning.thin(chain, 2500, 100);
    assertEquals(100, kept.length);
    assertEquals(10, kept[1] - kept[0]);
    // ESS 300: stride at least ceil(1000 / 300) = 4, so 250 draws, fewer than the L = 300 asked for
    assertEquals(250, Thinning.kept(1000, 300, 300));
    // an ESS that cannot be estimated (all draws equal): one draw
    assertArrayEquals(new double[] {999}, Thinning.thin(chain, Double.NaN, 100));
  }

  @Test
  void binsEachExpectAtLeastTwentyRanks() {
    assertEquals(50, RankHistogram.bins(1000, 99));
    assertEquals(5, RankHistogram.bins(100, 99));
    // 300 ranks on 0 .. 99: 15 bins of 6 or 7 would expect 18 in the narrow ones; 14 of 7 or 8 expect 21
    assertEquals(14, RankHistogram.bins(300, 99));
    assertEquals(1, RankHistogram.bins(39, 99));
    // never more bins than rank values
    assertEquals(4, RankHistogram.bins(1000, 3));
  }

  @Test
  void histogramAndChiSquareByHand() {
    // ranks on 0 .. 9 in two bins {0..4} and {5..9}: 10 low, 30 high
    int[] ranks = new int[40];
    for (int i = 0; i < 40; i++) {
      ranks[i] = i < 10 ? i % 5 : 5 + i % 5;
    }
    RankHistogram h = RankHistogram.of(ranks, 9, 2);
    assertArrayEquals(new int[] {0, 5, 10}, h.edges());
    assertArrayEquals(new int[] {10, 30}, h.counts());
    assertArrayEquals(new double[] {20, 20}, h.expected(), 1e-12);
    // (10 - 20)^2 / 20 + (30 - 20)^2 / 20 = 10; P(chi2_1 >= 10) = erfc(sqrt(5)) = 0.0015654
    assertEquals(10, h.chiSquare(), 1e-12);
    assertEquals(0.001565402258, h.pValue(), 1e-10);
  }

  @Test
  void unevenBinsExpectTheirOwnWidthsShare() {
    // ranks 0 .. 9 in three bins: {0,1,2}, {3,4,5}, {6..9}
    int[] ranks = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9};
    RankHistogram h = RankHistogram.of(ranks, 9, 3);
    assertArrayEquals(new int[] {0, 3, 6, 10}, h.edges());
    assertArrayEquals(new double[] {3, 3, 4}, h.expected(), 1e-12);
    assertEquals(0, h.chiSquare(), 1e-12);
  }

  @Test
  void chiSquareSurvivalMatchesTables() {
    // critical values from standard tables: the 1 % points of 10 and 19 degrees of freedom, the 5 % of 1
    assertEquals(0.01, ChiSquare.survival(23.209, 10), 1e-5);
    assertEquals(0.01, ChiSquare.survival(36.191, 19), 1e-5);
    assertEquals(0.05, ChiSquare.survival(3.841, 1), 1e-4);
    // two degrees of freedom: exp(-x / 2) exactly
    assertEquals(Math.exp(-3.5), ChiSquare.survival(7, 2), 1e-14);
    assertEquals(1, ChiSquare.survival(0, 4));
    assertTrue(Double.isNaN(ChiSquare.survival(3, 0)));
  }

  @Test
  void binomialBandIsTheQuantilesOfEachBin() {
    // qbinom(0.005, 1000, 0.02) = 10, qbinom(0.995, 1000, 0.02) = 32 (R, scipy)
    int[] ranks = new int[1000];
    for (int i = 0; i < ranks.length; i++) {
      ranks[i] = i % 100;
    }
    int[][] band = RankHistogram.of(ranks, 99).band(0.99);
    assertEquals(50, band[0].length);
    assertEquals(10, band[0][0]);
    assertEquals(32, band[1][0]);
    // qbinom(0.005, 100, 0.2) = 10, qbinom(0.995, 100, 0.2) = 31
    int[][] five = RankHistogram.of(new int[100], 99).band(0.99);
    assertEquals(10, five[0][4]);
    assertEquals(31, five[1][4]);
  }

  @Test
  void ecdfBandHoldsUniformRanksNinetyFivePercentOfTheTime() {
    EcdfBand band = EcdfBand.of(200, 99);
    // simultaneous adjustment: below the pointwise 5 %, above Bonferroni's 5 % / K
    assertTrue(band.gamma() < 0.05 && band.gamma() > 0.05 / 99, "gamma " + band.gamma());
    SplittableRandom random = new SplittableRandom(11);
    int inside = 0;
    int samples = 1000;
    for (int m = 0; m < samples; m++) {
      int[] ranks = new int[200];
      for (int i = 0; i < ranks.length; i++) {
        ranks[i] = random.nextInt(100);
      }
      inside += band.test(ranks).inside() ? 1 : 0;
    }
    // 95 %, within about four binomial standard errors (sd = 0.7 %)
    assertEquals(0.95, inside / (double) samples, 0.03);
  }

  @Test
  void ecdfDifferenceCountsRanksAtEachPoint() {
    // 4 ranks on 0 .. 3: K = 4 points, ranks j = 0, 1, 2 with uniform CDF 1/4, 1/2, 3/4
    EcdfBand band = EcdfBand.of(4, 3);
    assertArrayEquals(new int[] {0, 1, 2}, band.evaluationRanks());
    assertArrayEquals(new double[] {2 / 4.0 - 0.25, 2 / 4.0 - 0.5, 3 / 4.0 - 0.75}, band.difference(new int[] {0, 0, 2, 3}),
        1e-12);
    assertEquals(0.25, band.test(new int[] {0, 0, 2, 3}).maxDifference(), 1e-12);
  }

  @Test
  void ecdfLeavesItsBandForShiftedRanks() {
    EcdfBand band = EcdfBand.of(200, 99);
    int[] ranks = new int[200];
    SplittableRandom random = new SplittableRandom(5);
    for (int i = 0; i < ranks.length; i++) {
      ranks[i] = Math.min(99, random.nextInt(100) + 20);
    }
    assertFalse(band.test(ranks).inside());
    double[][] limits = band.differenceBand();
    double[] d = band.difference(ranks);
    boolean outside = false;
    for (int k = 0; k < d.length; k++) {
      assertTrue(limits[0][k] <= 0 && limits[1][k] >= 0);
      outside |= d[k] < limits[0][k] || d[k] > limits[1][k];
    }
    assertTrue(outside, "the band drawn agrees with the test");
  }

  @Test
  void shapesAreReadFromTheHistogram() {
    int[] u = new int[400];
    int[] hump = new int[400];
    int[] slope = new int[400];
    int[] down = new int[400];
    SplittableRandom random = new SplittableRandom(9);
    for (int i = 0; i < 400; i++) {
      u[i] = i % 2 == 0 ? random.nextInt(15) : 99 - random.nextInt(15);
      hump[i] = 35 + random.nextInt(30);
      // density rising linearly: the larger of two uniform ranks
      slope[i] = Math.max(random.nextInt(100), random.nextInt(100));
      down[i] = 99 - slope[i];
    }
    assertEquals(Shape.OVER_CONFIDENT, Shape.read(u, 99, true));
    assertEquals(Shape.UNDER_CONFIDENT, Shape.read(hump, 99, true));
    assertEquals(Shape.BIASED_LOW, Shape.read(slope, 99, true));
    assertEquals(Shape.BIASED_HIGH, Shape.read(down, 99, true));
    assertEquals(Shape.UNIFORM, Shape.read(u, 99, false));
  }
}
