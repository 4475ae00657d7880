package io.flowc.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.flowc.runtime.Artifact;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Enumeration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Artifacts changed after compilation, by accident or by mixing up two of them, are refused with
 * exit 2 and one line naming what differs; artifacts are written like any other output file.
 */
class ArtifactIntegrityTest {
  private static final String MODEL_CLASS = "io/flowc/artifact/Model_pot1.class";
  private static final String FLOW_CLASS = "io/flowc/artifact/Model_pot1_Flow0.class";

  @TempDir
  Path tmp;

  private Path compile(String name, String... more) {
    Path jar = tmp.resolve(name + ".jar");
    List<String> args = new java.util.ArrayList<>(List.of("compile", Cli.example("pot1"), "-o", jar.toString()));
    args.addAll(List.of(more));
    Cli.Result r = Cli.run(args.toArray(String[]::new));
    assertEquals(0, r.code(), r.toString());
    return jar;
  }

  private static Map<String, byte[]> read(Path jar) throws IOException {
    Map<String, byte[]> entries = new LinkedHashMap<>();
    try (ZipFile zip = new ZipFile(jar.toFile())) {
      for (Enumeration<? extends ZipEntry> all = zip.entries(); all.hasMoreElements(); ) {
        ZipEntry e = all.nextElement();
        try (InputStream in = zip.getInputStream(e)) {
          entries.put(e.getName(), in.readAllBytes());
        }
      }
    }
    return entries;
  }

  private static void write(Path jar, Map<String, byte[]> entries) throws IOException {
    try (OutputStream out = Files.newOutputStream(jar); ZipOutputStream zip = new ZipOutputStream(out)) {
      for (Map.Entry<String, byte[]> e : entries.entrySet()) {
        zip.putNextEntry(new ZipEntry(e.getKey()));
        zip.write(e.getValue());
        zip.closeEntry();
      }
    }
  }

  /** A copy of {@code jar} with one metadata line changed, its digest left as recorded. */
  private Path withMetadata(Path jar, String line, String replacement, boolean redigest) throws IOException {
    Map<String, byte[]> entries = read(jar);
    String text = new String(entries.get(Artifact.METADATA), StandardCharsets.ISO_8859_1);
    assertTrue(text.contains(line + "\n"), "no line " + line + " in\n" + text);
    entries.put(Artifact.METADATA, text.replace(line + "\n", replacement + "\n").getBytes(StandardCharsets.ISO_8859_1));
    if (redigest) {
      redigest(entries);
    }
    Path copy = Files.createTempFile(tmp, "tampered", ".jar");
    write(copy, entries);
    return copy;
  }

  /** Records the digests of the entries as they are now, as a consistent mix-up (or a forger) would. */
  private static void redigest(Map<String, byte[]> entries) {
    entries.remove(Artifact.DIGESTS);
    entries.put(Artifact.DIGESTS, Artifact.digests(entries));
  }

  private static void assertCorrupt(Cli.Result r, Path jar, String what) {
    assertEquals(2, r.code(), r.toString());
    assertEquals(List.of("error: corrupt artifact: " + jar + ": " + what), r.errLines(), r.toString());
    Cli.assertNoStackTrace(r);
  }

  @Test
  void aChangedMetadataValueIsRefused() throws IOException {
    Path jar = compile("pot1");
    Path changed = withMetadata(jar, "dimension=2", "dimension=two", false);
    assertCorrupt(Cli.run("check", changed.toString(), "--at", "1,2"), changed,
        "entry META-INF/flowc/model.properties does not match the SHA-256 recorded at compile time");
  }

  /** With digests that match, each field is still checked: strictly, and against the others. */
  @Test
  void malformedOrInconsistentMetadataIsRefused() throws IOException {
    Path jar = compile("pot1");
    Map<String, String> cases = new LinkedHashMap<>();
    cases.put("dimension=two", "dimension=two is not a whole number in range");
    cases.put("dimension=99999999999", "dimension=99999999999 is out of range");
    cases.put("potential.terms=x", "potential.terms=x is not a whole number in range");
    cases.put("params=z\\:abc", "params=z:abc cannot be read (bad size in 'z:abc')");
    cases.put("params=z\\:1", "params=z:1 has 1 elements, but dimension is 2");
    for (Map.Entry<String, String> c : cases.entrySet()) {
      String key = c.getKey().substring(0, c.getKey().indexOf('='));
      String original = key.equals("params") ? "params=z\\:2" : key.equals("dimension") ? "dimension=2" : key + "=1";
      Path changed = withMetadata(jar, original, c.getKey(), true);
      assertCorrupt(Cli.run("check", changed.toString()), changed, c.getValue());
    }
    // a layout that disagrees with the dimension no longer labels 4-column rows with 3 names
    Path narrow = withMetadata(jar, "params=z\\:2", "params=z\\:1", true);
    Path csv = tmp.resolve("draws.csv");
    Cli.Result sample = Cli.run("sample", narrow.toString(), "--draws", "3", "--tune", "10", "--out", csv.toString());
    assertCorrupt(sample, narrow, "params=z:1 has 1 elements, but dimension is 2");
    assertFalse(Files.exists(csv));
  }

