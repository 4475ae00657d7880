package io.flowc.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.flowc.compiler.driver.Compilation;
import io.flowc.compiler.frontend.CheckedModel;
import io.flowc.plot.Box;
import io.flowc.plot.DensityFigure;
import io.flowc.plot.DensityGrid;
import io.flowc.plot.Palette;
import io.flowc.plot.RenderedFigure;
import java.awt.geom.Point2D;
import java.awt.geom.Rectangle2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PlotCommandTest {
  @TempDir
  Path tmp;

  /** The size of a PNG and the variance of its grey levels (near 0 for a blank picture). */
  static double[] sizeAndVariance(Path png) throws IOException {
    BufferedImage image = ImageIO.read(png.toFile());
    double sum = 0;
    double sumSq = 0;
    for (int y = 0; y < image.getHeight(); y++) {
      for (int x = 0; x < image.getWidth(); x++) {
        int rgb = image.getRGB(x, y);
        double grey = 0.299 * ((rgb >> 16) & 0xff) + 0.587 * ((rgb >> 8) & 0xff) + 0.114 * (rgb & 0xff);
        sum += grey;
        sumSq += grey * grey;
      }
    }
    double n = (double) image.getWidth() * image.getHeight();
    return new double[] {image.getWidth(), image.getHeight(), sumSq / n - (sum / n) * (sum / n)};
  }

  @Test
  void fourPotentialsMakeOnePictureOfTheRequestedSize() throws IOException {
    Path png = tmp.resolve("pots.png");
    Cli.Result r = Cli.run("plot", Cli.example("pot1"), Cli.example("pot2"), Cli.example("pot3"), Cli.example("pot4"),
        "-o", png.toString());
    assertEquals(0, r.code(), r.toString());
    assertEquals("", r.out());
    double[] s = sizeAndVariance(png);
    assertEquals(1200, s[0]);
    assertEquals(900, s[1]);
    assertTrue(s[2] > 500, "grey variance " + s[2]);

    Path small = tmp.resolve("small.png");
    assertEquals(0, Cli.run("plot", Cli.example("pot2"), "-o", small.toString(), "--width", "640", "--height", "480",
        "--xlim=-6,6", "--ylim", "-3,3", "--resolution", "80").code());
    s = sizeAndVariance(small);
    assertEquals(640, s[0]);
    assertEquals(480, s[1]);
    assertTrue(s[2] > 500);
  }

  @Test
  void theSameCommandWritesTheSameBytes() throws IOException {
    Path a = tmp.resolve("a.png");
    Path b = tmp.resolve("b.png");
    assertEquals(0, Cli.run("plot", Cli.example("pot1"), "-o", a.toString(), "--width", "500", "--height", "400").code());
    assertEquals(0, Cli.run("plot", Cli.example("pot1"), "-o", b.toString(), "--width", "500", "--height", "400").code());
    assertArrayEquals(Files.readAllBytes(a), Files.readAllBytes(b));
  }

  /** The compiled pot1, drawn: its highest band lies on the ring of radius 2. */
  @Test
  void theCompiledPot1sBrightestBandIsOnTheRing() throws Exception {
    CheckedModel model = ModelFiles.load(Cli.example("pot1"), new PrintWriter(new StringWriter()));
    DensityGrid grid = DensityGrid.of(Compilation.load(model), Box.NOTEBOOK, DensityGrid.DEFAULT_RESOLUTION);
    RenderedFigure rendered = DensityFigure.of(List.of(new DensityFigure.Panel("pot1", grid, "z[0]", "z[1]")))
        .render(1200, 900);
    int top = Palette.band(Palette.bands() - 1).getRGB() & 0xffffff;
    RenderedFigure.Panel panel = rendered.panels().get(0);
    Rectangle2D area = panel.dataArea();
    int n = 0;
    double radii = 0;
    for (int y = (int) Math.ceil(area.getMinY()); y < (int) area.getMaxY(); y++) {
      for (int x = (int) Math.ceil(area.getMinX()); x < (int) area.getMaxX(); x++) {
        if ((rendered.image().getRGB(x, y) & 0xffffff) == top) {
          Point2D z = panel.toData(x + 0.5, y + 0.5);
          double r = Math.hypot(z.getX(), z.getY());
          assertTrue(Math.abs(r - 2) < 0.35, "top band at " + z);
          radii += r;
          n++;
        }
      }
    }
    assertTrue(n > 1000, n + " top-band pixels");
    assertEquals(1.95, radii / n, 0.1);
  }

  @Test
  void userErrorsExitWithTwoAndOneLine() throws IOException {
    Path png = tmp.resolve("x.png");
    Path dir = Files.createDirectory(tmp.resolve("dir"));
    String[][] cases = {
        {"plot", Cli.example("normal100"), "-o", png.toString()},
        {"plot", Cli.example("pot1"), "-o", tmp.resolve("no/such/dir/x.png").toString()},
        {"plot", Cli.example("pot1"), "-o", dir.toString()},
        {"plot", Cli.example("pot1"), "-o", png.toString(), "--xlim", "3,1"},
        {"plot", Cli.example("pot1"), "-o", png.toString(), "--ylim", "1,x"},
        {"plot", Cli.example("pot1"), "-o", png.toString(), "--width", "10"},
        {"plot", Cli.example("pot1"), "-o", png.toString(), "--resolution", "1"},
        {"plot", tmp.resolve("missing.flow").toString(), "-o", png.toString()},
        {"plot", Cli.example("pot1")},
    };
    for (String[] args : cases) {
      Cli.Result r = Cli.run(args);
      assertEquals(2, r.code(), String.join(" ", args) + "\n" + r);
      assertTrue(r.errLines().get(0).startsWith("error: "), r.toString());
      Cli.assertNoStackTrace(r);
      assertFalse(Files.exists(png), "a picture was written for " + String.join(" ", args));
    }
    Cli.Result r = Cli.run("plot", Cli.example("normal100"), "-o", png.toString());
    assertEquals(1, r.errLines().size(), r.toString());
    assertTrue(r.err().contains("dimension 100"), r.toString());
  }
}
