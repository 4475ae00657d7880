package io.flowc.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.flowc.runtime.data.StanJson;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The side-by-side script's models (bench/scripts/stan-side-by-side.sh) have their flowc model, data
 * and Stan program, and each Stan program declares the flowc model's parameters and reads data the
 * data file has: the checks that R, which CI does not have, would otherwise make only at bench time.
 */
class StanProgramsTest {
  private static final Path ROOT = Path.of(System.getProperty("flowc.root.dir", ".."));
  private static final Pattern MODELS = Pattern.compile("^ALL_MODELS=\"([A-Za-z0-9_,]+)\"$", Pattern.MULTILINE);
  /** A Stan declaration's name: the word before an optional size or initializer and the semicolon. */
  private static final Pattern DECLARATION = Pattern.compile("(\\w+)\\s*(?:\\[[^]]*])?\\s*(?:=[^;]*)?;");
  private static final Pattern PARAM = Pattern.compile("^\\s*param\\s+(\\w+)", Pattern.MULTILINE);

  private static List<String> scriptModels() throws IOException {
    Matcher m = MODELS.matcher(Files.readString(ROOT.resolve("bench/scripts/stan-side-by-side.sh")));
    assertTrue(m.find(), "stan-side-by-side.sh has an ALL_MODELS line");
    return List.of(m.group(1).split(","));
  }

  /** The names a block of a Stan program declares ({@code data}, {@code parameters}). */
  static Set<String> declared(String program, String block) {
    Matcher start = Pattern.compile("(?m)^" + block + "\\s*\\{").matcher(program);
    assertTrue(start.find(), "no " + block + " block");
    int end = program.indexOf("\n}", start.end());
    Set<String> names = new LinkedHashSet<>();
    for (String line : program.substring(start.end(), end).split("\n")) {
      // comments and bounds (<lower=0>) out: what is left is "type[sizes] name[sizes] = value;"
      String code = line.replaceAll("//.*", "").replaceAll("<[^>]*>", "").trim();
      Matcher d = DECLARATION.matcher(code);
      if (!code.isEmpty() && d.find()) {
        names.add(d.group(1));
      }
    }
    return names;
  }

  @Test
  void declarationsAreRead() {
    String program = "data {\n  int<lower=0> N; // rows\n  matrix[N, K] X;\n  real y[N];\n}\n"
        + "parameters {\n  vector[4] beta;\n  real<lower=0> sigma;\n}\n";
    assertEquals(List.of("N", "X", "y"), new ArrayList<>(declared(program, "data")));
    assertEquals(List.of("beta", "sigma"), new ArrayList<>(declared(program, "parameters")));
  }

  @Test
  void everyModelHasItsFilesAndTheStanProgramMatchesIt() throws IOException {
    List<String> models = scriptModels();
    assertTrue(models.contains("w9") && models.contains("eight_schools_noncentered"), models.toString());
    for (String m : models) {
      boolean w9 = m.equals("w9");
      Path flow = ROOT.resolve("examples/" + (w9 ? "logistic" : m) + ".flow");
      Path stan = ROOT.resolve("bench/stan/" + (w9 ? "logistic" : m) + ".stan");
      assertTrue(Files.isRegularFile(flow), flow.toString());
      assertTrue(Files.isRegularFile(stan), stan.toString());
      String program = Files.readString(stan);
      Set<String> flowParams = new LinkedHashSet<>();
      Matcher p = PARAM.matcher(Files.readString(flow));
      while (p.find()) {
        flowParams.add(p.group(1));
      }
      assertEquals(flowParams, declared(program, "parameters"), m + ": parameters");
      Set<String> dataNames = w9 ? W9Data.generate(3, 2, 1).toDataSet("w9").values().keySet()
          : StanJson.read(ROOT.resolve("examples/" + m + ".json")).values().keySet();
      Set<String> read = declared(program, "data");
      assertTrue(dataNames.containsAll(read), m + ": the Stan program reads " + read + ", the data have " + dataNames);
    }
  }
}
