package io.flowc.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SampleAndComparePlotTest {
  @TempDir
  Path tmp;

  @Test
  void sampleDrawsTracesAndKeepsItsOtherOutputs() throws IOException {
    Path png = tmp.resolve("nuts.png");
    Path csv = tmp.resolve("draws.csv");
    Cli.Result r = Cli.run("sample", Cli.example("pot1"), "--draws", "200", "--tune", "200", "--chains", "2",
        "--out", csv.toString(), "--plot", png.toString(), "--width", "900", "--height", "700", "--json");
    assertEquals(0, r.code(), r.toString());
    new ObjectMapper().readTree(r.lastOutLine());
    assertEquals(401, Files.readAllLines(csv).size());
    double[] s = PlotCommandTest.sizeAndVariance(png);
    assertEquals(900, s[0]);
    assertEquals(700, s[1]);
    assertTrue(s[2] > 300, "grey variance " + s[2]);
  }

  @Test
  void sampleRefusesABadPicturePathBeforeSampling() {
    Cli.Result r = Cli.run("sample", Cli.example("pot1"), "--draws", "50", "--tune", "50", "--plot",
        tmp.resolve("no/dir/n.png").toString());
    assertEquals(2, r.code(), r.toString());
    assertTrue(r.err().startsWith("error: --plot: "), r.toString());
    assertFalse(r.err().contains("Sampling"), "NUTS ran:\n" + r);
    Cli.assertNoStackTrace(r);
  }

  @Test
  void compareDrawsThreePanelsAndTheSameSeedGivesTheSameBytes() throws IOException {
    Path a = tmp.resolve("a.png");
    Path b = tmp.resolve("b.png");
    for (Path p : new Path[] {a, b}) {
      Cli.Result r = Cli.run("compare", Cli.example("pot1"), "--flow", "planar*2", "--iters", "300", "--draws", "200",
          "--tune", "200", "--chains", "2", "--seed", "5", "-o", p.toString());
      assertEquals(0, r.code(), r.toString());
      assertTrue(r.outLines().get(1).startsWith("NFVI planar*2: Finished [100%]"), r.toString());
    }
    assertArrayEquals(Files.readAllBytes(a), Files.readAllBytes(b));
    double[] s = PlotCommandTest.sizeAndVariance(a);
    assertEquals(CompareCommand.DEFAULT_WIDTH, s[0]);
    assertEquals(CompareCommand.DEFAULT_HEIGHT, s[1]);
    assertTrue(s[2] > 500, "grey variance " + s[2]);
  }

  @Test
  void compareUserErrors() throws IOException {
    Path model = tmp.resolve("one.flow");
    Files.writeString(model, "model one { param x; potential 0.5 * x^2; }\n");
    String png = tmp.resolve("c.png").toString();
    String[][] cases = {
        {"compare", model.toString(), "--flow", "loc", "-o", png},
        {"compare", Cli.example("pot1"), "--flow", "planr", "-o", png},
        {"compare", Cli.example("pot1"), "--flow", "planar", "-o", tmp.resolve("no/dir/c.png").toString()},
        {"compare", Cli.example("pot1"), "--flow", "planar", "-o", png, "--target-accept", "1.5"},
        {"compare", Cli.example("pot1"), "-o", png},
    };
    for (String[] args : cases) {
      Cli.Result r = Cli.run(args);
      assertEquals(2, r.code(), String.join(" ", args) + "\n" + r);
      assertTrue(r.err().startsWith("error: "), r.toString());
      Cli.assertNoStackTrace(r);
      assertFalse(Files.exists(Path.of(png)));
    }
  }
}
