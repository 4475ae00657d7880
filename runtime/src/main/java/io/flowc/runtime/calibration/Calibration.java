package io.flowc.runtime.calibration;

/**
 * The calibration of one parameter element over S simulations: its ranks on 0 .. L and what they
 * say.
 *
 * @param pValue Pearson's chi-square test of the rank histogram against uniform (NaN with one bin:
 *     fewer than 40 simulations)
 * @param ecdf the ECDF difference's largest absolute value and whether it stays in its 95 % band
 * @param meanRank the mean normalized rank, rank / L: 0.5 when unbiased
 * @param shape the histogram's reading, {@link Shape#UNIFORM} unless the chi-square test rejects at
 *     {@value #ALPHA} (or, with too few simulations for it, the ECDF leaves its band). The ECDF's
 *     95 % band is not used here: with ten parameters a calibrated fit leaves it for one of them
 *     about every third run, and a shape word would then cry wolf.
 */
public record Calibration(String name, int[] ranks, int maxRank, RankHistogram histogram, double pValue,
    EcdfBand.Result ecdf, double meanRank, Shape shape) {

  /** The level at which a chi-square p-value counts as a departure. */
  public static final double ALPHA = 0.01;

  /** The ranks' histogram, tests and shape; {@code band} is the ECDF band for these S and L. */
  public static Calibration of(String name, int[] ranks, int maxRank, EcdfBand band) {
    RankHistogram histogram = RankHistogram.of(ranks, maxRank);
    double p = histogram.pValue();
    EcdfBand.Result ecdf = band.test(ranks);
    double mean = 0;
    for (int r : ranks) {
      mean += maxRank == 0 ? 0.5 : (double) r / maxRank;
    }
    mean = ranks.length == 0 ? Double.NaN : mean / ranks.length;
    boolean departs = Double.isNaN(p) ? !ecdf.inside() : p < ALPHA;
    return new Calibration(name, ranks.clone(), maxRank, histogram, p, ecdf, mean, Shape.read(ranks, maxRank, departs));
  }
}
