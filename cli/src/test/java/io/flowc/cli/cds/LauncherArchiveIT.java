package io.flowc.cli.cds;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code bin/flowc} with its class-data-sharing archive in every state it may find it in: it uses
 * a sound one, and starts without one that is missing, truncated, corrupted, stale or made by
 * another JDK, with the same output and nothing on stderr (docs/cli.md, "Start-up"). Runs after
 * {@code package} (the shaded jar): a copy of the launcher and the jar in a directory of its own,
 * with an archive made there from one {@code check}.
 */
class LauncherArchiveIT {
  @TempDir
  static Path tmp;

  private static Path root;
  private static Path jar;
  private static Path archive;
  private static Path sizeFile;
  private static FileTime jarTime;
  private static byte[] madeArchive;
  private static String madeSize;
  private static String expected;

  private static Path model() {
    return Path.of(System.getProperty("flowc.root.dir"), "examples", "pot1.flow");
  }

  private static Path java(Path home) {
    return home.resolve("bin").resolve("java");
  }

  @BeforeAll
  static void copyTheLauncherAndJarAndMakeAnArchive() throws Exception {
    String builtJar = System.getProperty("flowc.cli.jar");
    // set by the integration-test execution only (cli/pom.xml), which runs after package
    assumeTrue(builtJar != null, "runs in the integration-test phase");
    Path built = Path.of(builtJar);
    assertTrue(Files.isRegularFile(built), built + " is missing: the integration tests run after package");
    // the real path, as bin/flowc names the jar by it and the archive records it
    root = tmp.toRealPath();
    Path launcher = Files.createDirectories(root.resolve("bin")).resolve("flowc");
    Files.copy(Path.of(System.getProperty("flowc.root.dir"), "bin", "flowc"), launcher, StandardCopyOption.COPY_ATTRIBUTES);
    jar = Files.createDirectories(root.resolve("cli/target")).resolve(built.getFileName());
    Files.copy(built, jar, StandardCopyOption.COPY_ATTRIBUTES);
    jarTime = Files.getLastModifiedTime(jar);
    archive = StartupArchive.archiveOf(jar);
    sizeFile = StartupArchive.sizeFileOf(archive);

    expected = flowc(Map.of()).out;
    String made = StartupArchive.make(java(Path.of(System.getProperty("java.home"))), jar,
        List.of("io.flowc.cli.Main", "check", model().toString()));
    assertTrue(Files.isRegularFile(sizeFile), made);
    madeArchive = Files.readAllBytes(archive);
    madeSize = Files.readString(sizeFile);
  }

  /** Each test starts from the archive as made, beside the jar as built, and no newer sources. */
  @BeforeEach
  void restore() throws IOException {
    deleteTree(root.resolve("cli/src"));
    Files.deleteIfExists(root.resolve("cli/target/.flowc-built"));
    Files.deleteIfExists(StartupArchive.jdkFileOf(archive));
    deleteTree(root.resolve("cli/target/cds"));
    deleteTree(root.resolve("examples"));
    Files.setLastModifiedTime(jar, jarTime);
    Files.deleteIfExists(archive);
    Files.write(archive, madeArchive);
    Files.writeString(sizeFile, madeSize);
  }

  @Test
  void aSoundArchiveIsUsed() throws Exception {
    Run r = assertSameOutputAndQuiet(Map.of());
    assertTrue(r.fromArchive("io.flowc.cli.Main"), r.classLog());
    // raised from Java 5 class files by the build: without that they would not be in the archive
    assertTrue(r.fromArchive("picocli.CommandLine"), r.classLog());
  }

  @Test
  void withoutAnArchive() throws Exception {
    Files.delete(archive);
    Files.delete(sizeFile);
    assertFalse(assertSameOutputAndQuiet(Map.of()).fromArchive("io.flowc.cli.Main"));
  }

  @Test
  void anArchiveWithoutItsSizeFileIsNotUsed() throws Exception {
    Files.delete(sizeFile);
    assertFalse(assertSameOutputAndQuiet(Map.of()).fromArchive("io.flowc.cli.Main"));
  }

  /** HotSpot 17 dies of SIGBUS on such an archive: the size file keeps it from the JVM. */
  @Test
  void aTruncatedArchiveIsNotUsed() throws Exception {
    Files.write(archive, Arrays.copyOf(madeArchive, madeArchive.length / 2));
    assertFalse(assertSameOutputAndQuiet(Map.of()).fromArchive("io.flowc.cli.Main"));
  }

