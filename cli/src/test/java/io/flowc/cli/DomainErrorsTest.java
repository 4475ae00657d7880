package io.flowc.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Arguments outside their domain, reported as Stan reports them: data at binding (exit 2),
 * parameters counted while sampling, a start no chain can leave (exit 3).
 */
class DomainErrorsTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir
  Path tmp;

  private Path write(String name, String text) throws IOException {
    Path p = tmp.resolve(name);
    Files.writeString(p, text);
    return p;
  }

  private static void assertUserError(Cli.Result r, String line) {
    assertEquals(2, r.code(), r.toString());
    assertTrue(r.errLines().contains(line), r.toString());
    Cli.assertNoStackTrace(r);
  }

  /** Eight schools' data with a negative sigma[7]. */
  private String negativeSigma(String model) throws IOException {
    return write("schools.json", Files.readString(Path.of(model.replace(".flow", ".json")))
        .replace("\"sigma\": [15, 10, 16, 11, 9, 11, 10, 18]", "\"sigma\": [15, 10, 16, 11, 9, 11, 10, -18]"))
        .toString();
  }

  /** What the commands say of {@link #negativeSigma}'s data for eight schools at {@code model}. */
  private static String negativeSigmaError(String data, String model) {
    return "error: " + data + ": sigma[7]: normal_lpdf: Scale parameter[7] is -18, but must be positive! (in " + model
        + ":14:3)";
  }

  @Test
  void aNegativeScaleInTheDataIsReportedBeforeSamplingOrFitting() throws IOException {
    String model = Cli.example("eight_schools_noncentered");
    String data = negativeSigma(model);
    String expected = negativeSigmaError(data, model);
    assertUserError(Cli.run("sample", model, "--data", data, "--chains", "1"), expected);
    assertUserError(Cli.run("fit", model, "--data", data, "--flow", "planar", "--iters", "10"), expected);
    assertUserError(Cli.run("check", model, "--data", data), expected);

    String jar = tmp.resolve("schools.jar").toString();
    Cli.Result compiled = Cli.run("compile", model, "--data", model.replace(".flow", ".json"), "-o", jar);
    assertEquals(0, compiled.code(), compiled.toString());
    assertUserError(Cli.run("sample", jar, "--data", data, "--chains", "1"),
        negativeSigmaError(data, jar + "!/META-INF/flowc/model.flow"));
  }

  @Test
  void aDataErrorIsReportedRatherThanAnErrorFoundWhileItWasChecked() throws IOException {
    // the data's domains are checked while the flow compiles, whose formula does not fit the model
    // (a MADE of 4 hidden units on 10 dimensions): the data's error comes first, as it always has
    String model = Cli.example("eight_schools_noncentered");
    String data = negativeSigma(model);
    String expected = negativeSigmaError(data, model);
    assertUserError(Cli.run("fit", model, "--data", data, "--flow", "iaf(hidden=4)", "--iters", "10"), expected);
    Cli.Result goodData = Cli.run("fit", model, "--data", model.replace(".flow", ".json"), "--flow", "iaf(hidden=4)",
        "--iters", "10");
    assertEquals(2, goodData.code(), goodData.toString());
    assertTrue(goodData.err().contains("MADE conditioner needs hidden >= d - 1 = 9"), goodData.toString());
  }

  @Test
  void aNegativeCountIsADataError() throws IOException {
    Path model = write("counts.flow", "model counts {\n  data int N;\n  data int n[N];\n  param a;\n"
        + "  n ~ poisson_log(a);\n}\n");
    Path data = write("counts.json", "{\"N\": 3, \"n\": [4, -2, 0]}");
    assertUserError(Cli.run("sample", model.toString(), "--data", data.toString()), "error: " + data
        + ": n[1]: poisson_log_lpmf: Random variable[1] is -2, but must be a nonnegative integer! (in " + model + ":5:3)");
  }

  @Test
  void aProbabilityOutsideZeroOneIsADataError() throws IOException {
    Path model = write("rates.flow", "model rates {\n  data real p[2];\n  param a > 0;\n  param b > 0;\n"
        + "  p ~ beta(a, b);\n}\n");
    Path data = write("rates.json", "{\"p\": [0.25, 1.5]}");
    assertUserError(Cli.run("fit", model.toString(), "--data", data.toString(), "--flow", "planar"), "error: " + data
        + ": p[1]: beta_lpdf: Random variable[1] is 1.5, but must be in the interval [0, 1] (in " + model + ":5:3)");
  }

  private Path unboundedScale() throws IOException {
    return write("scale.flow", "model scale {\n  data real y[5];\n  param s;\n  y ~ normal(0, s);\n}\n");
  }

  private Path scaleData() throws IOException {
    return write("scale.json", "{\"y\": [0.3, -1.2, 0.8, 1.9, -0.4]}");
  }

  @Test
  void proposalsWithANegativeScaleAreCountedAndTheChainsGoOn() throws IOException {
    Path model = unboundedScale();
    String[] args = {"sample", model.toString(), "--data", scaleData().toString(), "--start=1", "--chains", "2",
        "--draws", "200", "--tune", "200", "--seed", "7", "--json"};
    Cli.Result r = Cli.run(args);
    assertEquals(0, r.code(), r.toString());
    String prefix = "Informational Message: ";
    String line = r.errLines().stream().filter(l -> l.startsWith(prefix)).findFirst().orElseThrow(() ->
        new AssertionError("no rejection summary:\n" + r));
    assertTrue(line.matches("Informational Message: \\d+ Metropolis proposals were rejected because of the following "
        + "issue: normal_lpdf: Scale parameter is -[0-9.E-]+, but must be positive! \\(in \\Q" + model + "\\E:4:3\\)"),
        line);
    JsonNode rejections = JSON.readTree(r.lastOutLine()).get("rejections");
    assertEquals(1, rejections.size(), rejections.toString());
    long count = rejections.get(0).get("count").asLong();
    assertTrue(line.startsWith(prefix + count + " "), line);
    assertTrue(count > 0);

    // the same counts and message whatever the number of threads
    String[] oneThread = java.util.Arrays.copyOf(args, args.length + 2);
    oneThread[args.length] = "--threads";
    oneThread[args.length + 1] = "1";
    assertEquals(rejections, JSON.readTree(Cli.run(oneThread).lastOutLine()).get("rejections"));
  }

  @Test
  void anArtifactCountsTheSameRejectionsAndNamesTheSameCauses() throws IOException {
    Path model = unboundedScale();
    String data = scaleData().toString();
    String jar = tmp.resolve("scale.jar").toString();
    assertEquals(0, Cli.run("compile", model.toString(), "--data", data, "--flow", "planar", "-o", jar).code());
    String[] options = {"--data", data, "--start=1", "--chains", "2", "--draws", "200", "--tune", "200", "--seed", "7",
        "--json"};
    JsonNode fromSource = JSON.readTree(Cli.run(concat("sample", model.toString(), options)).lastOutLine());
    Cli.Result fromJar = Cli.run(concat("sample", jar, options));
    assertEquals(0, fromJar.code(), fromJar.toString());
    JsonNode rejections = JSON.readTree(fromJar.lastOutLine()).get("rejections");
    assertEquals(fromSource.get("rejections").get(0).get("count"), rejections.get(0).get("count"), fromJar.toString());
    assertTrue(rejections.get(0).get("message").asText().endsWith("(in " + jar + "!/META-INF/flowc/model.flow:4:3)"),
        rejections.toString());

    Cli.Result fit = Cli.run("fit", jar, "--data", data, "--flow", "planar", "--iters", "50", "--eval-draws", "100",
        "--seed", "3");
    assertEquals(3, fit.code(), fit.toString());
    assertTrue(fit.err().contains("at one of its draws: normal_lpdf: Scale parameter is -"), fit.toString());
  }

  private static String[] concat(String command, String model, String... options) {
    String[] all = new String[options.length + 2];
    all[0] = command;
    all[1] = model;
    System.arraycopy(options, 0, all, 2, options.length);
    return all;
  }

  @Test
  void aFitStoppedByANegativeScaleNamesTheCause() throws IOException {
    Path model = unboundedScale();
    Cli.Result r = Cli.run("fit", model.toString(), "--data", scaleData().toString(), "--flow", "planar",
        "--iters", "50", "--eval-draws", "100", "--seed", "3");
    assertEquals(3, r.code(), r.toString());
    String line = r.errLines().stream().filter(l -> l.startsWith("error: ")).findFirst().orElseThrow();
    assertTrue(line.matches("error: numerical failure: the loss is NaN at iteration \\d+; the parameters are those "
        + "before it; at one of its draws: normal_lpdf: Scale parameter is -[0-9.E-]+, but must be positive! "
        + "\\(in \\Q" + model + "\\E:4:3\\)"), r.toString());
    Cli.assertNoStackTrace(r);
  }

  @Test
  void aValidModelReportsNoRejections() throws IOException {
    Cli.Result r = Cli.run("sample", Cli.example("pot1"), "--chains", "1", "--draws", "100", "--tune", "100", "--json");
    assertEquals(0, r.code(), r.toString());
    assertTrue(!r.err().contains("Informational Message"), r.toString());
    assertEquals(0, JSON.readTree(r.lastOutLine()).get("rejections").size());
  }

  @Test
  void aStartOutsideTheDomainIsANumericalFailureNamingTheCause() throws IOException {
    Path model = unboundedScale();
    Cli.Result r = Cli.run("sample", model.toString(), "--data", scaleData().toString(), "--start=-0.5", "--chains", "1");
    assertEquals(3, r.code(), r.toString());
    assertTrue(r.errLines().contains("error: numerical failure: chain 0: bad initial energy: the log density is NaN at "
        + "the starting point [-0.5]: Rejecting initial value: normal_lpdf: Scale parameter is -0.5, but must be "
        + "positive! (in " + model + ":4:3)"), r.toString());
    Cli.assertNoStackTrace(r);
  }

  @Test
  void aFunctionOutsideItsDomainIsNamedAtTheStart() throws IOException {
    Path model = write("half.flow", "model half { param x; potential x - log(x); }\n");
    Cli.Result r = Cli.run("sample", model.toString(), "--start=-1", "--chains", "1");
    assertEquals(3, r.code(), r.toString());
    assertTrue(r.err().contains(": Rejecting initial value: log: Argument is -1, but must be nonnegative! (in " + model
        + ":1:37)"), r.toString());
  }
}
