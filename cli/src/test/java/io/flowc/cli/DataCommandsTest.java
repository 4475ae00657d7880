package io.flowc.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** --data through the commands: source models, artifacts, and every way data can be wrong. */
class DataCommandsTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir
  Path tmp;

  private static String model() {
    return Cli.example("eight_schools_noncentered");
  }

  private static String data() {
    return model().replace(".flow", ".json");
  }

  private static void assertUserError(Cli.Result r, String fragment) {
    assertEquals(2, r.code(), r.toString());
    assertTrue(r.err().contains(fragment), r.toString());
    assertTrue(!r.err().contains("\tat "), "no stack trace: " + r);
  }

  @Test
  void unwritableOutputsAreRefusedBeforeTheFit() {
    String missing = tmp.resolve("no/such/dir/draws.csv").toString();
    assertUserError(Cli.run("fit", Cli.example("pot1"), "--flow", "planar", "--iters", "10", "--out", missing),
        "--out: " + missing + ": no such directory");
    assertUserError(Cli.run("fit", Cli.example("pot1"), "--flow", "planar", "--iters", "10", "--track", "5",
        "--track-out", missing), "--track-out: " + missing + ": no such directory");
  }

  @Test
  void anArtifactRefusesIndicesOutsideTheVectorsTheyIndex() throws IOException {
    String model = Cli.example("hierarchical");
    Path jar = tmp.resolve("hierarchical.jar");
    assertEquals(0, Cli.run("compile", model, "--data", model.replace(".flow", ".json"), "-o", jar.toString()).code());
    Path zeroBased = tmp.resolve("zero.json");
    Files.writeString(zeroBased, Files.readString(Path.of(model.replace(".flow", ".json"))).replace("[1, 2, 3, 4, 1,",
        "[0, 2, 3, 4, 1,"));
    assertUserError(Cli.run("check", jar.toString(), "--data", zeroBased.toString(), "--at", "0,0,0,0,0,0,0"),
        "'group' holds 0 at element 0 in " + zeroBased + ", but the model indexes a vector of 4 with 'group - 1'"
            + " (it must lie in 1..4)");
  }

  @Test
  void emittedJavaIncludesTheDataPrologue() throws IOException {
    String kidiq = Cli.example("kidiq_interaction");
    Path src = tmp.resolve("src");
    Cli.Result r = Cli.run("compile", kidiq, "--data", kidiq.replace(".flow", ".json"), "-o",
        tmp.resolve("k.jar").toString(), "--emit-java", src.toString());
    assertEquals(0, r.code(), r.toString());
    String prologue = Files.readString(src.resolve("io/flowc/artifact/Model_kidscore_interaction_Data.java"));
    assertTrue(prologue.contains("implements LogDensity"), prologue);
  }

  @Test
  void checkReadsTheData() {
    Cli.Result r = Cli.run("check", model(), "--data", data());
    assertEquals(0, r.code(), r.toString());
    assertTrue(r.out().contains("theta_trans[7], mu, tau (> 0) (dimension 10)"), r.out());
  }

  @Test
  void missingOrBadDataIsAUserError() throws IOException {
    assertUserError(Cli.run("check", model()), "declares data ('J'): give its values (flowc: --data FILE.json");
    assertUserError(Cli.run("check", model(), "--data", tmp.resolve("none.json").toString()), "none.json: no such file");
    Path bad = tmp.resolve("bad.json");
    Files.writeString(bad, "{\n  \"J\": 8,\n  \"y\": [1, 2,\n}\n");
    assertUserError(Cli.run("check", model(), "--data", bad.toString()), "bad.json:4:1:");
    Path shortY = tmp.resolve("short.json");
    Files.writeString(shortY, "{\"J\": 8, \"y\": [1, 2, 3], \"sigma\": [1, 1, 1, 1, 1, 1, 1, 1]}");
    assertUserError(Cli.run("check", model(), "--data", shortY.toString()),
        "'y' is an array of 3 in " + shortY + "; the model declares real y[8]");
  }

  @Test
  void integersBeyondAnIntAndOversizedParametersAreUserErrors() throws IOException {
    Path huge = tmp.resolve("huge.json");
    Files.writeString(huge, "{\"J\": 4294967300}");
    assertUserError(Cli.run("check", model(), "--data", huge.toString()),
        "'J' is 4294967300 in " + huge + ", beyond the range of a data int (-2147483648..2147483647)");
    Path model = tmp.resolve("j.flow");
    Files.writeString(model, "model j {\n  data int J;\n  param x[J];\n  potential 0.5 * sum(x^2);\n}\n");
    Path billion = tmp.resolve("billion.json");
    Files.writeString(billion, "{\"J\": 1000000000}");
    for (String command : List.of("check", "fit")) {
      Cli.Result r = command.equals("fit")
          ? Cli.run("fit", model.toString(), "--data", billion.toString(), "--flow", "scale-loc", "--iters", "10")
          : Cli.run("check", model.toString(), "--data", billion.toString());
      assertUserError(r, "j.flow:3:11: 'x' is too large: J = 1000000000 elements in " + billion + " (at most 1000000)");
    }
  }

  @Test
  void undeclaredMembersOfAnyKindAreIgnored() throws IOException {
    Path extra = tmp.resolve("extra.json");
    String members = Files.readString(Path.of(data())).trim().substring(1);
    Files.writeString(extra, "\uFEFF{\"flag\": true, \"label\": \"eight \\\"schools\\\"\", \"meta\": {\"source\": [1, null]}, "
        + "\"far\": 1e999, \"inf\": \"Inf\", " + members);
    Cli.Result r = Cli.run("check", model(), "--data", extra.toString());
    assertEquals(0, r.code(), r.toString());
    Path infY = tmp.resolve("inf.json");
    Files.writeString(infY, "{\"J\": 2, \"y\": [1, 1e999], \"sigma\": [1, \"inf\"]}");
    assertUserError(Cli.run("check", model(), "--data", infY.toString()),
        "'y' in " + infY + ":1:19 holds the number 1e999, too large for a double");
  }

  @Test
  void aDataFileThatNeverEndsIsReadOnlyToItsFirstBadByte() {
    org.junit.jupiter.api.Assumptions.assumeTrue(Files.exists(Path.of("/dev/zero")));
    assertUserError(Cli.run("check", model(), "--data", "/dev/zero"),
        "/dev/zero:1:1: expected '{' (the data are one JSON object), found byte 0x00");
    assertUserError(Cli.run("check", "/dev/zero"), "/dev/zero: not a text file: a NUL byte at byte offset 0");
  }

  @Test
  void aMissingDataFileIsReportedOnce() {
    Cli.Result r = Cli.run("check", Cli.example("hierarchical"));
    assertUserError(r, "declares data ('N'): give its values");
    assertEquals(1, r.errLines().stream().filter(l -> l.startsWith("error:")).count(), r.toString());
    assertTrue(r.err().contains("1 error"), r.toString());
  }

  /** A data file often serves several models: one without data ignores it, from its source or its artifact. */
  @Test
  void dataForAModelWithoutDataAreReadAndNotUsedAlike() throws IOException {
    String pot1 = Cli.example("pot1");
    Path jar = tmp.resolve("pot1.jar");
    assertEquals(0, Cli.run("compile", pot1, "-o", jar.toString()).code());
    for (String model : List.of(pot1, jar.toString())) {
      Cli.Result check = Cli.run("check", model, "--data", data(), "--at", "1,2");
      assertEquals(0, check.code(), check.toString());
      assertTrue(check.err().contains("note: model 'pot1' declares no data; " + data() + " is not used"), check.toString());
      Cli.Result sample = Cli.run("sample", model, "--data", data(), "--chains", "1", "--draws", "20", "--tune", "20");
      assertEquals(0, sample.code(), sample.toString());
      assertUserError(Cli.run("check", model, "--data", tmp.resolve("none.json").toString()), "none.json: no such file");
    }
  }

  @Test
  void aDataFileThatCannotBeReadIsReportedBeforeTheModelsErrors() throws IOException {
    // the data file is read while the model parses; its error still comes first
    Path broken = tmp.resolve("broken.flow");
    Files.writeString(broken, "model broken {\n  data int N;\n  param x\n  x ~ normal(0, 1);\n}\n");
    String none = tmp.resolve("none.json").toString();
    assertUserError(Cli.run("check", broken.toString(), "--data", none), "none.json: no such file");
    assertUserError(Cli.run("sample", broken.toString(), "--data", none), "none.json: no such file");
    assertUserError(Cli.run("fit", broken.toString(), "--data", none, "--flow", "planar"), "none.json: no such file");
    Path bad = tmp.resolve("bad.json");
    Files.writeString(bad, "{\"N\": ");
    Cli.Result badJson = Cli.run("check", broken.toString(), "--data", bad.toString());
    assertEquals(2, badJson.code(), badJson.toString());
    assertTrue(badJson.err().contains("bad.json"), badJson.toString());
    Cli.Result syntax = Cli.run("check", broken.toString(), "--data", data());
    assertEquals(2, syntax.code(), syntax.toString());
    assertTrue(syntax.err().contains("broken.flow:3:"), syntax.toString());
  }

  @Test
  void fitAndSampleReportBoundedValues() throws IOException {
    Path fitOut = tmp.resolve("fit.csv");
    Cli.Result fit = Cli.run("fit", model(), "--data", data(), "--flow", "scale-loc", "--iters", "2000", "--optimizer",
        "adam", "--lr", "0.02", "--eval-draws", "2000", "--draws", "200", "--out", fitOut.toString());
    assertEquals(0, fit.code(), fit.toString());
    Path sampleOut = tmp.resolve("nuts.csv");
    Cli.Result sample = Cli.run("sample", model(), "--data", data(), "--chains", "2", "--draws", "200", "--tune", "300",
        "--out", sampleOut.toString(), "--json");
    assertEquals(0, sample.code(), sample.toString());
    assertTrue(JSON.readTree(sample.lastOutLine()).get("params").has("tau"));
    for (Path csv : List.of(fitOut, sampleOut)) {
      List<String> lines = Files.readAllLines(csv);
      List<String> header = List.of(lines.get(0).split(","));
      int tau = header.indexOf("tau");
      assertTrue(tau > 0, header.toString());
      for (String line : lines.subList(1, lines.size())) {
        assertTrue(Double.parseDouble(line.split(",")[tau]) > 0, csv + ": " + line);
      }
    }
  }

  /** kidiq's N counts children only: the artifact takes any number of them. */
  @Test
  void anArtifactIsRefittedOnDataWithOtherRowCounts() throws IOException {
    String kidiq = Cli.example("kidiq_interaction");
    Path jar = tmp.resolve("kidiq.jar");
    Cli.Result compiled = Cli.run("compile", kidiq, "--data", kidiq.replace(".flow", ".json"), "--flow", "scale-loc",
        "-o", jar.toString());
    assertEquals(0, compiled.code(), compiled.toString());
    JsonNode all = JSON.readTree(Files.readString(Path.of(kidiq.replace(".flow", ".json"))));
    Path fifty = tmp.resolve("fifty.json");
    StringBuilder json = new StringBuilder("{\"N\": 50");
    for (String name : List.of("kid_score", "mom_iq", "mom_hs")) {
      List<String> values = new java.util.ArrayList<>();
      for (int i = 0; i < 50; i++) {
        values.add(all.get(name).get(i).asText());
      }
      json.append(", \"").append(name).append("\": [").append(String.join(", ", values)).append(']');
    }
    Files.writeString(fifty, json.append('}').toString());
    String at = "20,0.5,0.3,-0.1,2.8";
    JsonNode fromSource = JSON.readTree(Cli.run("check", kidiq, "--data", fifty.toString(), "--at", at, "--json")
        .lastOutLine());
    JsonNode fromJar = JSON.readTree(Cli.run("check", jar.toString(), "--data", fifty.toString(), "--at", at, "--json")
        .lastOutLine());
    assertEquals(fromSource.get("logp").asDouble(), fromJar.get("logp").asDouble());
    assertEquals(fromSource.get("gradient").toString(), fromJar.get("gradient").toString());
    Cli.Result refit = Cli.run("fit", jar.toString(), "--data", fifty.toString(), "--flow", "scale-loc", "--iters", "300",
        "--eval-draws", "500", "--json");
    assertEquals(0, refit.code(), refit.toString());
    Cli.Result sample = Cli.run("sample", jar.toString(), "--data", fifty.toString(), "--chains", "1", "--draws", "100",
        "--tune", "200", "--json");
    assertEquals(0, sample.code(), sample.toString());
  }

  /**
   * posteriordb's time series compiled once on 200 points: T is free (docs/language.md, "Sizes
   * bound at run time"), and on the first 120 points the artifact's log density and gradient (and
   * arma11's fit and NUTS draws) are those of the model compiled for them, bit for bit; a series too short for the
   * loop is refused with the length it needs.
   */
  @Test
  void aTimeSeriesArtifactIsRefittedOnAShorterSeries() throws IOException {
    for (String name : List.of("arma11", "garch11", "arK")) {
      String model = Cli.example(name);
      Path jar = tmp.resolve(name + ".jar");
      Cli.Result compiled = Cli.run("compile", model, "--data", model.replace(".flow", ".json"), "--flow", "scale-loc",
          "-o", jar.toString());
      assertEquals(0, compiled.code(), compiled.toString());
      JsonNode all = JSON.readTree(Files.readString(Path.of(model.replace(".flow", ".json"))));
      Path first = tmp.resolve(name + "-120.json");
      Path tooShort = tmp.resolve(name + "-short.json");
      Files.writeString(first, series(all, 120));
      int least = name.equals("arK") ? 6 : 2;
      Files.writeString(tooShort, series(all, least - 1));
      String at = name.equals("arK") ? "0.1,0.2,-0.1,0.05,0.1,-0.2,0.3" : "0.1,-0.4,0.2,0.3";
      JsonNode fromSource = JSON.readTree(Cli.run("check", model, "--data", first.toString(), "--at", at, "--json")
          .lastOutLine());
      JsonNode fromJar = JSON.readTree(Cli.run("check", jar.toString(), "--data", first.toString(), "--at", at, "--json")
          .lastOutLine());
      assertEquals(fromSource.get("logp").asDouble(), fromJar.get("logp").asDouble(), name);
      assertEquals(fromSource.get("gradient").toString(), fromJar.get("gradient").toString(), name);
      // a fit and a sampler's draws on arma11 alone: the others' flows are checked in FreeSizesTest
      for (String command : name.equals("arma11") ? List.of("fit", "sample") : List.<String>of()) {
        List<String> options = command.equals("fit")
            ? List.of("--flow", "scale-loc", "--iters", "300", "--eval-draws", "500", "--seed", "2", "--json")
            : List.of("--chains", "1", "--draws", "100", "--tune", "100", "--seed", "2", "--json");
        String[] source = Stream.concat(Stream.of(command, model, "--data", first.toString()),
            options.stream()).toArray(String[]::new);
        String[] artifact = Stream.concat(Stream.of(command, jar.toString(), "--data", first.toString()),
            options.stream()).toArray(String[]::new);
        JsonNode a = JSON.readTree(Cli.run(source).lastOutLine());
        JsonNode b = JSON.readTree(Cli.run(artifact).lastOutLine());
        String result = command.equals("fit") ? "final_loss" : "params";
        assertEquals(a.get(result).toString(), b.get(result).toString(), name + " " + command);
      }
      assertUserError(Cli.run("check", jar.toString(), "--data", tooShort.toString(), "--at", at),
          "'T' is " + (least - 1) + " in " + tooShort + "; the model needs T >= " + least + " (its loop over t from "
              + (least - 1) + " to T runs at least once)");
    }
  }

  /** A posteriordb series' data with its first {@code length} points. */
  private static String series(JsonNode all, int length) {
    StringBuilder json = new StringBuilder("{\"T\": " + length);
    all.fields().forEachRemaining(e -> {
      if (e.getKey().equals("y")) {
        List<String> values = new java.util.ArrayList<>();
        for (int i = 0; i < length; i++) {
          values.add(e.getValue().get(i).asText());
        }
        json.append(", \"y\": [").append(String.join(", ", values)).append(']');
      } else if (!e.getKey().equals("T")) {
        json.append(", \"").append(e.getKey()).append("\": ").append(e.getValue());
      }
    });
    return json.append('}').toString();
  }

  @Test
  void anArtifactIsRefittedOnNewDataOfItsSizes() throws IOException {
    Path jar = tmp.resolve("schools.jar");
    Cli.Result compiled = Cli.run("compile", model(), "--data", data(), "--flow", "scale-loc", "-o", jar.toString());
    assertEquals(0, compiled.code(), compiled.toString());
    String at = "0.1,0.2,-0.3,0.4,0.5,-0.6,0.7,0.8,1.5,0.3";
    JsonNode fromSource = JSON.readTree(Cli.run("check", model(), "--data", data(), "--at", at, "--json").lastOutLine());
    JsonNode fromJar = JSON.readTree(Cli.run("check", jar.toString(), "--data", data(), "--at", at, "--json").lastOutLine());
    assertEquals(fromSource.get("logp").asDouble(), fromJar.get("logp").asDouble());

    Path other = tmp.resolve("other.json");
    Files.writeString(other, "{\"J\": 8, \"y\": [10, 8, -3, 7, -1, 1, 18, 12], \"sigma\": [15, 10, 16, 11, 9, 11, 10, 18]}");
    JsonNode newData = JSON.readTree(Cli.run("check", jar.toString(), "--data", other.toString(), "--at", at, "--json")
        .lastOutLine());
    assertTrue(newData.get("logp").asDouble() != fromJar.get("logp").asDouble(), "the new data are used");
    Cli.Result refit = Cli.run("fit", jar.toString(), "--data", other.toString(), "--flow", "scale-loc", "--iters", "500",
        "--eval-draws", "1000", "--json");
    assertEquals(0, refit.code(), refit.toString());

    Path smaller = tmp.resolve("smaller.json");
    Files.writeString(smaller, "{\"J\": 2, \"y\": [1, 2], \"sigma\": [1, 1]}");
    assertUserError(Cli.run("check", jar.toString(), "--data", smaller.toString(), "--at", at),
        "'J' is 2.0 in " + smaller + "; the model was compiled with J = 8 (J shapes parameters or values of fixed "
            + "length, so it is fixed when the model is compiled)");
    assertUserError(Cli.run("check", jar.toString(), "--at", at), "declares data; give its values with --data");
  }
}
