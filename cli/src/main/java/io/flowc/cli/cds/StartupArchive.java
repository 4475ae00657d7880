package io.flowc.cli.cds;

import java.io.IOException;
import java.lang.module.ModuleFinder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Makes the class-data-sharing archive that {@code bin/flowc} starts the JVM with (docs/cli.md,
 * "Start-up"): the build runs this after it has shaded the CLI jar. It raises the jar's pre-Java-6
 * class files so that the archive may hold them ({@link ClassFileUpgrade}), runs {@link
 * TrainingRun} in a JVM that writes the classes it loaded to an archive at exit
 * ({@code -XX:ArchiveClassesAtExit}, a dynamic archive on top of the JDK's own, Java 13 and
 * later), checks that a JVM started as {@code bin/flowc} starts it maps that archive, and only
 * then puts it beside the jar together with its size in a second file. The launcher uses the
 * archive only when the size matches: HotSpot 17 dies of SIGBUS on a truncated archive, such as
 * one an interrupted build leaves, instead of ignoring it.
 *
 * <p>The archive is an optimisation: when a step fails this says why and leaves no archive, and
 * the build goes on.
 */
public final class StartupArchive {
  /**
   * The JVM options that {@code bin/flowc} runs the CLI with; the archive is made under the same
   * ones (keep the two in step).
   */
  static final List<String> LAUNCHER_OPTIONS = List.of("-XX:+UseSerialGC", "-Xss16m", "-Djava.awt.headless=true");

  /**
   * The options {@code bin/flowc} adds for fits of neural flows ({@code --add-modules
   * jdk.incubator.vector}, docs/cli.md "SIMD"), when this JDK has the module: the training run
   * has them, so that the archive holds the vector classes too. A JVM started without them still
   * maps the archive (HotSpot then only leaves its optimized module handling off), which the
   * check below and LauncherArchiveIT's commands confirm.
   */
  static final List<String> SIMD_OPTIONS = ModuleFinder.ofSystem().find("jdk.incubator.vector").isPresent()
      ? List.of("--add-modules", "jdk.incubator.vector") : List.of();

  /**
   * The training JVM runs without a JIT compiler ({@code -Xint}): HotSpot 17 writes a method that
   * is queued for compilation when the archive is dumped with its "queued" flag set (JDK-8306460,
   * fixed in 21), and in every JVM that maps the archive that method is never compiled. A build's
   * training had left FloatingDecimal's decimal-to-double conversion so, and reading 300,000 rows
   * of full-precision numbers took 4.2 s instead of 1.2 s; an earlier build's, the data reader's
   * array loop (W9's data in 3 s instead of 0.5 s). Interpreted, the training takes about 8 s
   * instead of 5 and loads the same classes.
   */
  static final List<String> TRAINING_OPTIONS = List.of("-Xint");

  /** Longest a JVM that this starts may take before the build gives up on the archive. */
  private static final long TIMEOUT_SECONDS = 600;

  private StartupArchive() {
  }

  /** The archive that belongs to {@code jar}: its name with {@code .jsa} for {@code .jar}. */
  static Path archiveOf(Path jar) {
    String name = jar.getFileName().toString();
    String stem = name.endsWith(".jar") ? name.substring(0, name.length() - 4) : name;
    return jar.resolveSibling(stem + ".jsa");
  }

  /** The file that holds the archive's size in bytes, written once the archive is complete. */
  static Path sizeFileOf(Path archive) {
    return archive.resolveSibling(archive.getFileName() + ".size");
  }

  /**
   * The file naming the JDK that made the build's archive (its home, a real path): {@code bin/flowc}
   * run by another JDK uses an archive of that JDK's own instead ({@link #main}, {@code --this-jdk}).
   */
  static Path jdkFileOf(Path archive) {
    return archive.resolveSibling(archive.getFileName() + ".jdk");
  }

  /**
   * Makes the archive for {@code jar} from a JVM that runs {@code training} (a main class and its
   * arguments, run with the jar as class path); returns a line for the build log.
   */
  static String make(Path java, Path jar, List<String> training) throws IOException, InterruptedException {
    return make(java, jar, archiveOf(jar), training);
  }

