package io.flowc.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Models without a proper posterior, sampled and compared: failures and warnings, never internal errors. */
class ImproperPosteriorTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String IMPROPER = "the posterior looks improper";

  @TempDir
  Path tmp;

  private Path model(String name, String body) throws IOException {
    Path file = tmp.resolve(name + ".flow");
    Files.writeString(file, "model " + name + " {\n" + body + "\n}\n");
    return file;
  }

  @Test
  void aFlatModelFailsWithTheDrawsBeforeTheFailure() throws IOException {
    Path flat = model("flat", "param z[2];\npotential 0*z[0];");
    Path csv = tmp.resolve("draws.csv");
    Cli.Result r = Cli.run("sample", flat.toString(), "--chains", "2", "--seed", "1", "--out", csv.toString(),
        "--json");
    assertEquals(3, r.code(), r.toString());
    assertTrue(r.err().contains("error: numerical failure: " + IMPROPER + ": chain "), r.toString());
    assertTrue(r.err().contains("ran off to infinity (z["), r.toString());
    assertFalse(r.err().contains("internal error"), r.toString());
    Cli.assertNoStackTrace(r);

    Matcher wrote = Pattern.compile("wrote " + Pattern.quote(csv.toString()) + ": the (\\d+) draws kept before the "
        + "failure").matcher(r.err());
    assertTrue(wrote.find(), r.toString());
    List<String> rows = Files.readAllLines(csv);
    assertEquals("chain,draw,z[0],z[1]", rows.get(0));
    assertEquals(Integer.parseInt(wrote.group(1)), rows.size() - 1);

    JsonNode json = JSON.readTree(r.lastOutLine());
    assertEquals("improper", json.get("status").asText());
    assertTrue(json.get("error").asText().startsWith(IMPROPER), json.toString());
    int kept = 0;
    for (JsonNode n : json.get("draws_kept")) {
      kept += n.asInt();
    }
    assertEquals(rows.size() - 1, kept);
  }

  /** In Stan's CSV each chain's file has the draws that chain kept, with their sampler statistics. */
  @Test
  void aFlatModelWritesEachChainsDrawsBeforeTheFailureAsStanCsv() throws IOException {
    Path flat = model("flat", "param z[2];\npotential 0*z[0];");
    Path csv = tmp.resolve("draws.csv");
    Cli.Result r = Cli.run("sample", flat.toString(), "--chains", "2", "--seed", "1", "--out", csv.toString(),
        "--format", "stan-csv", "--json");
    assertEquals(3, r.code(), r.toString());
    Cli.assertNoStackTrace(r);
    Path first = tmp.resolve("draws_1.csv");
    Path second = tmp.resolve("draws_2.csv");
    assertTrue(r.err().contains("wrote " + first + ", " + second + ": the "), r.toString());
    JsonNode json = JSON.readTree(r.lastOutLine());
    int c = 0;
    for (Path file : List.of(first, second)) {
      List<String> rows = Files.readAllLines(file).stream().filter(l -> !l.startsWith("#")).toList();
      assertEquals("lp__,accept_stat__,stepsize__,treedepth__,n_leapfrog__,divergent__,energy__,z.1,z.2", rows.get(0));
      assertEquals(json.get("draws_kept").get(c++).asInt(), rows.size() - 1);
    }
  }

  @Test
  void compareOnAFlatModelDrawsNothing() throws IOException {
    Path flat = model("flat", "param z[2];\npotential 0*z[0];");
    Path png = tmp.resolve("compare.png");
    for (String draws : new String[] {"1000", "30"}) {
      // 1000 draws overflow; 30 run off without overflowing
      Cli.Result r = Cli.run("compare", flat.toString(), "--flow", "planar", "--iters", "10", "--chains", "2",
          "--tune", draws, "--draws", draws, "-o", png.toString());
      assertEquals(3, r.code(), r.toString());
      assertTrue(r.err().contains("error: numerical failure in NUTS: " + IMPROPER), r.toString());
      assertFalse(Files.exists(png), r.toString());
    }
  }

  @Test
  void anUnusedBoundedParameterWarns() throws IOException {
    Path bounded = model("bounded", "param s > 0;\nparam x;\npotential 0.5*x^2;");
    Cli.Result r = Cli.run("sample", bounded.toString(), "--chains", "2", "--json");
    assertEquals(0, r.code(), r.toString());
    String warning = "The posterior looks improper: the draws of s run off to infinity";
    assertTrue(r.err().contains(warning), r.toString());
    JsonNode json = JSON.readTree(r.lastOutLine());
    assertEquals("finished", json.get("status").asText());
    assertTrue(json.get("warnings").get(0).asText().startsWith(warning), json.toString());
  }

  @Test
  void heavyTailedProperModelsDoNotWarn() throws IOException {
    Path cauchy = model("cauchy", "param x;\nx ~ cauchy(0, 1);");
    String eightSchools = Cli.example("eight_schools_noncentered");
    List<List<String>> runs = List.of(
        List.of("sample", cauchy.toString(), "--chains", "4", "--seed", "3"),
        List.of("sample", eightSchools, "--data", eightSchools.replace(".flow", ".json"), "--chains", "2"));
    for (List<String> args : runs) {
      Cli.Result r = Cli.run(args.toArray(String[]::new));
      assertEquals(0, r.code(), r.toString());
      assertFalse(r.err().toLowerCase(java.util.Locale.ROOT).contains("improper"), r.toString());
    }
  }
}