  /**
   * An artifact records each flow's cost (formula.K.cost, what the compiler counted of its kernel),
   * so a fit from it splits its steps as the fit from source does, bit for bit; without that line
   * the fit counts the cost from the artifact's source, and a malformed one is refused.
   */
  @Test
  void aFlowsCostIsRecordedAndChecked() throws Exception {
    Path jar = compile("pot1-planar8", "--flow", "planar*8");
    io.flowc.runtime.nfvi.StepCost cost = Artifact.open(jar).stepCost("planar*8");
    assertEquals(io.flowc.compiler.driver.Compilation.stepCost(io.flowc.compiler.frontend.FrontEnd.check(
        new io.flowc.compiler.diag.SourceFile("pot1", Files.readString(Path.of(Cli.example("pot1"))))),
        io.flowc.compiler.frontend.FlowFormulaParsing.parse("planar*8")), cost);
    String line = "formula.0.cost=" + cost.encode();
    Path without = withMetadata(jar, line, "", true);
    assertEquals(io.flowc.runtime.nfvi.StepCost.UNKNOWN, Artifact.open(without).stepCost("planar*8"));
    List<String> fit = List.of("--flow", "planar*8", "--iters", "50", "--nmc", "100", "--eval-draws", "100", "--json");
    JsonNode fromSource = fitJson(Cli.example("pot1"), fit);
    for (Path artifact : List.of(jar, without)) {
      JsonNode fromJar = fitJson(artifact.toString(), fit);
      assertEquals(2, fromJar.get("step_chunks").asInt(), artifact.toString());
      assertEquals(fromSource.get("parameters"), fromJar.get("parameters"), artifact.toString());
      assertEquals(fromSource.get("final_loss"), fromJar.get("final_loss"), artifact.toString());
    }
    Path malformed = withMetadata(jar, line, "formula.0.cost=468,12", true);
    assertCorrupt(Cli.run("check", malformed.toString()), malformed,
        "formula.0.cost=468,12 cannot be read (expected three whole numbers separated by commas)");
  }

  private static JsonNode fitJson(String model, List<String> options) throws IOException {
    List<String> args = new java.util.ArrayList<>(List.of("fit", model));
    args.addAll(options);
    Cli.Result r = Cli.run(args.toArray(String[]::new));
    assertEquals(0, r.code(), r.toString());
    return new ObjectMapper().readTree(r.lastOutLine());
  }

  @Test
  void aFlippedByteInAFlowClassIsRefused() throws IOException {
    Path jar = compile("pot1-planar", "--flow", "planar");
    Map<String, byte[]> entries = read(jar);
    byte[] flow = entries.get(FLOW_CLASS);
    flow[flow.length / 2] ^= (byte) 0xff;
    Path changed = tmp.resolve("flipped.jar");
    write(changed, entries);
    Cli.Result r = Cli.run("fit", changed.toString(), "--flow", "planar", "--iters", "10");
    assertCorrupt(r, changed, "entry " + FLOW_CLASS + " does not match the SHA-256 recorded at compile time");
  }

