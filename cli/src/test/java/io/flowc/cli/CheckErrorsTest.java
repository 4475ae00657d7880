package io.flowc.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Every user error of {@code flowc check}: exit code 2, one clear message, no stack trace. */
class CheckErrorsTest {
  @TempDir
  Path dir;

  /** Asserts a user error whose stderr is exactly one line, and nothing on stdout. */
  private static String assertOneLineUserError(Cli.Result r) {
    assertEquals(2, r.code(), r.toString());
    assertEquals("", r.out(), r.toString());
    assertEquals(1, r.errLines().size(), r.toString());
    String line = r.errLines().get(0);
    assertTrue(line.startsWith("error: "), r.toString());
    Cli.assertNoStackTrace(r);
    return line;
  }

  /** Asserts a command-line error: picocli's message after 'error: ', then a hint to the help. */
  private static String assertUsageError(Cli.Result r, String command) {
    assertEquals(2, r.code(), r.toString());
    assertEquals("", r.out(), r.toString());
    assertEquals(2, r.errLines().size(), r.toString());
    assertTrue(r.errLines().get(0).startsWith("error: "), r.toString());
    assertTrue(r.errLines().get(1).endsWith("Run '" + command + " --help' for usage."), r.toString());
    Cli.assertNoStackTrace(r);
    return r.errLines().get(0);
  }

  private Path write(String name, String text) throws IOException {
    return Files.writeString(dir.resolve(name), text, StandardCharsets.UTF_8);
  }

  // ---- files --------------------------------------------------------------------------------

  @Test
  void missingFile() {
    String missing = dir.resolve("nope.flow").toString();
    assertEquals("error: " + missing + ": no such file", assertOneLineUserError(Cli.run("check", missing)));
  }

  @Test
  void missingFileUnderAMissingDirectory() {
    assertEquals("error: no/such/dir/m.flow: no such file", assertOneLineUserError(Cli.run("check", "no/such/dir/m.flow")));
  }

  @Test
  void directory() {
    String line = assertOneLineUserError(Cli.run("check", dir.toString()));
    assertEquals("error: " + dir + ": is a directory, not a model file", line);
  }

  @Test
  void emptyFileName() {
    assertEquals("error: the model file name is empty", assertOneLineUserError(Cli.run("check", "")));
  }

  @Test
  void unreadableFile() throws IOException {
    Path model = write("secret.flow", "model m { param z; potential z; }");
    try {
      Files.setPosixFilePermissions(model, PosixFilePermissions.fromString("---------"));
    } catch (UnsupportedOperationException e) {
      assumeFalse(true, "no POSIX permissions here");
    }
    assumeFalse(Files.isReadable(model), "running as a user who reads everything (root)");
    assertEquals("error: " + model + ": permission denied", assertOneLineUserError(Cli.run("check", model.toString())));
  }

  @Test
  void nonUtf8FileNamesTheByteOffset() throws IOException {
    Path model = dir.resolve("latin1.flow");
    // "é" in ISO-8859-1 is the lone byte 0xE9, at offset 10 + 17 = 27 on line 2
    Files.write(model, "model m {\n  param z; // caf\u00e9\n  potential z;\n}\n".getBytes(StandardCharsets.ISO_8859_1));
    String line = assertOneLineUserError(Cli.run("check", model.toString()));
    assertEquals("error: " + model + ": not a UTF-8 text file: invalid byte 0xE9 at byte offset 27 (line 2);"
        + " save the model as UTF-8", line);
  }

  @Test
  void truncatedUtf8SequenceAtTheEnd() throws IOException {
    Path model = dir.resolve("cut.flow");
    byte[] text = "model m { param z; potential z; }\n".getBytes(StandardCharsets.UTF_8);
    byte[] bytes = java.util.Arrays.copyOf(text, text.length + 2);
    bytes[text.length] = (byte) 0xE2; // the first two bytes of a three-byte character
    bytes[text.length + 1] = (byte) 0x82;
    Files.write(model, bytes);
    String line = assertOneLineUserError(Cli.run("check", model.toString()));
    assertTrue(line.contains("invalid bytes 0xE2 0x82 at byte offset " + text.length + " (line 2)"), line);
  }