  @Test
  void aCorruptedArchiveOfTheRightSizeIsRefusedByTheJvm() throws Exception {
    byte[] garbage = new byte[madeArchive.length];
    new Random(17).nextBytes(garbage);
    Files.write(archive, garbage);
    assertFalse(assertSameOutputAndQuiet(Map.of()).fromArchive("io.flowc.cli.Main"));
  }

  @Test
  void aStaleArchiveIsRefusedByTheJvm() throws Exception {
    // the jar rebuilt since the archive was made: HotSpot compares the jar's time with the archive's record
    Files.setLastModifiedTime(jar, FileTime.fromMillis(jarTime.toMillis() + 60_000));
    assertFalse(assertSameOutputAndQuiet(Map.of()).fromArchive("io.flowc.cli.Main"));
  }

  @Test
  void flowcCdsZeroStartsWithoutTheArchive() throws Exception {
    assertFalse(assertSameOutputAndQuiet(Map.of("FLOWC_CDS", "0")).fromArchive("io.flowc.cli.Main"));
  }

  /** An archive that does not name its JDK (a build before they did) is handed to any JDK, which may refuse it. */
  @Test
  void anotherJdkStartsWithoutTheArchive() throws Exception {
    Optional<Path> other = anotherJdk();
    assumeTrue(other.isPresent(), "no other JDK beside " + System.getProperty("java.home"));
    assertSameOutputAndQuiet(Map.of("JAVA_HOME", other.get().toString()));
  }

  /**
   * Another JDK than the one that made the build's archive gets an archive of its own at its first
   * command (a line on stderr, the output the same), maps it from then on, quietly; the build's JDK
   * keeps the build's archive.
   */
  @Test
  void anotherJdkMakesAnArchiveOfItsOwnOnce() throws Exception {
    Optional<Path> other = anotherJdk();
    assumeTrue(other.isPresent(), "no other JDK beside " + System.getProperty("java.home"));
    namedByTheBuild();
    Files.createSymbolicLink(root.resolve("examples"), model().getParent());
    Map<String, String> env = Map.of("JAVA_HOME", other.get().toString());

    Run first = flowc(env);
    assertEquals(0, first.code(), first.toString());
    assertEquals(expected, first.out(), first.toString());
    assertEquals("flowc: making a start-up archive for the JDK in " + other.get() + " (once, a few seconds)...\n",
        first.err());
    try (Stream<Path> made = Files.list(root.resolve("cli/target/cds"))) {
      assertEquals(List.of(".jsa", ".jsa.lock", ".jsa.size"), made.map(p -> p.getFileName().toString())
          .map(n -> n.substring(n.indexOf('.'))).sorted().toList(), "the archive, its size and the lock; no training outputs");
    }
    assertTrue(assertSameOutputAndQuiet(env).fromArchive("io.flowc.cli.Main"), "the JDK's own archive");
    assertTrue(assertSameOutputAndQuiet(Map.of()).fromArchive("io.flowc.cli.Main"), "the build's archive");
  }

  /** When the archive cannot be made, the command still runs; the next ones do not try again until the jar changes. */
  @Test
  void anArchiveThatCannotBeMadeIsNotTriedAgain() throws Exception {
    Optional<Path> other = anotherJdk();
    assumeTrue(other.isPresent(), "no other JDK beside " + System.getProperty("java.home"));
    namedByTheBuild();
    Files.createDirectories(root.resolve("examples")); // no models: the training run fails
    Map<String, String> env = Map.of("JAVA_HOME", other.get().toString());

    Run first = flowc(env);
    assertEquals(0, first.code(), first.toString());
    assertEquals(expected, first.out(), first.toString());
    assertTrue(first.err().endsWith("flowc: no start-up archive for this JDK; commands run without one"
        + " (FLOWC_CDS=0 skips the attempt)\n"), first.toString());
    assertFalse(assertSameOutputAndQuiet(env).fromArchive("io.flowc.cli.Main"));
  }

  /** The build names the JDK that made its archive beside it. */
  private static void namedByTheBuild() throws IOException {
    Files.writeString(StartupArchive.jdkFileOf(archive), Path.of(System.getProperty("java.home")).toRealPath() + "\n");
  }

