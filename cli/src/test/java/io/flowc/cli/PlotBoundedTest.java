package io.flowc.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.flowc.plot.Box;
import io.flowc.plot.ConstrainedDensity;
import io.flowc.plot.DensityGrid;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.DoubleBinaryOperator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * flowc plot on bounded parameters: the picture shows the density of the values users see, which
 * is the compiled density of the unconstrained point divided by the transform's Jacobian.
 */
class PlotBoundedTest {
  private static final int N = 400;

  @TempDir
  Path tmp;

  private ConstrainedDensity density(String source) throws Exception {
    Path file = tmp.resolve("m.flow");
    Files.writeString(file, source);
    LoadedModel model = LoadedModel.load(file.toString(), new PrintWriter(new StringWriter()));
    return new ConstrainedDensity(model.density(), model.parameters());
  }

  /** The midpoint rule over an N x N grid of the box. */
  private static double integral(DoubleBinaryOperator logDensity, Box box) {
    double dx = (box.xMax() - box.xMin()) / N;
    double dy = (box.yMax() - box.yMin()) / N;
    double sum = 0;
    for (int j = 0; j < N; j++) {
      for (int i = 0; i < N; i++) {
        sum += Math.exp(logDensity.applyAsDouble(box.xMin() + (i + 0.5) * dx, box.yMin() + (j + 0.5) * dy));
      }
    }
    return sum * dx * dy;
  }

  /** P(|Z| < 4) for a standard normal Z. */
  private static final double NORMAL_WITHIN_4 = 0.9999366575163338;

  @Test
  void aPositiveParameterHasTheDensityOfItsValues() throws Exception {
    ConstrainedDensity d = density("model m { param mu; param s > 0; mu ~ normal(0, 1); s ~ exponential(1); }\n");
    Box box = d.defaultBox();
    assertEquals(new Box(-4, 4, 0, 4), box);
    // without the division by ds/du = s the integral would be E[s; s < 4], 0.908 instead of 0.982
    assertEquals(NORMAL_WITHIN_4 * (1 - Math.exp(-4)), integral(d, box), 1e-4);
    for (double[] p : new double[][] {{0.3, 0.01}, {-1, 1}, {2, 3.9}}) {
      double exact = -0.5 * p[0] * p[0] - 0.5 * Math.log(2 * Math.PI) - p[1];
      assertEquals(exact, d.applyAsDouble(p[0], p[1]), 1e-12);
    }
    assertEquals(Double.NEGATIVE_INFINITY, d.applyAsDouble(0, -0.5));
    assertEquals(Double.NEGATIVE_INFINITY, d.applyAsDouble(0, 0));
  }

  @Test
  void anIntervalAndALognormalIntegrateToTheirMass() throws Exception {
    ConstrainedDensity d = density("model m { param p in (0, 1); param s > 0; p ~ beta(2, 3); s ~ lognormal(0, 0.5); }\n");
    Box box = d.defaultBox();
    assertEquals(new Box(0, 1, 0, 4), box);
    // P(s < 4) = Phi(log(4) / 0.5); beta(2, 3) has all its mass in (0, 1)
    double lognormalBelow4 = 0.5 * io.flowc.runtime.MathFunctions.erfc(-Math.log(4) / 0.5 / Math.sqrt(2));
    assertEquals(lognormalBelow4, integral(d, box), 1e-4);
  }

  /** The grid drawn is that density, relative to its largest value. */
  @Test
  void theGridDrawnIsTheConstrainedDensity() throws Exception {
    ConstrainedDensity d = density("model m { param mu; param s > 0; mu ~ normal(0, 1); s ~ exponential(1); }\n");
    DensityGrid grid = DensityGrid.of(d, d.defaultBox(), 50);
    // the mode of exp(-s) sits at the bound: the first row of cells, centre column pair
    double top = Math.exp(-0.5 * grid.x(24) * grid.x(24) - grid.y(0));
    for (int j = 0; j < 50; j += 7) {
      for (int i = 0; i < 50; i += 7) {
        double exact = Math.exp(-0.5 * grid.x(i) * grid.x(i) - grid.y(j)) / top;
        assertEquals(exact, grid.at(i, j), 1e-9);
      }
    }
  }

  @Test
  void flowcPlotDrawsBoundedModels() throws IOException {
    Path model = tmp.resolve("bounded.flow");
    Files.writeString(model, "model bounded { param s > 0; param p in (0, 1); logp += -s - 0.5 * s^2 + log(p); }\n");
    Path png = tmp.resolve("p.png");
    Cli.Result r = Cli.run("plot", model.toString(), "-o", png.toString(), "--width", "600", "--height", "400");
    assertEquals(0, r.code(), r.toString());
    assertTrue(PlotCommandTest.sizeAndVariance(png)[2] > 100);

    // a window beyond the bounds is drawn as asked, with zero density outside them
    r = Cli.run("plot", model.toString(), "-o", png.toString(), "--xlim=-1,3", "--ylim=-0.5,1.5");
    assertEquals(0, r.code(), r.toString());
    // a window wholly outside the bounds has nothing to draw
    r = Cli.run("plot", model.toString(), "-o", tmp.resolve("none.png").toString(), "--xlim=-3,-1");
    assertEquals(2, r.code(), r.toString());
    assertTrue(r.err().contains("not finite anywhere"), r.toString());
    Cli.assertNoStackTrace(r);
  }
}