  @Test
  void byteOrderMarkDoesNotShiftColumns() throws IOException {
    Path model = dir.resolve("bom.flow");
    byte[] text = "model m { param z; potential y; }".getBytes(StandardCharsets.UTF_8);
    byte[] bytes = new byte[text.length + 3];
    bytes[0] = (byte) 0xEF;
    bytes[1] = (byte) 0xBB;
    bytes[2] = (byte) 0xBF;
    System.arraycopy(text, 0, bytes, 3, text.length);
    Files.write(model, bytes);
    Cli.Result r = Cli.run("check", model.toString());
    assertEquals(2, r.code(), r.toString());
    assertEquals("error: " + model + ":1:30: 'y' is not declared", r.errLines().get(0));
    assertEquals("    model m { param z; potential y; }", r.errLines().get(1));
  }

  // ---- model errors -------------------------------------------------------------------------

  @Test
  void everyModelErrorIsShownWithItsSourceLineAndCaret() throws IOException {
    Path model = write("two.flow", "model m {\n  param z[2];\n  potential y + 1;\n  potential sqr(z[0]);\n}\n");
    Cli.Result r = Cli.run("check", model.toString());
    assertEquals(2, r.code(), r.toString());
    assertEquals("", r.out());
    assertEquals(List.of(
        "error: " + model + ":3:13: 'y' is not declared",
        "      potential y + 1;",
        "                ^",
        "error: " + model + ":4:13: unknown function 'sqr' (did you mean 'sqrt'?)",
        "      potential sqr(z[0]);",
        "                ^~~",
        "2 errors"), r.errLines());
    Cli.assertNoStackTrace(r);
  }

  @Test
  void oneModelErrorSaysOneError() throws IOException {
    Path model = write("one.flow", "model m {\n  param z;\n  potential z +;\n}\n");
    Cli.Result r = Cli.run("check", model.toString(), "--at", "1", "--json");
    assertEquals(2, r.code(), r.toString());
    assertEquals("", r.out());
    assertTrue(r.errLines().get(0).startsWith("error: " + model + ":3:"), r.toString());
    assertEquals("1 error", r.errLines().get(r.errLines().size() - 1));
    Cli.assertNoStackTrace(r);
  }

  @Test
  void emptyFileIsAModelError() throws IOException {
    Path model = write("empty.flow", "");
    Cli.Result r = Cli.run("check", model.toString());
    assertEquals(2, r.code(), r.toString());
    assertTrue(r.errLines().get(0).startsWith("error: " + model + ":1:1: "), r.toString());
    assertEquals("1 error", r.errLines().get(r.errLines().size() - 1));
  }

  @Test
  void binaryGarbageIsAModelErrorNotACrash() throws IOException {
    Path model = dir.resolve("garbage.flow");
    byte[] bytes = new byte[256];
    for (int i = 0; i < 128; i++) {
      bytes[i] = (byte) i; // every ASCII control and printable character: valid UTF-8
      bytes[128 + i] = (byte) (127 - i);
    }
    Files.write(model, bytes);
    Cli.Result r = Cli.run("check", model.toString());
    assertEquals(2, r.code(), r.toString());
    assertTrue(r.errLines().get(0).startsWith("error: " + model + ":"), r.toString());
    Cli.assertNoStackTrace(r);
  }

  @Test
  void aLongSourceLineIsClippedAroundTheCaret() throws IOException {
    String line = "  potential sum([" + "z, ".repeat(30_000) + "q, " + "z, ".repeat(30_000) + "0]);";
    Path model = write("long.flow", "model m {\n  param z;\n" + line + "\n}\n");
    Cli.Result r = Cli.run("check", model.toString());
    assertEquals(2, r.code(), r.toString());
    assertTrue(r.err().length() < 600, r.err().length() + " characters");
    List<String> lines = r.errLines();
    int at = lines.get(2).indexOf('^');
    assertEquals('q', lines.get(1).charAt(at), r.toString());
  }

  @Test
  void deeplyBracketedModelIsAModelError() throws IOException {
    Path model = write("brackets.flow", "model m { param z; potential " + "(".repeat(5000) + "z" + ")".repeat(5000) + "; }");
    Cli.Result r = Cli.run("check", model.toString());
    assertEquals(2, r.code(), r.toString());
    assertTrue(r.errLines().get(0).contains("nested too deeply"), r.toString());
    Cli.assertNoStackTrace(r);
  }

  // ---- --at -------------------------------------------------------------------------------

