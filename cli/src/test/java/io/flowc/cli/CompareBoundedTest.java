package io.flowc.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.flowc.plot.Box;
import io.flowc.plot.ConstrainedDensity;
import io.flowc.plot.DensityGrid;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * flowc compare on bounded parameters: the target panel shows the density of the values the NUTS
 * and flow panels show, the same picture flowc plot draws.
 */
class CompareBoundedTest {
  @TempDir
  Path tmp;

  private static LoadedModel load(String file) throws Exception {
    return LoadedModel.load(file, new PrintWriter(new StringWriter()));
  }

  /** Draws of (mu, sigma) near normal_scale's posterior, all inside the default window. */
  private static final double[][] NUTS = {{0.9, 0.8}, {1.2, 0.6}, {0.5, 1.1}};
  private static final double[][] FLOW = {{1.0, 0.7}, {0.7, 1.3}};

  @Test
  void aBoundedTwoDimensionalModelGetsTheDensityOfItsValues() throws Exception {
    LoadedModel model = load(Cli.example("normal_scale"));
    DensityGrid grid = CompareCommand.target(model.density(), model.parameters(), new WindowOptions(), NUTS, FLOW);
    ConstrainedDensity density = new ConstrainedDensity(model.density(), model.parameters());
    assertEquals(new Box(-4, 4, 0, 4), grid.box());
    DensityGrid expected = DensityGrid.of(density, density.defaultBox(), DensityGrid.DEFAULT_RESOLUTION);
    assertEquals(expected.nx(), grid.nx());
    assertArrayEquals(expected.relative(), grid.relative(), 0);
  }

  /** Draws beyond the default window widen it, and it still starts at sigma's bound, not at -4. */
  @Test
  void drawsOutsideTheBoundedWindowWidenIt() throws Exception {
    LoadedModel model = load(Cli.example("normal_scale"));
    double[][] wide = {{3, 3}, {5, 5}, {6, 6}};
    Box box = CompareCommand.target(model.density(), model.parameters(), new WindowOptions(), wide, wide).box();
    assertEquals(-4, box.xMin());
    assertEquals(0, box.yMin());
    assertTrue(box.xMax() > 6 && box.yMax() > 6, box.toString());
  }

  @Test
  void otherDimensionsAreAsBefore() throws Exception {
    LoadedModel pot1 = load(Cli.example("pot1"));
    DensityGrid grid = CompareCommand.target(pot1.density(), pot1.parameters(), new WindowOptions(), NUTS, FLOW);
    assertArrayEquals(DensityGrid.of(pot1.density(), Box.NOTEBOOK, DensityGrid.DEFAULT_RESOLUTION).relative(),
        grid.relative(), 0);

    Path three = tmp.resolve("three.flow");
    Files.writeString(three, "model three { param a; param b > 0; param c; a ~ normal(0, 1); b ~ exponential(1); "
        + "c ~ normal(0, 1); }\n");
    LoadedModel m = load(three.toString());
    double[][] rows = {{0, 1, 0}, {1, 2, -1}};
    assertNull(CompareCommand.target(m.density(), m.parameters(), new WindowOptions(), rows, rows));
  }

  @Test
  void flowcCompareDrawsThreePanelsForABoundedModel() throws IOException {
    Path png = tmp.resolve("c.png");
    Cli.Result r = Cli.run("compare", Cli.example("normal_scale"), "--flow", "planar*2", "--iters", "300",
        "--draws", "200", "--tune", "200", "--chains", "2", "--seed", "3", "--resolution", "60", "--width", "900",
        "--height", "360", "-o", png.toString());
    assertEquals(0, r.code(), r.toString());
    double[] s = PlotCommandTest.sizeAndVariance(png);
    assertEquals(900, s[0]);
    assertTrue(s[2] > 300, "grey variance " + s[2]);
  }
}
