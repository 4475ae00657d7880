package io.flowc.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every output of every command is checked before the work, and a write that fails all the same
 * is a user error naming the path: never an internal error.
 */
class OutputPathsTest {
  private static final Path FULL = Path.of("/dev/full");

  @TempDir
  Path tmp;

  private static void assertUserError(Cli.Result r, String fragment) {
    assertEquals(2, r.code(), r.toString());
    assertTrue(r.err().contains(fragment), r.toString());
    assertFalse(r.err().contains("internal error"), r.toString());
    Cli.assertNoStackTrace(r);
  }

  /** A path under a regular file, and one under a missing directory. */
  private Path[] badPaths(String name) throws IOException {
    Path file = Files.writeString(tmp.resolve("a-file"), "x");
    return new Path[] {file.resolve(name), tmp.resolve("missing").resolve(name)};
  }

  @Test
  void sampleChecksOutBeforeSampling() throws IOException {
    Path[] bad = badPaths("draws.csv");
    Cli.Result underFile = Cli.run("sample", Cli.example("pot1"), "--out", bad[0].toString());
    assertUserError(underFile, "--out: " + bad[0] + ": not a directory: " + bad[0].getParent());
    assertFalse(underFile.err().contains("NUTS"), "refused before sampling: " + underFile);
    Cli.Result missing = Cli.run("sample", Cli.example("pot1"), "--out", bad[1].toString());
    assertUserError(missing, "--out: " + bad[1] + ": no such directory");
    assertFalse(missing.err().contains("NUTS"), "refused before sampling: " + missing);
  }

  @Test
  void otherCommandsCheckTheirOutputsBeforeTheWork() throws IOException {
    String pot1 = Cli.example("pot1");
    for (Path bad : badPaths("out.x")) {
      String where = bad.toString();
      assertUserError(Cli.run("fit", pot1, "--flow", "planar", "--iters", "10", "--out", where), "--out: " + where);
      assertUserError(Cli.run("fit", pot1, "--flow", "planar", "--iters", "10", "--track", "5", "--track-out", where),
          "--track-out: " + where);
      assertUserError(Cli.run("fit", pot1, "--flow", "planar", "--iters", "10", "--plot", where), "--plot: " + where);
      assertUserError(Cli.run("sample", pot1, "--plot", where), "--plot: " + where);
      assertUserError(Cli.run("plot", pot1, "-o", where), "-o: " + where);
      assertUserError(Cli.run("compare", pot1, "--flow", "planar", "-o", where), "-o: " + where);
    }
    for (Path bad : badPaths("pot1.jar")) {
      Cli.Result r = Cli.run("compile", pot1, "-o", bad.toString());
      assertUserError(r, "-o: " + bad);
      assertFalse(r.out().contains("wrote"), r.toString());
      assertFalse(Files.exists(bad.getParent()) && Files.isDirectory(bad.getParent()), "no directory created: " + r);
    }
    Path jar = tmp.resolve("pot1.jar");
    Path underFile = tmp.resolve("a-file").resolve("src");
    Cli.Result r = Cli.run("compile", pot1, "-o", jar.toString(), "--emit-java", underFile.toString());
    assertUserError(r, "--emit-java: " + underFile + ": not a directory: " + tmp.resolve("a-file"));
    assertFalse(Files.exists(jar), "refused before the artifact is written: " + r);
  }

  @Test
  void aFullDiskIsAUserErrorNamingThePath() {
    assumeTrue(Files.isWritable(FULL), "/dev/full is needed");
    String pot1 = Cli.example("pot1");
    String full = FULL.toString();
    Cli.Result sample = Cli.run("sample", pot1, "--chains", "1", "--tune", "50", "--draws", "50", "--out", full,
        "--json");
    assertUserError(sample, "error: --out: cannot write /dev/full (No space left on device)");
    assertTrue(sample.lastOutLine().startsWith("{\"model\":\"pot1\""), "the JSON line is still printed: " + sample);
    Cli.Result fit = Cli.run("fit", pot1, "--flow", "planar", "--iters", "10", "--eval-draws", "100", "--out", full,
        "--json");
    assertUserError(fit, "--out: cannot write /dev/full");
    assertTrue(fit.out().contains("Average Loss"), "the fit's numbers are still printed: " + fit);
    assertTrue(fit.lastOutLine().startsWith("{\"model\":\"pot1\""), "the JSON line is still printed: " + fit);
    assertUserError(Cli.run("fit", pot1, "--flow", "planar", "--iters", "10", "--eval-draws", "100", "--track", "5",
        "--track-out", full), "--track-out: cannot write /dev/full");
    assertUserError(Cli.run("plot", pot1, "-o", full), "-o: cannot write /dev/full");
  }
}
