package io.flowc.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
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
