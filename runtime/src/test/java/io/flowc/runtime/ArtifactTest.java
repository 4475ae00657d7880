package io.flowc.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Consumer;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * {@link Artifact#open} on jars written here entry by entry: every metadata field is parsed
 * strictly and checked against the others, against the source and against the classes present,
 * and every entry against its recorded digest. Classes are not loaded by open, so their bytes
 * here are placeholders.
 */
class ArtifactTest {
  private static final String SOURCE_TEXT = "model m { param z[2]; param s > 0; potential 0.5 * (z[0]^2 + z[1]^2 + s); }";
  private static final String CLASS_ENTRY = "io/flowc/artifact/Model_m.class";
  private static final String FLOW_ENTRY = "io/flowc/artifact/Model_m_Flow0.class";

  @TempDir
  Path tmp;

  /** The metadata flowc writes for the model above, compiled with one flow. */
  private static Map<String, String> metadata() {
    Map<String, String> m = new TreeMap<>();
    m.put(Artifact.KEY_FORMAT, Artifact.FORMAT);
    m.put(Artifact.KEY_VERSION, FlowcVersion.get());
    m.put(Artifact.KEY_MODEL, "m");
    m.put(Artifact.KEY_CLASS, "io.flowc.artifact.Model_m");
    m.put(Artifact.KEY_SHA256, Artifact.sha256(SOURCE_TEXT.getBytes(StandardCharsets.UTF_8)));
    m.put(Artifact.KEY_DIMENSION, "3");
    m.put(Artifact.KEY_ELEMENTS, "z[0],z[1],s");
    m.put(Artifact.KEY_PARAMS, "z:2,s:0:0.0:Infinity");
    m.put(Artifact.KEY_POTENTIAL_TERMS, "1");
    m.put(Artifact.KEY_LOGP_TERMS, "0");
    m.put(Artifact.KEY_FORMULAS, "planar");
    m.put(Artifact.formulaKey(0), "planar");
    m.put(Artifact.formulaKey(0) + ".class", "io.flowc.artifact.Model_m_Flow0");
    return m;
  }

  private static Map<String, byte[]> entries(Map<String, String> metadata) {
    StringBuilder properties = new StringBuilder();
    metadata.forEach((k, v) -> properties.append(k).append('=').append(v.replace(":", "\\:")).append('\n'));
    Map<String, byte[]> entries = new LinkedHashMap<>();
    entries.put(Artifact.METADATA, properties.toString().getBytes(StandardCharsets.ISO_8859_1));
    entries.put(Artifact.SOURCE, SOURCE_TEXT.getBytes(StandardCharsets.UTF_8));
    entries.put(CLASS_ENTRY, new byte[] {1, 2, 3});
    entries.put(FLOW_ENTRY, new byte[] {4, 5, 6});
    return entries;
  }

  /** A jar of these entries and, when {@code withDigests}, the digests of them all. */
  private Path jar(Map<String, byte[]> entries, boolean withDigests) throws IOException {
    Map<String, byte[]> all = new LinkedHashMap<>(entries);
    if (withDigests) {
      all.put(Artifact.DIGESTS, Artifact.digests(entries));
    }
    Path jar = Files.createTempFile(tmp, "a", ".jar");
    try (OutputStream out = Files.newOutputStream(jar); ZipOutputStream zip = new ZipOutputStream(out)) {
      for (Map.Entry<String, byte[]> e : all.entrySet()) {
        zip.putNextEntry(new ZipEntry(e.getKey()));
        zip.write(e.getValue());
        zip.closeEntry();
      }
    }
    return jar;
  }

  private Path withMetadata(Consumer<Map<String, String>> change) throws IOException {
    Map<String, String> m = metadata();
    change.accept(m);
    return jar(entries(m), true);
  }

  private static void assertCorrupt(Path jar, String what) {
    ArtifactException e = assertThrows(ArtifactException.class, () -> Artifact.open(jar));
    assertEquals("corrupt artifact: " + jar + ": " + what, e.getMessage());
  }

  @Test
  void aConsistentArtifactOpens() throws IOException {
    Artifact artifact = Artifact.open(jar(entries(metadata()), true));
    assertEquals("m", artifact.modelName());
    assertEquals(3, artifact.dimension());
    assertEquals(List.of("z[0]", "z[1]", "s"), artifact.elementNames());
    assertEquals(List.of("planar"), artifact.formulas());
    assertEquals(1, artifact.potentialTerms());
    assertEquals(0, artifact.logpTerms());
    assertEquals(SOURCE_TEXT, artifact.source());
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
    "dimension | two | dimension=two is not a whole number in range",
    "dimension | 99999999999 | dimension=99999999999 is out of range",
    "dimension | 99999999999999999999 | dimension=99999999999999999999 is not a whole number in range",
    "dimension | -3 | dimension=-3 is not a whole number in range",
    "dimension | 4 | params=z:2,s:0:0.0:Infinity has 3 elements, but dimension is 4",
    "params | z:abc,s:0:0.0:Infinity | params=z:abc,s:0:0.0:Infinity cannot be read (bad size in 'z:abc')",
    "params | z:1,s:0:0.0:Infinity | params=z:1,s:0:0.0:Infinity has 2 elements, but dimension is 3",
    "params | z:2,s:0:1.0:0.0 | params=z:2,s:0:1.0:0.0 cannot be read (empty bounds in 's:0:1.0:0.0')",
    "params | z:2,z:0 | params: bad or repeated parameter name 'z'",
    "elements | z[0],z[1],t | elements disagrees with params",
    "potential.terms | x | potential.terms=x is not a whole number in range",
    "logp.terms | 1.5 | logp.terms=1.5 is not a whole number in range",
    "source.sha256 | abc | source.sha256=abc is not a SHA-256 in hex",
    "model.class | java.lang.Runtime | model.class=java.lang.Runtime is not a class in io.flowc.artifact",
    "model.class | io.flowc.artifact.Model_other | model.class names io.flowc.artifact.Model_other, which the jar does not hold",
    "formulas | planar;radial | the metadata lacks formula.1",
    "formula.0 | radial | formula.0 disagrees with formulas",
    "formula.3 | planar | formula.3 is not among formulas",
    "data.reserved | 5 | data, data.reserved and data.prologue.class disagree (data.reserved and data.prologue.class go with data)",
    "surprise | 1 | unknown metadata key surprise",
  })
  void everyMetadataFieldIsCheckedStrictly(String key, String value, String what) throws IOException {
    Path jar = withMetadata(m -> m.put(key, value));
    assertCorrupt(jar, what);
  }

  @Test
  void aMissingFieldIsNamed() throws IOException {
    assertCorrupt(withMetadata(m -> m.remove(Artifact.KEY_PARAMS)), "the metadata lacks params");
    assertCorrupt(withMetadata(m -> m.remove(Artifact.KEY_FORMAT)), "the metadata lacks format");
  }

  @Test
  void theSourceMustMatchItsDigest() throws IOException {
    Map<String, byte[]> entries = entries(metadata());
    entries.put(Artifact.SOURCE, (SOURCE_TEXT + " ").getBytes(StandardCharsets.UTF_8));
    assertCorrupt(jar(entries, true), "META-INF/flowc/model.flow does not match source.sha256");
    entries.remove(Artifact.SOURCE);
    assertCorrupt(jar(entries, true), "no META-INF/flowc/model.flow");
  }

  @Test
  void aKeyGivenTwiceIsRefused() throws IOException {
    Map<String, byte[]> entries = entries(metadata());
    String twice = new String(entries.get(Artifact.METADATA), StandardCharsets.ISO_8859_1) + "dimension=4\n";
    entries.put(Artifact.METADATA, twice.getBytes(StandardCharsets.ISO_8859_1));
    assertCorrupt(jar(entries, true), "META-INF/flowc/model.properties: key dimension appears twice");
  }

  @Test
  void everyEntryMustMatchTheDigestRecordedForIt() throws IOException {
    Map<String, byte[]> entries = entries(metadata());
    Map<String, byte[]> recorded = new LinkedHashMap<>(entries);
    recorded.put(Artifact.DIGESTS, Artifact.digests(entries));

    Map<String, byte[]> changed = new LinkedHashMap<>(recorded);
    changed.put(FLOW_ENTRY, new byte[] {4, 5, 7});
    assertCorrupt(jar(changed, false), "entry " + FLOW_ENTRY + " does not match the SHA-256 recorded at compile time");

    Map<String, byte[]> added = new LinkedHashMap<>(recorded);
    added.put("io/flowc/artifact/Extra.class", new byte[] {9});
    assertCorrupt(jar(added, false), "entry io/flowc/artifact/Extra.class is not among the entries recorded at compile time");

    Map<String, byte[]> removed = new LinkedHashMap<>(recorded);
    removed.remove(FLOW_ENTRY);
    assertCorrupt(jar(removed, false), "entry " + FLOW_ENTRY + " is missing");

    assertCorrupt(jar(entries, false), "no " + Artifact.DIGESTS);
  }

  @Test
  void onlyTheArtifactsOwnEntriesMayBeThere() throws IOException {
    Map<String, byte[]> entries = entries(metadata());
    entries.put("io/flowc/runtime/Artifact.class", new byte[] {1});
    assertCorrupt(jar(entries, true), "unexpected entry io/flowc/runtime/Artifact.class");
  }

  @Test
  void aClassThatCannotBeLoadedIsCorrupt() throws IOException {
    Path jar = jar(entries(metadata()), true);
    Artifact artifact = Artifact.open(jar);
    ArtifactException e = assertThrows(ArtifactException.class, artifact::logDensity);
    assertTrue(e.getMessage().startsWith("corrupt artifact: " + jar + ": cannot load io.flowc.artifact.Model_m ("),
        e.getMessage());
    assertTrue(e.getMessage().length() < 400 && !e.getMessage().contains("\n"), e.getMessage());
  }

  @Test
  void anArtifactOfTheFormerFormatIsRefusedWithTheRemedy() throws IOException {
    Path jar = withMetadata(m -> m.put(Artifact.KEY_FORMAT, "1"));
    ArtifactException e = assertThrows(ArtifactException.class, () -> Artifact.open(jar));
    assertEquals(jar + ": artifact format 1, but this flowc reads format " + Artifact.FORMAT
        + " only; compile the model again with this version", e.getMessage());
  }
}