  private static void deleteTree(Path dir) throws IOException {
    if (!Files.exists(dir, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
      return;
    }
    if (Files.isSymbolicLink(dir)) {
      Files.delete(dir);
      return;
    }
    try (Stream<Path> files = Files.walk(dir)) {
      for (Path f : files.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(f);
      }
    }
  }

  /**
   * A source newer than the jar makes bin/flowc build (here a stand-in for mvn that leaves the jar
   * alone, as Maven may); it then marks the build with a stamp, not by touching the jar, whose time
   * the archive records: the next command neither builds again nor loses the archive.
   */
  @Test
  void aRebuildKeepsTheArchiveValidAndIsNotRepeated() throws Exception {
    Path stub = Files.createDirectories(root.resolve("stub"));
    Path log = root.resolve("mvn.log");
    Files.deleteIfExists(log);
    Path mvn = stub.resolve("mvn");
    Files.writeString(mvn, "#!/bin/sh\necho \"mvn $*\" >> '" + log + "'\n");
    assertTrue(mvn.toFile().setExecutable(true));
    // restore() removes it (and the stamp) before the next test
    Path source = Files.createDirectories(root.resolve("cli/src")).resolve("Changed.java");
    Files.writeString(source, "class Changed {}\n");
    // newer than the jar, but not in the future: the stamp the build leaves is "now", and a source
    // dated after it would (rightly) make every later command build again
    Files.setLastModifiedTime(source, FileTime.fromMillis(jarTime.toMillis() + 1));
    Map<String, String> env = Map.of("PATH", stub + ":" + System.getenv("PATH"));

    Run first = flowc(env);
    assertEquals(0, first.code(), first.toString());
    assertEquals("flowc: building (first use or sources changed)...\n", first.err());
    assertEquals(1, Files.readAllLines(log).size());
    assertEquals(jarTime, Files.getLastModifiedTime(jar));

    Run second = assertSameOutputAndQuiet(env);
    assertEquals(1, Files.readAllLines(log).size(), "built again");
    assertTrue(second.fromArchive("io.flowc.cli.Main"), "the archive went stale");
  }

  /** A JDK installed beside the running one with another version, if there is one. */
  private static Optional<Path> anotherJdk() throws Exception {
    Path home = Path.of(System.getProperty("java.home")).toRealPath();
    try (Stream<Path> siblings = Files.list(home.getParent())) {
      for (Path candidate : siblings.toList()) {
        Path real = Files.isDirectory(candidate) ? candidate.toRealPath() : null;
        if (real != null && !real.equals(home) && Files.isExecutable(java(real))
            && !version(java(real)).equals(version(java(home)))) {
          return Optional.of(real);
        }
      }
    }
    return Optional.empty();
  }

  private static String version(Path java) throws Exception {
    Process p = new ProcessBuilder(java.toString(), "-version").redirectErrorStream(true).start();
    String text = new String(p.getInputStream().readAllBytes());
    p.waitFor();
    return text;
  }

  private Run assertSameOutputAndQuiet(Map<String, String> env) throws Exception {
    Run r = flowc(env);
    assertEquals(0, r.code, r.toString());
    assertEquals("", r.err, r.toString());
    assertEquals(expected, r.out, r.toString());
    return r;
  }

  private record Run(int code, String out, String err, String classLog) {
    /** Whether HotSpot took the class from the archive on top of the JDK's (the launcher's archive). */
    boolean fromArchive(String className) {
      return classLog.lines().anyMatch(l -> l.contains(" " + className + " source: shared objects file (top)"));
    }

    @Override
    public String toString() {
      return "exit " + code + "\n--- stdout\n" + out + "--- stderr\n" + err;
    }
  }

  /** {@code bin/flowc check pot1.flow} from the copy, with the running JDK unless env says otherwise. */
  private static Run flowc(Map<String, String> env) throws Exception {
    Path out = root.resolve("out.txt");
    Path err = root.resolve("err.txt");
    Path classLog = root.resolve("classes.txt");
    Files.deleteIfExists(classLog);
    ProcessBuilder pb = new ProcessBuilder(root.resolve("bin/flowc").toString(), "check", model().toString())
        .redirectOutput(out.toFile()).redirectError(err.toFile());
    Map<String, String> environment = new HashMap<>(Map.of("JAVA_HOME", System.getProperty("java.home"),
        "FLOWC_JAVA_OPTS", "-Xlog:class+load=info:file=" + classLog));
    environment.putAll(env);
    pb.environment().remove("FLOWC_CDS");
    pb.environment().putAll(environment);
    Process p = pb.start();
    assertTrue(p.waitFor(120, TimeUnit.SECONDS), "bin/flowc timed out");
    return new Run(p.exitValue(), Files.readString(out), Files.readString(err),
        Files.exists(classLog) ? Files.readString(classLog) : "");
  }
}
