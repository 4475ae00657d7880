package io.flowc.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import picocli.CommandLine;
import picocli.CommandLine.Command;

class MainTest {

  @Test
  void rootDirectoryPropertyIsSetBySurefireAndHoldsTheExamples() {
    String dir = System.getProperty("flowc.root.dir");
    assertTrue(dir != null && !dir.isBlank(), "flowc.root.dir is not set");
    Path root = Cli.root();
    assertTrue(Files.isRegularFile(root.resolve("pom.xml")), root + " has no pom.xml");
    assertTrue(Files.isRegularFile(root.resolve("examples/pot1.flow")), root + " has no examples/pot1.flow");
  }

  @Test
  void versionPrintsTheProjectVersion() {
    Cli.Result r = Cli.run("--version");
    assertEquals(0, r.code(), r.toString());
    assertEquals("flowc 0.1.0-SNAPSHOT", r.out().strip(), r.toString());
    assertEquals("", r.err());
  }

  @Test
  void versionComesFromTheFilteredResource() {
    String version = VersionProvider.version();
    assertNotEquals(VersionProvider.UNKNOWN, version);
    assertTrue(Pattern.matches("\\d+\\.\\d+\\.\\d+(-[A-Za-z0-9.]+)?", version), version);
    assertEquals(Cli.run("-V").out().strip(), "flowc " + version);
  }

  @Test
  void helpListsTheCommandsOnStdout() {
    Cli.Result r = Cli.run("--help");
    assertEquals(0, r.code(), r.toString());
    assertTrue(r.out().startsWith("Usage: flowc"), r.toString());
    assertTrue(r.out().contains("check"), r.toString());
    assertTrue(r.out().contains("Exit codes"), r.toString());
    assertEquals("", r.err());
  }

  @Test
  void helpOfASubcommand() {
    for (String[] args : new String[][] {{"help", "check"}, {"check", "--help"}, {"check", "-h"}}) {
      Cli.Result r = Cli.run(args);
      assertEquals(0, r.code(), r.toString());
      assertTrue(r.out().startsWith("Usage: flowc check"), r.toString());
      assertTrue(r.out().contains("--at"), r.toString());
      assertTrue(r.out().contains("--json"), r.toString());
    }
  }

  @Test
  void noCommandIsAUserError() {
    Cli.Result r = Cli.run();
    assertEquals(2, r.code(), r.toString());
    assertEquals("error: missing command (one of: check, fit, fit-many, sample, compile, ir, plot, compare, simulate, sbc)", r.errLines().get(0),
        r.toString());
    assertTrue(r.err().contains("flowc --help"), r.toString());
    assertEquals("", r.out());
  }

  @Test
  void unknownCommandSuggestsTheNearestOne() {
    Cli.Result r = Cli.run("chek", "x.flow");
    assertEquals(2, r.code(), r.toString());
    assertTrue(r.errLines().get(0).startsWith("error: "), r.toString());
    assertTrue(r.errLines().get(0).contains("'chek'"), r.toString());
    assertTrue(r.err().contains("Did you mean 'check'"), r.toString());
    assertTrue(r.err().contains("Run 'flowc --help' for usage."), r.toString());
    Cli.assertNoStackTrace(r);
  }

  @Test
  void aCommandLineNamingACommandBuildsThatCommandAlone() {
    assertEquals(List.of("fit"), List.copyOf(Main.newCommandLine("fit", "m.flow").getSubcommands().keySet()));
    List<String> all = new ArrayList<>(Main.COMMANDS);
    all.add("help");
    for (String[] args : new String[][] {{}, {"help", "fit"}, {"chek"}, {"--help"}, {"-V"}}) {
      assertEquals(all, List.copyOf(Main.newCommandLine(args).getSubcommands().keySet()), String.join(" ", args));
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"check", "fit", "fit-many", "sample", "compile", "ir", "plot", "compare", "simulate", "sbc"})
  void aCommandAloneHelpsAndParsesAsInTheWholeTree(String command) {
    Cli.Result alone = Cli.run(command, "--help");
    Cli.Result inTree = Cli.execute(Main.newCommandLine(), Map.of(), command, "--help");
    assertEquals(0, alone.code(), alone.toString());
    assertEquals(inTree.toString(), alone.toString());
    Cli.Result badAlone = Cli.run(command, "--no-such-option");
    assertEquals(Cli.execute(Main.newCommandLine(), Map.of(), command, "--no-such-option").toString(), badAlone.toString());
    assertEquals(2, badAlone.code(), badAlone.toString());
  }

  @ParameterizedTest
  @ValueSource(strings = {"--frobnicate", "-x"})
  void unknownTopLevelOption(String option) {
    Cli.Result r = Cli.run(option);
    assertEquals(2, r.code(), r.toString());
    assertTrue(r.errLines().get(0).startsWith("error: "), r.toString());
    assertTrue(r.errLines().get(0).contains(option), r.toString());
    assertTrue(r.err().contains("flowc --help"), r.toString());
  }

  // ---- unexpected exceptions ----------------------------------------------------------------

  @Command(name = "boom")
  static final class Boom implements Callable<Integer> {
    @Override
    public Integer call() {
      throw new IllegalStateException("kaboom");
    }
  }

  @Command(name = "overflow")
  static final class Overflow implements Callable<Integer> {
    @Override
    public Integer call() {
      throw new StackOverflowError();
    }
  }

