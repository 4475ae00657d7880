package io.flowc.compiler;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The reference data in reference/ (and the posteriordb data sets in examples/) are verbatim copies
 * of their sources: reference/SHA256SUMS records each file's SHA-256, so an edit that makes a
 * reference agree with the code, or a file lost in a copy, fails here rather than in a distant
 * statistical test.
 */
class ReferenceDataTest {
  /** Files of reference/ that are written here rather than copied from a source. */
  private static final Set<String> OWN_FILES = Set.of("reference/README.md", "reference/SHA256SUMS",
      "reference/posteriordb/verify.py", "reference/.gitattributes");

  @Test
  void everyReferenceFileHasItsRecordedChecksum() throws IOException {
    List<String> failures = new ArrayList<>();
    List<Checksum> checksums = checksums();
    assertFalse(checksums.isEmpty(), "reference/SHA256SUMS lists no files");
    for (Checksum c : checksums) {
      Path file = TestPaths.repoRoot().resolve(c.path());
      if (!Files.isRegularFile(file)) {
        failures.add(c.path() + ": missing");
      } else if (!sha256(file).equals(c.sha256())) {
        failures.add(c.path() + ": SHA-256 " + sha256(file) + ", recorded " + c.sha256());
      }
    }
    assertEquals(List.of(), failures);
  }

  @Test
  void everyCopiedFileUnderReferenceIsListed() throws IOException {
    Set<String> listed = checksums().stream().map(Checksum::path).collect(Collectors.toSet());
    Path root = TestPaths.repoRoot();
    Set<String> unlisted = new TreeSet<>();
    try (Stream<Path> files = Files.walk(root.resolve("reference"))) {
      files.filter(Files::isRegularFile)
          .map(p -> root.relativize(p).toString().replace('\\', '/'))
          .filter(p -> !listed.contains(p) && !OWN_FILES.contains(p))
          .forEach(unlisted::add);
    }
    assertEquals(Set.of(), unlisted, "files in reference/ without a checksum in reference/SHA256SUMS");
  }

  @Test
  void theReferencesTheTestsReadAreThere() {
    for (String pot : List.of("pot1", "pot2", "pot3", "pot4")) {
      assertTrue(TestPaths.potential(pot).path("logZ").isNumber(), pot + " has no logZ");
    }
    for (String posterior : List.of("eight_schools-eight_schools_noncentered", "kidiq-kidscore_interaction",
        "sblrc-blr", "earnings-earn_height")) {
      assertTrue(TestPaths.posteriorDbReference(posterior).path("params").size() > 0, posterior + " has no params");
    }
  }

  @Test
  void aMissingReferenceFailsInsteadOfSkipping() {
    AssertionError e = assertThrows(AssertionError.class, () -> TestPaths.posteriorDbReference("no-such-posterior"));
    assertTrue(e.getMessage().contains("reference/README.md"), e.getMessage());
    assertThrows(AssertionError.class, () -> TestPaths.potential("pot9"));
  }

  private record Checksum(String sha256, String path) {}

  /** reference/SHA256SUMS in sha256sum's format: hex digest, two spaces, path from the repository root. */
  private static List<Checksum> checksums() throws IOException {
    List<Checksum> out = new ArrayList<>();
    for (String line : Files.readAllLines(TestPaths.reference("SHA256SUMS"))) {
      if (!line.isBlank()) {
        String[] parts = line.split("  ", 2);
        assertEquals(2, parts.length, "not a sha256sum line: " + line);
        out.add(new Checksum(parts[0], parts[1]));
      }
    }
    return out;
  }

  private static String sha256(Path file) throws IOException {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java platform has SHA-256", e);
    }
  }
}