  /** As {@link #make(Path, Path, List)}, the archive written to {@code archive}. */
  static String make(Path java, Path jar, Path archive, List<String> training) throws IOException, InterruptedException {
    Path sizeFile = sizeFileOf(archive);
    // first the size file: whatever happens next, no launcher trusts an old or partial archive
    Files.deleteIfExists(sizeFile);
    Files.deleteIfExists(archive);
    Path tmp = archive.resolveSibling(archive.getFileName() + ".tmp");
    Files.deleteIfExists(tmp);
    try {
      List<String> train = new ArrayList<>(TRAINING_OPTIONS);
      train.addAll(List.of("-XX:ArchiveClassesAtExit=" + tmp, "-Xlog:cds*=off"));
      train.addAll(SIMD_OPTIONS);
      train.addAll(List.of("-cp", jar.toString()));
      train.addAll(training);
      Run trained = run(command(java, train));
      if (trained.code != 0 || !Files.isRegularFile(tmp)) {
        return "no start-up archive: the training run failed (exit " + trained.code + ")\n" + trained.output;
      }
      // -Xshare:on turns "cannot map the archive" from a silent fallback into an error; without the
      // vector module, as bin/flowc starts every command but neural fits
      Run check = run(command(java, List.of("-XX:SharedArchiveFile=" + tmp, "-Xshare:on", "-jar", jar.toString(), "--version")));
      if (check.code != 0) {
        return "no start-up archive: a JVM started as bin/flowc starts it cannot use it (exit " + check.code + ")\n"
            + check.output;
      }
      long size = Files.size(tmp);
      Files.move(tmp, archive, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
      Path sizeTmp = sizeFile.resolveSibling(sizeFile.getFileName() + ".tmp");
      Files.writeString(sizeTmp, size + "\n", StandardCharsets.US_ASCII);
      Files.move(sizeTmp, sizeFile, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
      return "start-up archive " + archive.getFileName() + ": " + (size >> 10) + " KB";
    } finally {
      Files.deleteIfExists(tmp);
    }
  }

  private static List<String> command(Path java, List<String> args) {
    List<String> command = new ArrayList<>();
    command.add(java.toString());
    command.addAll(LAUNCHER_OPTIONS);
    command.addAll(args);
    return command;
  }

  private record Run(int code, String output) {
  }

  private static Run run(List<String> command) throws IOException, InterruptedException {
    Path log = Files.createTempFile("flowc-cds", ".log");
    try {
      Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
      if (!p.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
        p.destroyForcibly().waitFor();
        return new Run(-1, "timed out after " + TIMEOUT_SECONDS + " s: " + String.join(" ", command));
      }
      return new Run(p.exitValue(), Files.readString(log, StandardCharsets.UTF_8));
    } finally {
      Files.deleteIfExists(log);
    }
  }

  /**
   * {@code StartupArchive JAR EXAMPLES_DIR} (the build): raises the shaded CLI jar's old class
   * files, then makes its archive with the JDK that runs this and names that JDK beside it.
   * {@code StartupArchive --this-jdk JAR EXAMPLES_DIR ARCHIVE} ({@code bin/flowc}, run by another JDK
   * than the build's): makes that JDK's archive at {@code ARCHIVE}, the jar left as it is; exits 1
   * if there is none.
   */
  public static void main(String[] args) throws IOException, InterruptedException {
    boolean thisJdk = args.length == 4 && args[0].equals("--this-jdk");
    if (args.length != 2 && !thisJdk) {
      System.err.println("usage: StartupArchive JAR EXAMPLES_DIR | StartupArchive --this-jdk JAR EXAMPLES_DIR ARCHIVE");
      System.exit(2);
    }
    int first = thisJdk ? 1 : 0;
    // the real path: the archive records the jar's path, and bin/flowc names the jar by its real path
    Path jar = Path.of(args[first]).toRealPath();
    Path home = Path.of(System.getProperty("java.home")).toRealPath();
    Path java = home.resolve("bin").resolve("java");
    List<String> training = List.of(TrainingRun.class.getName(), Path.of(args[first + 1]).toAbsolutePath().toString());
    if (thisJdk) {
      Path archive = Path.of(args[3]).toAbsolutePath();
      Files.createDirectories(archive.getParent());
      Path work = archive.resolveSibling(archive.getFileName() + ".training");
      String made = make(java, jar, archive, concat(training, work.toString()));
      deleteTree(work);
      System.out.println("flowc: " + made);
      System.exit(Files.isRegularFile(sizeFileOf(archive)) ? 0 : 1);
    }
    ClassFileUpgrade.Result upgrade = ClassFileUpgrade.upgradeJar(jar);
    System.out.println("flowc: " + upgrade.upgraded() + " class files of " + jar.getFileName() + " raised to version 51, "
        + upgrade.records() + " records given methods of their own");
    Path work = jar.resolveSibling("cds-training");
    Path archive = archiveOf(jar);
    Files.deleteIfExists(jdkFileOf(archive));
    System.out.println("flowc: " + make(java, jar, concat(training, work.toString())));
    if (Files.isRegularFile(sizeFileOf(archive))) {
      Files.writeString(jdkFileOf(archive), home + "\n", StandardCharsets.UTF_8);
    }
  }

  /** The training run's outputs, beside an archive that a user's command made. */
  private static void deleteTree(Path dir) throws IOException {
    if (!Files.exists(dir)) {
      return;
    }
    try (var files = Files.walk(dir)) {
      for (Path f : files.sorted(java.util.Comparator.reverseOrder()).toList()) {
        Files.delete(f);
      }
    }
  }

  private static List<String> concat(List<String> list, String last) {
    List<String> all = new ArrayList<>(list);
    all.add(last);
    return all;
  }
}
