package io.flowc.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** The small pieces the commands are made of. */
class PartsTest {

  @Test
  void coordinatesAcceptPlainDecimals() {
    assertArrayEquals(new double[] {-1, 2.5, 0.5, 1e-3, 1.0, 3, -0.25, 1e10},
        Coordinates.parse("--at", "-1,2.5,.5,1e-3,1.,+3,-.25,1E+10"), 0);
    assertArrayEquals(new double[] {2.0, 0.3}, Coordinates.parse("--at", " 2.0 , 0.3 "), 0);
    assertArrayEquals(new double[] {7}, Coordinates.parse("--at", "7"), 0);
  }

  @Test
  void coordinatesRefuseJavaOnlyForms() {
    for (String bad : List.of("0x1p3", "1d", "2f", "NaN", "Infinity", "1 2", "1;2", "١")) {
      UserException e = assertThrows(UserException.class, () -> Coordinates.parse("--at", bad));
      assertEquals(true, e.getMessage().contains("is not a number"), e.getMessage());
    }
  }

  @Test
  void coordinateMessagesForASingleValueOmitThePosition() {
    UserException e = assertThrows(UserException.class, () -> Coordinates.parse("--at", "x"));
    assertEquals("--at: 'x' is not a number; write plain decimals such as -1, 2.5, .5 or 1e-3", e.getMessage());
  }

  @Test
  void shortListsAreShownWhole() {
    assertEquals("a, b, c", Elements.describe(List.of("a", "b", "c")));
  }

  @Test
  void longListsKeepTheirEnds() {
    List<String> names = IntStream.range(0, 50).mapToObj(i -> "p" + i).collect(Collectors.toList());
    String shown = Elements.describe(names);
    assertEquals(true, shown.startsWith("p0, p1, p2, "), shown);
    assertEquals(true, shown.endsWith(", p15, ..., p47, p48, p49"), shown);
  }

  @Test
  void decodeDropsTheByteOrderMarkOnlyAtTheStart() {
    byte[] bom = {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF, 'a', (byte) 0xEF, (byte) 0xBB, (byte) 0xBF};
    assertEquals("a\uFEFF", ModelFiles.decode("f", bom));
    assertEquals("", ModelFiles.decode("f", new byte[] {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF}));
    assertEquals("", ModelFiles.decode("f", new byte[0]));
    assertEquals("\u00e9\u20ac\uD83D\uDE00", ModelFiles.decode("f", "\u00e9\u20ac\uD83D\uDE00".getBytes(StandardCharsets.UTF_8)));
  }

  @Test
  void decodeReportsTheFirstBadByteAndItsLine() {
    UserException e = assertThrows(UserException.class,
        () -> ModelFiles.decode("m.flow", new byte[] {'a', '\r', '\n', 'b', '\r', 'c', (byte) 0xC0, (byte) 0x80}));
    assertEquals("m.flow: not a UTF-8 text file: invalid byte 0xC0 at byte offset 6 (line 3); save the model as UTF-8",
        e.getMessage());
    // an encoded surrogate (CESU-8) is not UTF-8 either
    UserException surrogate = assertThrows(UserException.class,
        () -> ModelFiles.decode("m.flow", new byte[] {(byte) 0xED, (byte) 0xA0, (byte) 0x80}));
    assertEquals(true, surrogate.getMessage().contains("at byte offset 0 (line 1)"), surrogate.getMessage());
  }

  @Test
  void jsonNumbers() {
    var node = Json.object();
    Json.putNumber(node, "a", 0.1);
    Json.putNumber(node, "b", -0.0);
    Json.putNumber(node, "c", Double.NaN);
    Json.putNumber(node, "d", Double.POSITIVE_INFINITY);
    Json.putNumber(node, "e", Double.NEGATIVE_INFINITY);
    Json.putNumber(node, "f", 1e300);
    Json.putNumber(node, "g", Double.MIN_VALUE);
    assertEquals("{\"a\":0.1,\"b\":-0.0,\"c\":\"NaN\",\"d\":\"Infinity\",\"e\":\"-Infinity\",\"f\":1.0E300,\"g\":4.9E-324}",
        Json.line(node));
  }
}
