package io.flowc.plot;

import java.awt.Color;
import org.jfree.chart.renderer.LookupPaintScale;
import org.jfree.chart.renderer.PaintScale;

/** The colours of every figure: matplotlib's, so the pictures read like the notebook's. */
public final class Palette {
  /**
   * viridis at ten evenly spaced points: perceptually uniform, readable in grey and by
   * colour-blind readers, and matplotlib's default for contourf.
   */
  private static final Color[] VIRIDIS = {
      new Color(0x440154), new Color(0x482878), new Color(0x3e4989), new Color(0x31688e), new Color(0x26828e),
      new Color(0x1f9e89), new Color(0x35b779), new Color(0x6ece58), new Color(0xb5de2b), new Color(0xfde725)};

  /** matplotlib's tab10 cycle: one colour per chain or series. */
  private static final Color[] CYCLE = {
      new Color(0x1f77b4), new Color(0xff7f0e), new Color(0x2ca02c), new Color(0xd62728), new Color(0x9467bd),
      new Color(0x8c564b), new Color(0xe377c2), new Color(0x7f7f7f), new Color(0xbcbd22), new Color(0x17becf)};

  /** Draws laid over a density: red stands out against every viridis band. */
  public static final Color DRAWS = new Color(0xd6, 0x27, 0x28, 150);

  /** Draws on a plain background. */
  public static final Color DRAWS_PLAIN = new Color(0x1f, 0x77, 0xb4, 130);

  private Palette() {}

  /** Number of colour bands of a density picture, as in a filled contour plot with ten levels. */
  public static int bands() {
    return VIRIDIS.length;
  }

  /** The colour of band k (0 the lowest density, {@code bands() - 1} the highest). */
  public static Color band(int k) {
    return VIRIDIS[k];
  }

  /** The colour of series k, repeating after ten. */
  public static Color series(int k) {
    return CYCLE[k % CYCLE.length];
  }

  /**
   * Relative densities in [0, 1] to ten equal bands: the banding is what makes a heat map read
   * like contour lines.
   */
  static PaintScale densityBands() {
    LookupPaintScale scale = new LookupPaintScale(0, 1, VIRIDIS[VIRIDIS.length - 1]);
    for (int k = 0; k < VIRIDIS.length; k++) {
      scale.add((double) k / VIRIDIS.length, VIRIDIS[k]);
    }
    return scale;
  }
}
