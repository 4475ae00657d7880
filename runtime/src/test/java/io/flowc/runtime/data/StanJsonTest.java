package io.flowc.runtime.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import org.junit.jupiter.api.Test;

/** What the data reader accepts, what it keeps for later, and where it stops. */
class StanJsonTest {
  private static DataLayout.Variable real(String name, int... dims) {
    return new DataLayout.Variable(name, false, dims, 0);
  }

  private static DataLayout.Variable integer(String name, int... dims) {
    return new DataLayout.Variable(name, true, dims, 0);
  }

  @Test
  void membersOfAnyJsonKindAreIgnoredUnlessDeclared() {
    DataSet d = StanJson.parse("""
        {"N": 2,
         "flag": true, "off": false, "none": null,
         "s": "a \\"quoted\\" word \\u00e9\\n", "o": {"a": [1, {"b": null}], "c": "x"},
         "ragged": [[1, 2], [3]], "mixed": [1, "x"], "objects": [{"a": 1}]}
        """, "d.json");
    assertArrayEquals(new double[] {2}, d.get("N").elements());
    for (String name : List.of("flag", "off", "none", "s", "o", "ragged", "mixed", "objects")) {
      assertNull(d.get(name), name);
      assertTrue(d.unusable(name) != null, name);
    }
    assertEquals("'flag' in d.json:2:10 is true, not a number (the model declares int flag)",
        DataLayout.problem(integer("flag"), d));
    assertEquals("'ragged' in d.json:4:21 is not rectangular: rows of 2 and 1 elements (the model declares real ragged[2, 2])",
        DataLayout.problem(real("ragged", 2, 2), d));
    assertEquals("'mixed' in d.json:4:40 holds the string \"x\" where a number was expected (the model declares real mixed[2])",
        DataLayout.problem(real("mixed", 2), d));
    assertTrue(DataLayout.problem(real("o"), d).startsWith("'o' in d.json:3:42 is an object"),
        DataLayout.problem(real("o"), d));
  }

  @Test
  void aByteOrderMarkIsDropped() {
    assertArrayEquals(new double[] {3}, StanJson.parse("\uFEFF{\"N\": 3}", "d.json").get("N").elements());
  }

  @Test
  void infinityAndNanAreSpelledAsStanAndCmdStanSpellThem() {
    String[] positive = {"\"Inf\"", "\"inf\"", "\"+inf\"", "\"Infinity\"", "\"INFINITY\"", "Infinity", "Inf"};
    String[] negative = {"\"-Inf\"", "\"-inf\"", "\"-Infinity\"", "\"-infinity\"", "-Infinity", "-Inf"};
    String[] nan = {"\"NaN\"", "\"nan\"", "\"NAN\"", "NaN"};
    for (String s : positive) {
      assertEquals(Double.POSITIVE_INFINITY, StanJson.parse("{\"x\": " + s + "}", "d.json").get("x").elements()[0], s);
    }
    for (String s : negative) {
      assertEquals(Double.NEGATIVE_INFINITY, StanJson.parse("{\"x\": [" + s + "]}", "d.json").get("x").elements()[0], s);
    }
    for (String s : nan) {
      assertTrue(Double.isNaN(StanJson.parse("{\"x\": " + s + "}", "d.json").get("x").elements()[0]), s);
    }
    assertTrue(StanJson.parse("{\"x\": \"infinite\"}", "d.json").unusable("x").contains("the string \"infinite\""));
    assertTrue(assertThrows(DataException.class, () -> StanJson.parse("{\"x\": 0x1p3}", "d.json")).getMessage()
        .contains("'0x1p3' is not a number"));
  }

  @Test
  void aNumberBeyondTheRangeOfADoubleIsRefusedWithItsPlace() {
    DataSet d = StanJson.parse("{\"N\": 2,\n \"y\": [1, 1e999], \"z\": -1e400}", "d.json");
    assertEquals("'y' in d.json:2:11 holds the number 1e999, too large for a double (write \"Infinity\" for an infinite "
        + "value) (the model declares real y[2])", DataLayout.problem(real("y", 2), d));
    assertTrue(d.unusable("z").startsWith("'z' in d.json:2:24 holds the number -1e400"), d.unusable("z"));
    assertEquals(0.0, StanJson.parse("{\"tiny\": 1e-400}", "d.json").get("tiny").elements()[0]);
  }

  @Test
  void integersBeyondTheRangeOfAnIntAreRefusedByValue() {
    DataSet d = StanJson.parse("{\"J\": 4294967300, \"k\": [1, -2147483649], \"ok\": [2147483647, -2147483648]}", "d.json");
    assertEquals("'J' is 4294967300 in d.json, beyond the range of a data int (-2147483648..2147483647)",
        DataLayout.problem(integer("J"), d));
    assertEquals("'k' holds -2147483649 at element 1 in d.json, beyond the range of a data int (-2147483648..2147483647)",
        DataLayout.problem(integer("k", 2), d));
    assertNull(DataLayout.problem(integer("ok", 2), d));
    // a size the model was compiled with is compared only once the value is known to be an int
    assertTrue(DataLayout.problem(integer("J").asSize(4), d).contains("beyond the range of a data int"));
  }

