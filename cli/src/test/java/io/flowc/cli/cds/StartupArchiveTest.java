package io.flowc.cli.cds;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

class StartupArchiveTest {
  private static List<String> launcher() throws IOException {
    return Files.readAllLines(Path.of(System.getProperty("flowc.root.dir"), "bin", "flowc"));
  }

  @Test
  void theArchiveIsMadeWithTheOptionsTheLauncherRunsJavaWith() throws IOException {
    String exec = launcher().stream().filter(l -> l.startsWith("exec \"$JAVA\" ")).findFirst().orElseThrow();
    assertTrue(exec.startsWith("exec \"$JAVA\" " + String.join(" ", StartupArchive.LAUNCHER_OPTIONS) + " "), exec);
  }

  /** A method queued for compilation when HotSpot 17 dumps the archive is never compiled where it is mapped. */
  @Test
  void theTrainingRunsWithoutACompilerSoNoMethodIsArchivedQueued() {
    assertTrue(StartupArchive.TRAINING_OPTIONS.contains("-Xint"), StartupArchive.TRAINING_OPTIONS.toString());
  }

  @Test
  void theArchiveSitsBesideTheJarWhereTheLauncherLooksForIt() throws IOException {
    Path jar = Path.of("cli", "target", "flowc-cli-0.1.0-SNAPSHOT-all.jar");
    assertEquals(Path.of("cli", "target", "flowc-cli-0.1.0-SNAPSHOT-all.jsa"), StartupArchive.archiveOf(jar));
    assertEquals(Path.of("cli", "target", "flowc-cli-0.1.0-SNAPSHOT-all.jsa.size"),
        StartupArchive.sizeFileOf(StartupArchive.archiveOf(jar)));
    assertEquals(Path.of("cli", "target", "flowc-cli-0.1.0-SNAPSHOT-all.jsa.jdk"),
        StartupArchive.jdkFileOf(StartupArchive.archiveOf(jar)));
    List<String> lines = launcher();
    assertTrue(lines.contains("JSA=\"${JAR%.jar}.jsa\""), "bin/flowc names the archive after the jar");
    assertTrue(lines.stream().anyMatch(l -> l.contains("<\"$1.size\"")), "bin/flowc reads an archive's size file");
    assertTrue(lines.stream().anyMatch(l -> l.contains("<\"$JSA.jdk\"")), "bin/flowc reads which JDK made the build's");
  }
}
