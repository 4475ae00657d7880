package io.flowc.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class CheckCommandTest {
  /** pot1 at (2.0, 0.3), computed independently of flowc. */
  static final double POT1_AT_2_03 = 0.0015644795807814122;

  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir
  Path dir;

  private static void assertClose(double expected, double actual, String what) {
    assertTrue(Math.abs(actual - expected) <= 1e-12 * Math.abs(expected),
        what + ": expected " + expected + " but was " + actual);
  }

  private static List<String> fieldNames(JsonNode node) {
    List<String> names = new ArrayList<>();
    node.fieldNames().forEachRemaining(names::add);
    return names;
  }

  private Path write(String name, String text) throws IOException {
    return Files.writeString(dir.resolve(name), text, StandardCharsets.UTF_8);
  }

  @Test
  void summaryOfPot1() {
    Cli.Result r = Cli.run("check", Cli.example("pot1"));
    assertEquals(0, r.code(), r.toString());
    assertEquals(List.of("model pot1", "parameters: z[0], z[1] (dimension 2)", "contributions: 1 potential, 0 logp"),
        r.outLines());
    assertEquals("", r.err());
  }

  @Test
  void pot1At2And03() {
    Cli.Result r = Cli.run("check", Cli.example("pot1"), "--at", "2.0,0.3");
    assertEquals(0, r.code(), r.toString());
    List<String> lines = r.outLines();
    assertEquals(6, lines.size(), r.toString());
    assertEquals(List.of("model pot1", "parameters: z[0], z[1] (dimension 2)", "contributions: 1 potential, 0 logp"),
        lines.subList(0, 3));
    assertTrue(lines.get(3).startsWith("potential: "), r.toString());
    assertTrue(lines.get(4).startsWith("logp: "), r.toString());
    double potential = Double.parseDouble(lines.get(3).substring("potential: ".length()));
    double logp = Double.parseDouble(lines.get(4).substring("logp: ".length()));
    assertClose(POT1_AT_2_03, potential, "potential");
    assertClose(-POT1_AT_2_03, logp, "logp");
    // full precision: printed with Double.toString, so it reads back to the same double
    assertEquals(Double.toString(potential), lines.get(3).substring("potential: ".length()));
    assertTrue(lines.get(5).matches("gradient: \\[[-0-9.E]+, [-0-9.E]+\\]"), lines.get(5));
    assertEquals("", r.err());
  }

  @Test
  void pot1At2And03AsJson() throws IOException {
    Cli.Result r = Cli.run("check", Cli.example("pot1"), "--at", "2.0,0.3", "--json");
    assertEquals(0, r.code(), r.toString());
    String last = r.lastOutLine();
    assertTrue(last.startsWith("{\"model\":\"pot1\",\"dimension\":2,\"potential\":"), last);
    JsonNode json = JSON.readTree(last);
    assertEquals(List.of("model", "dimension", "potential", "logp", "gradient"), fieldNames(json));
    assertEquals("pot1", json.get("model").asText());
    assertEquals(2, json.get("dimension").asInt());
    assertTrue(json.get("potential").isDouble() && json.get("logp").isDouble(), last);
    assertClose(POT1_AT_2_03, json.get("potential").asDouble(), "potential");
    assertClose(-POT1_AT_2_03, json.get("logp").asDouble(), "logp");
    assertEquals("", r.err());
    // the gradient of log p, against central differences of the printed log p
    double h = 1e-6;
    double[] point = {2.0, 0.3};
    for (int i = 0; i < 2; i++) {
      double[] plus = point.clone();
      double[] minus = point.clone();
      plus[i] += h;
      minus[i] -= h;
      double difference = (logpAt(plus) - logpAt(minus)) / (2 * h);
      assertEquals(difference, json.get("gradient").get(i).asDouble(), 1e-6 * Math.max(1, Math.abs(difference)),
          "d logp / d z[" + i + "]");
    }
  }

  @Test
  void interpretUsesTheReferenceInterpreterAndAgreesWithGeneratedCode() throws IOException {
    Cli.Result generated = Cli.run("check", Cli.example("pot4"), "--at", "0.7,-1.2", "--json");
    Cli.Result interpreted = Cli.run("check", Cli.example("pot4"), "--at", "0.7,-1.2", "--json", "--interpret");
    assertEquals(0, generated.code(), generated.toString());
    assertEquals(0, interpreted.code(), interpreted.toString());
    JsonNode g = JSON.readTree(generated.lastOutLine());
    JsonNode i = JSON.readTree(interpreted.lastOutLine());
    for (String key : List.of("potential", "logp")) {
      assertEquals(i.get(key).asDouble(), g.get(key).asDouble(), 1e-12 * Math.abs(i.get(key).asDouble()), key);
    }
    assertEquals(i.get("gradient"), g.get("gradient"), "the same gradient, bit for bit");
    // the reference value itself, to the last digit, from the interpreter
    Cli.Result reference = Cli.run("check", Cli.example("pot1"), "--at", "2.0,0.3", "--json", "--interpret");
    assertEquals(POT1_AT_2_03, JSON.readTree(reference.lastOutLine()).get("potential").asDouble());
  }

  private static double logpAt(double[] z) throws IOException {
    Cli.Result r = Cli.run("check", Cli.example("pot1"), "--at=" + z[0] + "," + z[1], "--json");
    return JSON.readTree(r.lastOutLine()).get("logp").asDouble();
  }

  @Test
  void jsonWithoutAtDescribesTheModel() throws IOException {
    Cli.Result r = Cli.run("check", Cli.example("kitchen_sink"), "--json");
    assertEquals(0, r.code(), r.toString());
    assertEquals("{\"model\":\"kitchen_sink\",\"dimension\":4,\"parameters\":[\"x[0]\",\"x[1]\",\"x[2]\",\"s\"],"
        + "\"potential_terms\":2,\"logp_terms\":3}", r.lastOutLine());
    JsonNode json = JSON.readTree(r.lastOutLine());
    assertEquals(List.of("model", "dimension", "parameters", "potential_terms", "logp_terms"), fieldNames(json));
  }

  @Test
  void jsonListsEveryElementOfALargeModel() throws IOException {
    Cli.Result r = Cli.run("check", Cli.example("normal100"), "--json");
    assertEquals(0, r.code(), r.toString());
    JsonNode parameters = JSON.readTree(r.lastOutLine()).get("parameters");
    assertEquals(100, parameters.size());
    assertEquals("z[99]", parameters.get(99).asText());
  }

  @Test
  void largeVectorsAreElidedInTheMiddle() {
    Cli.Result r = Cli.run("check", Cli.example("normal100"));
    assertEquals(0, r.code(), r.toString());
    assertEquals("parameters: z[0], z[1], ..., z[99] (dimension 100)", r.outLines().get(1));
  }

  @Test
  void normal100AtAPoint() {
    String point = IntStream.range(0, 100).mapToObj(i -> "1").collect(Collectors.joining(","));
    Cli.Result r = Cli.run("check", Cli.example("normal100"), "--at", point);
    assertEquals(0, r.code(), r.toString());
    assertEquals("potential: 50.0", r.outLines().get(3));
    assertEquals("logp: -50.0", r.outLines().get(4));
  }

  @Test
  void scalarAndVectorParametersAndLogpTerms() {
    Cli.Result r = Cli.run("check", Cli.example("kitchen_sink"), "--at", "0.1,-0.2,0.3,0.5");
    assertEquals(0, r.code(), r.toString());
    assertEquals("parameters: x[0], x[1], x[2], s (dimension 4)", r.outLines().get(1));
    assertEquals("contributions: 2 potential, 3 logp", r.outLines().get(2));
    double potential = Double.parseDouble(r.outLines().get(3).substring("potential: ".length()));
    double logp = Double.parseDouble(r.outLines().get(4).substring("logp: ".length()));
    assertTrue(Double.isFinite(potential), r.toString());
    assertEquals(-potential, logp, r.toString());
  }

  @ParameterizedTest
  @ValueSource(strings = {"pot1", "pot2", "pot3", "pot4", "normal100", "kitchen_sink"})
  void everyExampleChecks(String name) {
    Cli.Result r = Cli.run("check", Cli.example(name));
    assertEquals(0, r.code(), r.toString());
    assertEquals("model " + name, r.outLines().get(0));
    assertEquals("", r.err());
  }

  @Test
  void negativeFirstValueInEveryForm() {
    String expected = null;
    for (String[] args : new String[][] {
        {"check", Cli.example("pot1"), "--at", "-1.5,2"},
        {"check", Cli.example("pot1"), "--at=-1.5,2"},
        {"check", "--at", "-1.5,2", Cli.example("pot1")},
        {"check", Cli.example("pot1"), "--at", "-1.5, 2"}}) {
      Cli.Result r = Cli.run(args);
      assertEquals(0, r.code(), r.toString());
      String potential = r.outLines().get(3);
      assertTrue(potential.startsWith("potential: "), r.toString());
      if (expected == null) {
        expected = potential;
      }
      assertEquals(expected, potential, String.join(" ", args));
    }
    assertTrue(Double.parseDouble(expected.substring("potential: ".length())) > 0, expected);
  }

  @Test
  void everyPlainDecimalForm() throws IOException {
    // U(a, b) = a + 10 b, so the printed value shows how each number was read.
    Path model = write("lin.flow", "model lin { param a; param b; potential a + 10 * b; }");
    Object[][] cases = {{"-1,2.5", 24.0}, {".5,1e-3", 0.51}, {"+2,-.5", -3.0}, {"1.,1E1", 101.0}, {"0,0", 0.0}};
    for (Object[] c : cases) {
      Cli.Result r = Cli.run("check", model.toString(), "--at", (String) c[0], "--json");
      assertEquals(0, r.code(), r.toString());
      assertClose((Double) c[1], JSON.readTree(r.lastOutLine()).get("potential").asDouble(), (String) c[0]);
    }
  }

  @Test
  void nonFiniteValuesAreJsonStrings() throws IOException {
    Path model = write("log.flow", "model lg { param z; potential log(z); }");
    Cli.Result nan = Cli.run("check", model.toString(), "--at", "-1", "--json");
    assertEquals(0, nan.code(), nan.toString());
    assertEquals("{\"model\":\"lg\",\"dimension\":1,\"potential\":\"NaN\",\"logp\":\"NaN\",\"gradient\":[1.0]}", nan.lastOutLine());
    Cli.Result inf = Cli.run("check", model.toString(), "--at", "0", "--json");
    assertEquals("{\"model\":\"lg\",\"dimension\":1,\"potential\":\"-Infinity\",\"logp\":\"Infinity\",\"gradient\":[\"-Infinity\"]}", inf.lastOutLine());
    Cli.Result text = Cli.run("check", model.toString(), "--at", "0");
    assertEquals(List.of("potential: -Infinity", "logp: Infinity"), text.outLines().subList(3, 5));
  }

  @Test
  void byteOrderMarkIsIgnored(@TempDir Path tmp) throws IOException {
    Path model = tmp.resolve("bom.flow");
    byte[] text = "model bom {\n  param z;\n  potential z^2;\n}\n".getBytes(StandardCharsets.UTF_8);
    byte[] bytes = new byte[text.length + 3];
    bytes[0] = (byte) 0xEF;
    bytes[1] = (byte) 0xBB;
    bytes[2] = (byte) 0xBF;
    System.arraycopy(text, 0, bytes, 3, text.length);
    Files.write(model, bytes);
    Cli.Result r = Cli.run("check", model.toString(), "--at", "3");
    assertEquals(0, r.code(), r.toString());
    assertEquals(List.of("model bom", "parameters: z (dimension 1)", "contributions: 1 potential, 0 logp",
        "potential: 9.0", "logp: -9.0", "gradient: [-6.0]"), r.outLines());
  }

  @Test
  void nonAsciiCommentsAndCrLfLineEnds() throws IOException {
    Path model = write("crlf.flow", "// Größe — ∑ ok\r\nmodel crlf {\r\n  param z[2];\r\n  potential sum(z);\r\n}\r\n");
    Cli.Result r = Cli.run("check", model.toString(), "--at", "1,2");
    assertEquals(0, r.code(), r.toString());
    assertEquals("potential: 3.0", r.outLines().get(3));
  }

  @Test
  void deepModelsAreEvaluatedOrRefusedCleanly() throws IOException {
    // A left-deep chain of n additions nests n levels: up to the front end's limit it is
    // evaluated, beyond it refused with a diagnostic (never a StackOverflowError).
    String sum = String.join(" + ", java.util.Collections.nCopies(999, "z"));
    Path model = write("deep.flow", "model deep {\n  param z;\n  potential " + sum + ";\n}\n");
    Cli.Result r = Cli.run("check", model.toString(), "--at", "1", "--json");
    assertEquals(0, r.code(), r.toString());
    assertEquals("{\"model\":\"deep\",\"dimension\":1,\"potential\":999.0,\"logp\":-999.0,\"gradient\":[-999.0]}", r.lastOutLine());

    String tooDeep = String.join(" + ", java.util.Collections.nCopies(50_000, "z"));
    Path refused = write("deeper.flow", "model deep {\n  param z;\n  potential " + tooDeep + ";\n}\n");
    Cli.Result failed = Cli.run("check", refused.toString(), "--at", "1");
    assertEquals(2, failed.code(), failed.toString());
    assertTrue(failed.err().contains("deeper.flow:3:13: expression is nested too deeply"), failed.toString());
    assertFalse(failed.err().contains("at io.flowc"), failed.toString());
  }

  @Test
  void modelsWithManyParametersAreSummarized() throws IOException {
    StringBuilder text = new StringBuilder("model many {\n");
    for (int i = 0; i < 30; i++) {
      text.append("  param p").append(i).append(";\n");
    }
    text.append("  param v[8];\n  potential p0 + sum(v);\n}\n");
    Cli.Result r = Cli.run("check", write("many.flow", text.toString()).toString());
    assertEquals(0, r.code(), r.toString());
    String parameters = r.outLines().get(1);
    assertTrue(parameters.startsWith("parameters: p0, p1, "), parameters);
    assertTrue(parameters.endsWith(", ..., v[1], ..., v[7] (dimension 38)"), parameters);
  }
}