  /** Another model of the same name compiles to a class of the same name: swapped in, it must not run. */
  @Test
  void aModelClassFromAnotherArtifactIsRefused() throws IOException {
    Path jar = compile("pot1");
    Path otherSource = tmp.resolve("other.flow");
    Files.writeString(otherSource, "model pot1 { param z[2]; potential 0.5 * (z[0]^2 + z[1]^2); }\n");
    Path other = tmp.resolve("other.jar");
    assertEquals(0, Cli.run("compile", otherSource.toString(), "-o", other.toString()).code());

    Map<String, byte[]> entries = read(jar);
    entries.put(MODEL_CLASS, read(other).get(MODEL_CLASS));
    Path mixed = tmp.resolve("mixed.jar");
    write(mixed, entries);
    assertCorrupt(Cli.run("check", mixed.toString(), "--at", "1,2"), mixed,
        "entry " + MODEL_CLASS + " does not match the SHA-256 recorded at compile time");

    // its digests taken along too: the metadata, which records the other source, no longer matches them
    entries.put(Artifact.DIGESTS, read(other).get(Artifact.DIGESTS));
    write(mixed, entries);
    assertCorrupt(Cli.run("check", mixed.toString(), "--at", "1,2"), mixed,
        "entry META-INF/flowc/model.flow does not match the SHA-256 recorded at compile time");
  }

  /** Zip readers disagree on which of two equal names counts (the class loader took one, the checks another). */
  @Test
  void aDuplicatedEntryIsRefused() throws IOException {
    Path jar = compile("pot1");
    Map<String, byte[]> entries = read(jar);
    String placeholder = MODEL_CLASS.replace(".class", ".clasz");
    entries.put(placeholder, entries.get(MODEL_CLASS).clone());
    Path twice = tmp.resolve("twice.jar");
    write(twice, entries);
    // rename the placeholder (same length) in its local header and in the central directory
    byte[] bytes = Files.readAllBytes(twice);
    byte[] from = placeholder.getBytes(StandardCharsets.US_ASCII);
    byte[] to = MODEL_CLASS.getBytes(StandardCharsets.US_ASCII);
    int renamed = 0;
    for (int i = 0; i + from.length <= bytes.length; i++) {
      if (java.util.Arrays.equals(bytes, i, i + from.length, from, 0, from.length)) {
        System.arraycopy(to, 0, bytes, i, to.length);
        renamed++;
      }
    }
    assertEquals(2, renamed);
    Files.write(twice, bytes);
    assertCorrupt(Cli.run("check", twice.toString(), "--at", "1,2"), twice, "entry " + MODEL_CLASS + " appears twice");
  }

  @Test
  void anArtifactOfTheFormerFormatIsRefusedWithTheRemedy() throws IOException {
    Path jar = compile("pot1");
    Map<String, byte[]> entries = read(jar);
    entries.remove(Artifact.DIGESTS);
    String text = new String(entries.get(Artifact.METADATA), StandardCharsets.ISO_8859_1);
    entries.put(Artifact.METADATA, text.replace("format=" + Artifact.FORMAT, "format=1").getBytes(StandardCharsets.ISO_8859_1));
    Path old = tmp.resolve("old.jar");
    write(old, entries);
    Cli.Result r = Cli.run("check", old.toString());
    assertEquals(2, r.code(), r.toString());
    assertEquals(List.of("error: " + old + ": artifact format 1, but this flowc reads format " + Artifact.FORMAT
        + " only; compile the model again with this version"), r.errLines());
  }

  /** An artifact gets the permissions any new file gets (the umask's), as the CSV outputs do. */
  @Test
  void anArtifactIsCreatedWithTheUsersUmask() throws IOException {
    assumeTrue(FileSystems.getDefault().supportedFileAttributeViews().contains("posix"));
    Path jar = compile("pot1");
    Path plain = Files.createFile(tmp.resolve("plain.txt"));
    assertEquals(Files.getPosixFilePermissions(plain), Files.getPosixFilePermissions(jar));
  }

  @Test
  void aMissingDirectoryIsRefusedBeforeCompiling() throws IOException {
    Path missing = tmp.resolve("a/b/x.jar");
    Cli.Result r = Cli.run("compile", Cli.example("pot1"), "-o", missing.toString());
    assertEquals(2, r.code(), r.toString());
    assertEquals(List.of("error: -o: " + missing + ": no such directory " + missing.getParent()), r.errLines());
    assertFalse(Files.exists(tmp.resolve("a")), "no directory is created");

    Path file = Files.writeString(tmp.resolve("file.txt"), "x");
    Path bad = tmp.resolve("bad.flow");
    Files.writeString(bad, "model m { param z; potential y; }");
    Cli.Result first = Cli.run("compile", bad.toString(), "-o", file.resolve("x.jar").toString());
    assertEquals(2, first.code(), first.toString());
    assertEquals(List.of("error: -o: " + file.resolve("x.jar") + ": not a directory: " + file), first.errLines(),
        "checked before the model is compiled");
  }
}