  /** Runs out of memory on a worker thread, which hands the error over wrapped, as a pool's future does. */
  @Command(name = "oom-worker")
  static final class OutOfMemoryOnWorker implements Callable<Integer> {
    @Override
    public Integer call() throws Exception {
      java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newSingleThreadExecutor();
      try {
        pool.submit(() -> {
          throw new OutOfMemoryError("Java heap space");
        }).get();
        return 0;
      } catch (java.util.concurrent.ExecutionException e) {
        throw new IllegalStateException(e.getCause());
      } finally {
        pool.shutdownNow();
      }
    }
  }

  @Command(name = "oom")
  static final class OutOfMemory implements Callable<Integer> {
    @Override
    public Integer call() {
      throw new OutOfMemoryError("Java heap space");
    }
  }

  private static CommandLine withTestCommands() {
    CommandLine cmd = Main.newCommandLine();
    cmd.addSubcommand(new Boom());
    cmd.addSubcommand(new Overflow());
    cmd.addSubcommand(new OutOfMemoryOnWorker());
    cmd.addSubcommand(new OutOfMemory());
    return cmd;
  }

  @ParameterizedTest
  @ValueSource(strings = {"oom", "oom-worker"})
  void runningOutOfMemoryIsOneLineAndExitTwoWhereverItHappens(String command) {
    Cli.Result r = Cli.execute(withTestCommands(), Map.of(), command);
    assertEquals(2, r.code(), r.toString());
    assertEquals(1, r.errLines().size(), r.toString());
    String line = r.errLines().get(0);
    assertTrue(line.startsWith("error: out of memory (Java heap space)"), r.toString());
    assertTrue(line.contains("FLOWC_JAVA_OPTS=-Xmx"), r.toString());
    assertFalse(line.contains("internal error"), r.toString());
  }

  @Test
  void theOutOfMemoryMessageSuggestsFourTimesTheHeap() {
    OutOfMemoryError e = new OutOfMemoryError("Java heap space");
    assertEquals("out of memory (Java heap space): the Java heap may not grow beyond 256 MB; give Java more with "
        + "FLOWC_JAVA_OPTS=-Xmx1g (or more)", Main.outOfMemoryMessage(e, 256L << 20));
    assertEquals("out of memory: the Java heap may not grow beyond 3072 MB; give Java more with "
        + "FLOWC_JAVA_OPTS=-Xmx12g (or more)", Main.outOfMemoryMessage(new OutOfMemoryError(), 3072L << 20));
    assertEquals("out of memory (Metaspace); give Java more with FLOWC_JAVA_OPTS=-Xmx8g (or more)",
        Main.outOfMemoryMessage(new OutOfMemoryError("Metaspace"), Long.MAX_VALUE));
  }

  @Test
  void anUnexpectedExceptionIsAnInternalErrorWithoutStackTrace() {
    Cli.Result r = Cli.execute(withTestCommands(), Map.of(), "boom");
    assertEquals(1, r.code(), r.toString());
    assertEquals(1, r.errLines().size(), r.toString());
    assertTrue(r.errLines().get(0).startsWith("error: internal error: java.lang.IllegalStateException: kaboom"), r.toString());
    assertTrue(r.err().contains("FLOWC_DEBUG"), r.toString());
    assertFalse(r.err().contains("\tat "), r.toString());
    assertEquals("", r.out());
  }

  @Test
  void flowcDebugAddsTheStackTrace() {
    Cli.Result r = Cli.execute(withTestCommands(), Map.of("FLOWC_DEBUG", "1"), "boom");
    assertEquals(1, r.code(), r.toString());
    assertTrue(r.errLines().get(0).startsWith("error: internal error: java.lang.IllegalStateException: kaboom"), r.toString());
    assertTrue(r.err().contains("\tat io.flowc.cli.MainTest$Boom.call"), r.toString());
  }

  @Test
  void anErrorIsAnInternalErrorToo() {
    Cli.Result r = Cli.execute(withTestCommands(), Map.of(), "overflow");
    assertEquals(1, r.code(), r.toString());
    assertTrue(r.errLines().get(0).startsWith("error: internal error: java.lang.StackOverflowError"), r.toString());
    assertFalse(r.err().contains("\tat "), r.toString());
  }

  @Test
  void failureMapsExceptionsToExitCodes() {
    java.io.StringWriter text = new java.io.StringWriter();
    java.io.PrintWriter err = new java.io.PrintWriter(text);
    assertEquals(2, Main.failure(new UserException("bad thing"), err, Map.of()));
    assertEquals(2, Main.failure(new CommandLine.ExecutionException(Main.newCommandLine(), "wrapped",
        new UserException("wrapped bad thing")), err, Map.of()));
    OutOfMemoryError memory = new OutOfMemoryError("Java heap space");
    assertEquals(2, Main.failure(memory, err, Map.of()));
    assertEquals(2, Main.failure(new IllegalStateException(new java.util.concurrent.ExecutionException(memory)), err,
        Map.of()));
    assertEquals(2, Main.failure(new io.flowc.compiler.backend.CodeTooLargeException("model m", "a limit"), err,
        Map.of()));
    err.flush();
    String oom = "error: " + Main.outOfMemoryMessage(memory, Runtime.getRuntime().maxMemory());
    assertEquals(String.join(System.lineSeparator(), "error: bad thing", "error: wrapped bad thing", oom, oom,
        "error: model m is too large to compile (a limit); make the model smaller", ""), text.toString());
  }
}