  @Test
  void deepNestingStopsWithAShortMessage() {
    int depth = 100_000;
    String text = "{\"y\": " + "[".repeat(depth) + "]".repeat(depth) + "}";
    DataException e = assertThrows(DataException.class, () -> StanJson.parse(text, "d.json"));
    assertEquals("d.json:1:108: 'y' nests arrays or objects more than 100 deep", e.getMessage());
    String within = "{\"y\": " + "[".repeat(StanJson.MAX_DEPTH) + "1" + "]".repeat(StanJson.MAX_DEPTH) + "}";
    assertEquals("an array of 100 dimensions", StanJson.parse(within, "d.json").get("y").describe());
  }

  /** An endless stream of one byte, counting what is read from it. */
  private static final class Endless extends InputStream {
    final int value;
    long read;

    Endless(int value) {
      this.value = value;
    }

    @Override
    public int read() {
      read++;
      return value;
    }
  }

  @Test
  void anEndlessStreamIsReadOnlyToItsFirstBadByte() throws IOException {
    Endless zeros = new Endless(0);
    DataException e = assertThrows(DataException.class, () -> StanJson.read(zeros, "/dev/zero"));
    assertEquals("/dev/zero:1:1: expected '{' (the data are one JSON object), found byte 0x00", e.getMessage());
    assertTrue(zeros.read <= 1 << 16, zeros.read + " bytes read");
    Endless ones = new Endless('1');
    try (InputStream in = new java.io.SequenceInputStream(
        new java.io.ByteArrayInputStream("{\"x\": [1, \"a\0".getBytes(java.nio.charset.StandardCharsets.UTF_8)), ones)) {
      assertEquals("s:1:13: unescaped control character (byte 0x00) in a string",
          assertThrows(DataException.class, () -> StanJson.read(in, "s")).getMessage());
    }
    assertTrue(ones.read < 1 << 16, ones.read + " bytes read");
  }

  @Test
  void escapesAreReadInNames() {
    DataSet d = StanJson.parse("{\"a\\u0062\": 1, \"\\u00e9\": 2, \"\\u00e8\": 3}", "d.json");
    assertArrayEquals(new double[] {1}, d.get("ab").elements());
    assertArrayEquals(new double[] {2}, d.get("é").elements());
    assertArrayEquals(new double[] {3}, d.get("è").elements());
  }

  /**
   * Numbers in every form a program writes them (short and 17-digit decimals and exponents, which
   * the reader reads from its bytes, and up to 20 decimals, which it leaves to a token and
   * {@code parseDouble}; leading and negative zeros), in a document
   * long enough that some straddle the reader's 64 KB buffers: each the double {@link
   * Double#parseDouble} gives, bit for bit, and a syntax error after a number still found where it
   * is.
   */
  @Test
  void everyNumberIsTheDoubleParseDoubleGivesWhateverItsForm() {
    java.util.SplittableRandom random = new java.util.SplittableRandom(11);
    List<String> numbers = new java.util.ArrayList<>();
    for (int k = 0; k < 40_000; k++) {
      double x = random.nextGaussian() * Math.pow(10, random.nextInt(-12, 12));
      String text = switch (k % 8) {
        case 0 -> String.format(java.util.Locale.ROOT, "%.6f", x);
        case 1 -> Double.toString(x);
        case 2 -> String.format(java.util.Locale.ROOT, "%." + random.nextInt(0, 20) + "f", x);
        case 3 -> Long.toString(random.nextLong(-1_000_000_000_000_000L, 1_000_000_000_000_000L) >> random.nextInt(0, 60));
        case 4 -> String.format(java.util.Locale.ROOT, "%.3e", x);
        case 5 -> (random.nextBoolean() ? "-" : "") + "0." + "0".repeat(random.nextInt(0, 25)) + random.nextInt(1, 1000);
        case 6 -> random.nextBoolean() ? "-0" : random.nextBoolean() ? "-0.000" : "0.0";
        default -> String.format(java.util.Locale.ROOT, "%.15g", x).trim();
      };
      numbers.add(text);
    }
    DataSet d = StanJson.parse("{\"x\": [" + String.join(", ", numbers) + "]}", "d.json");
    double[] read = d.get("x").elements();
    assertEquals(numbers.size(), read.length);
    for (int k = 0; k < read.length; k++) {
      assertEquals(Double.doubleToRawLongBits(Double.parseDouble(numbers.get(k))), Double.doubleToRawLongBits(read[k]),
          numbers.get(k));
    }
    DataException e = assertThrows(DataException.class, () -> StanJson.parse("{\"x\": [1.25, 3.5x]}", "d.json"));
    assertEquals("d.json:1:14: 'x': '3.5x' is not a number", e.getMessage());
    e = assertThrows(DataException.class, () -> StanJson.parse("{\"x\": [1.25 2]}", "d.json"));
    assertEquals("d.json:1:13: expected ',' or ']', found '2'", e.getMessage());
  }
}
