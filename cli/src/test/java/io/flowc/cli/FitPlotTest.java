package io.flowc.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FitPlotTest {
  @TempDir
  Path tmp;

  @Test
  void aFitDrawsItsFigureAndItsTrackerFigure() throws IOException {
    Path fit = tmp.resolve("fit.png");
    Path track = tmp.resolve("track.png");
    Cli.Result r = Cli.run("fit", Cli.example("pot1"), "--flow", "planar*2", "--iters", "400", "--eval-draws", "200",
        "--track", "20", "--track-out", tmp.resolve("track.csv").toString(), "--plot", fit.toString(),
        "--plot-track", track.toString(), "--json");
    assertEquals(0, r.code(), r.toString());
    new ObjectMapper().readTree(r.lastOutLine());
    double[] s = PlotCommandTest.sizeAndVariance(fit);
    assertEquals(1200, s[0]);
    assertEquals(900, s[1]);
    assertTrue(s[2] > 500, "grey variance " + s[2]);
    s = PlotCommandTest.sizeAndVariance(track);
    assertEquals(1200, s[0]);
    assertTrue(s[2] > 100, "grey variance " + s[2]);
  }

  @Test
  void largerModelsGetPairsAndTheSameSeedGivesTheSamePicture() throws IOException {
    Path a = tmp.resolve("a.png");
    Path b = tmp.resolve("b.png");
    for (Path p : new Path[] {a, b}) {
      Cli.Result r = Cli.run("fit", Cli.example("normal100"), "--flow", "scale-loc", "--iters", "100", "--eval-draws",
          "100", "--seed", "3", "--plot", p.toString(), "--width", "800", "--height", "600");
      assertEquals(0, r.code(), r.toString());
    }
    assertArrayEquals(Files.readAllBytes(a), Files.readAllBytes(b));
    assertEquals(800, PlotCommandTest.sizeAndVariance(a)[0]);
  }

  @Test
  void aBadPicturePathIsRefusedBeforeTheFit() {
    Cli.Result r = Cli.run("fit", Cli.example("pot1"), "--flow", "planar", "--iters", "100",
        "--plot", tmp.resolve("no/dir/fit.png").toString());
    assertEquals(2, r.code(), r.toString());
    assertEquals("", r.out(), "the fit ran");
    assertTrue(r.err().startsWith("error: --plot: "), r.toString());
    Cli.assertNoStackTrace(r);

    r = Cli.run("fit", Cli.example("pot1"), "--flow", "planar", "--iters", "100", "--plot-track", "t.png");
    assertEquals(2, r.code(), r.toString());
    assertTrue(r.err().contains("--plot-track needs --track"), r.toString());

    r = Cli.run("fit", Cli.example("pot1"), "--flow", "planar", "--iters", "10", "--track", "50", "--plot-track",
        tmp.resolve("t.png").toString());
    assertEquals(2, r.code(), r.toString());
    assertTrue(r.err().contains("nothing would be tracked"), r.toString());
  }

  /**
   * Draws of bounded parameters are shown on their constrained scale, without the density (flowc
   * plot draws that, see PlotBoundedTest).
   */
  @Test
  void boundedParametersAreDrawnOnTheirOwnScale() throws IOException {
    Path model = tmp.resolve("bounded.flow");
    Files.writeString(model, "model bounded { param s > 0; param p in (0, 1); logp += -s - 0.5 * s^2 + log(p); }\n");
    Path png = tmp.resolve("fit.png");
    Cli.Result r = Cli.run("fit", model.toString(), "--flow", "scale-loc", "--iters", "200", "--eval-draws", "100",
        "--plot", png.toString());
    assertEquals(0, r.code(), r.toString());
    assertTrue(PlotCommandTest.sizeAndVariance(png)[2] > 100);

  }

  /**
   * A picture that fails after the fit (here: the model's density overflows everywhere in the
   * asked window) is reported, but the draws, the tracker CSV and the JSON report are all there.
   */
  @Test
  void aPictureThatFailsAfterTheFitKeepsTheOtherOutputs() throws IOException {
    Path model = tmp.resolve("far.flow");
    Files.writeString(model, "model far { param z[2]; potential 0.5 * dot(z, z) + exp(z[0]^2); }\n");
    Path draws = tmp.resolve("draws.csv");
    Path track = tmp.resolve("track.csv");
    Path png = tmp.resolve("fit.png");
    Cli.Result r = Cli.run("fit", model.toString(), "--flow", "scale-loc", "--iters", "200", "--eval-draws", "100",
        "--out", draws.toString(), "--track", "50", "--track-out", track.toString(), "--plot", png.toString(),
        "--xlim", "30,40", "--json");
    assertEquals(2, r.code(), r.toString());
    assertTrue(r.err().contains("error: --plot: the log density is not finite anywhere"), r.toString());
    Cli.assertNoStackTrace(r);
    JsonNode json = new ObjectMapper().readTree(r.lastOutLine());
    assertEquals("far", json.get("model").asText());
    assertEquals(501, Files.readAllLines(draws).size());
    assertEquals(5, Files.readAllLines(track).size());
    assertFalse(Files.exists(png));
  }
}