  @Test
  void tooManyCoordinatesNameTheDimensionAndElements() {
    String line = assertOneLineUserError(Cli.run("check", Cli.example("pot1"), "--at", "1,2,3"));
    assertEquals("error: --at has 3 values but model 'pot1' has dimension 2: z[0], z[1]"
        + " (one value per element, in declaration order)", line);
  }

  @Test
  void tooFewCoordinates() {
    String line = assertOneLineUserError(Cli.run("check", Cli.example("kitchen_sink"), "--at", "1"));
    assertTrue(line.startsWith("error: --at has 1 value but model 'kitchen_sink' has dimension 4: x[0], x[1], x[2], s"), line);
  }

  @Test
  void wrongCountForALargeModelElidesTheElements() {
    String line = assertOneLineUserError(Cli.run("check", Cli.example("normal100"), "--at", "1,2"));
    assertTrue(line.contains("has dimension 100: z[0], z[1], ..., z[99]"), line);
  }

  @ParameterizedTest
  @ValueSource(strings = {"0x1p3", "1d", "1f", "NaN", "Infinity", "-Infinity", "abc", "1_000", "1e", "e3", "--1",
      "1.2.3", "1,5e", "\u0661", "+", "-", "."})
  void nonNumbersAreRefused(String value) {
    String at = value.contains(",") ? value : value + ",0";
    String line = assertOneLineUserError(Cli.run("check", Cli.example("pot1"), "--at=" + at));
    assertTrue(line.startsWith("error: --at: '"), line);
    assertTrue(line.contains("' is not a number"), line);
    assertTrue(line.contains("plain decimals such as -1, 2.5, .5 or 1e-3"), line);
  }

  @Test
  void theBadValueIsNamed() {
    String line = assertOneLineUserError(Cli.run("check", Cli.example("pot1"), "--at", "2.0,0x1p3"));
    assertEquals("error: --at: '0x1p3' is not a number (value 2 of '2.0,0x1p3');"
        + " write plain decimals such as -1, 2.5, .5 or 1e-3", line);
  }

  @Test
  void numberSyntaxIsCheckedBeforeTheFile() {
    String line = assertOneLineUserError(Cli.run("check", "missing.flow", "--at", "x"));
    assertTrue(line.startsWith("error: --at: 'x' is not a number"), line);
  }

  @ParameterizedTest
  @ValueSource(strings = {"1,,2", "1,2,", ",1,2"})
  void emptyValues(String at) {
    String line = assertOneLineUserError(Cli.run("check", Cli.example("pot1"), "--at", at));
    assertTrue(line.startsWith("error: --at: empty value (value "), line);
  }

  @Test
  void emptyList() {
    String line = assertOneLineUserError(Cli.run("check", Cli.example("pot1"), "--at", ""));
    assertEquals("error: --at needs a comma-separated list of numbers, e.g. --at 2.0,0.3", line);
  }

  @Test
  void valueBeyondTheDoubles() {
    String line = assertOneLineUserError(Cli.run("check", Cli.example("pot1"), "--at", "1e999,0"));
    assertEquals("error: --at: '1e999' is too large for a double (value 1 of '1e999,0')", line);
  }

  // ---- picocli's errors ---------------------------------------------------------------------

  @Test
  void missingModelArgument() {
    String line = assertUsageError(Cli.run("check"), "flowc check");
    assertEquals("error: Missing required parameter: 'MODEL.flow|ARTIFACT.jar'", line);
  }

  @Test
  void missingAtValue() {
    String line = assertUsageError(Cli.run("check", Cli.example("pot1"), "--at"), "flowc check");
    assertTrue(line.contains("--at"), line);
  }

  @Test
  void unknownOption() {
    String line = assertUsageError(Cli.run("check", Cli.example("pot1"), "--bogus"), "flowc check");
    assertEquals("error: Unknown option: '--bogus'", line);
  }

  @Test
  void twoModelFiles() {
    String line = assertUsageError(Cli.run("check", Cli.example("pot1"), Cli.example("pot2")), "flowc check");
    assertTrue(line.contains("pot2.flow"), line);
  }

  @Test
  void atTwice() {
    String line = assertUsageError(Cli.run("check", Cli.example("pot1"), "--at", "1,2", "--at", "3,4"), "flowc check");
    assertTrue(line.contains("--at") && line.contains("only once"), line);
  }
}
