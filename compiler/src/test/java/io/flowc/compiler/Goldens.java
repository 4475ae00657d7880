package io.flowc.compiler;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Golden files: expected outputs kept in the source tree. {@code -Dflowc.updateGoldens=true}
 * rewrites them from the current output (read every changed file before committing it); a
 * missing golden fails and names its path.
 */
public final class Goldens {
  public static final boolean UPDATE = Boolean.getBoolean("flowc.updateGoldens");

  private Goldens() {}

  public static void assertMatches(Path golden, String actual) throws IOException {
    if (UPDATE) {
      Files.createDirectories(golden.getParent());
      Files.writeString(golden, actual, StandardCharsets.UTF_8);
      return;
    }
    if (!Files.exists(golden)) {
      fail("missing golden file " + golden + " (run with -Dflowc.updateGoldens=true to create it, "
          + "then check it by hand); the output is:\n" + actual);
    }
    assertEquals(Files.readString(golden, StandardCharsets.UTF_8), actual, "differs from " + golden);
  }
}
