package io.flowc.cli.cds;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.lang.module.ModuleFinder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code bin/flowc} and the vector module (docs/cli.md, "SIMD"): a fit of a neural flow runs
 * with {@code jdk.incubator.vector} and its products vectorized, the JVM's one warning line on
 * stderr and stdout's JSON untouched; {@code FLOWC_SIMD=0}, PyMC3's flows and other commands run
 * without the module and print nothing on stderr. Runs after {@code package}, on a copy of the
 * launcher and the jar (with its start-up archive) in a directory of its own.
 */
class LauncherSimdIT {
  private static final String WARNING = "WARNING: Using incubator modules: jdk.incubator.vector";

  @TempDir
  static Path tmp;

  private static Path root;

  @BeforeAll
  static void copyTheLauncherAndJar() throws Exception {
    String builtJar = System.getProperty("flowc.cli.jar");
    assumeTrue(builtJar != null, "runs in the integration-test phase");
    assertTrue(ModuleFinder.ofSystem().find("jdk.incubator.vector").isPresent(), "the JDK has the vector module");
    root = tmp.toRealPath();
    Path launcher = Files.createDirectories(root.resolve("bin")).resolve("flowc");
    Files.copy(Path.of(System.getProperty("flowc.root.dir"), "bin", "flowc"), launcher,
        StandardCopyOption.COPY_ATTRIBUTES);
    Path built = Path.of(builtJar);
    Path target = Files.createDirectories(root.resolve("cli/target"));
    Files.copy(built, target.resolve(built.getFileName()), StandardCopyOption.COPY_ATTRIBUTES);
    Path archive = StartupArchive.archiveOf(built);
    if (Files.exists(StartupArchive.sizeFileOf(archive))) {
      Files.copy(archive, target.resolve(archive.getFileName()), StandardCopyOption.COPY_ATTRIBUTES);
      Files.copy(StartupArchive.sizeFileOf(archive), target.resolve(StartupArchive.sizeFileOf(archive).getFileName()),
          StandardCopyOption.COPY_ATTRIBUTES);
    }
  }

  @Test
  void aNeuralFitRunsWithTheModuleAndOneLineOnStderr() throws Exception {
    Run r = flowc(Map.of(), "fit", model(), "--flow", "nsf(hidden=4)", "--nmc", "16", "--iters", "3", "--eval-draws",
        "50", "--json");
    assertEquals(0, r.code, r.toString());
    // the JSON document is stdout's last line, after the progress lines, as without the module
    String last = r.out.strip().lines().reduce((a, b) -> b).orElse("");
    assertTrue(last.startsWith("{\"model\":\"pot1\"") && last.endsWith("}"), r.toString());
    assertEquals(WARNING, r.err.strip(), r.toString());
    assertTrue(r.loaded("io.flowc.runtime.simd.VectorProducts"), "vectorized products");
  }

  /** With fewer than 16 draws a step (the default is one) every call runs draw by draw, without block products. */
  @Test
  void aNeuralFitOfFewDrawsRunsWithoutTheModule() throws Exception {
    for (String nmc : new String[] {"1", "15"}) {
      Run r = flowc(Map.of(), "fit", model(), "--flow", "nsf(hidden=4)*4", "--nmc", nmc, "--iters", "3",
          "--eval-draws", "50", "--json");
      assertEquals(0, r.code, r.toString());
      assertEquals("", r.err, r.toString());
      assertFalse(r.loaded("io.flowc.runtime.simd.VectorProducts"), "scalar products");
    }
    Run defaults = flowc(Map.of(), "fit", model(), "--flow", "realnvp(hidden=4)", "--iters", "3", "--eval-draws", "50");
    assertEquals(0, defaults.code, defaults.toString());
    assertEquals("", defaults.err, defaults.toString());
  }

  @Test
  void flowcSimdZeroRunsWithoutTheModule() throws Exception {
    Run r = flowc(Map.of("FLOWC_SIMD", "0"), "fit", model(), "--flow", "nsf(hidden=4)", "--nmc", "16", "--iters", "3",
        "--eval-draws", "50", "--json");
    assertEquals(0, r.code, r.toString());
    assertEquals("", r.err, r.toString());
    assertFalse(r.loaded("io.flowc.runtime.simd.VectorProducts"), "scalar products");
  }

  /** {@code FLOWC_SIMD=1} runs every fit with the module (PyMC3's flows get vector loops where they run draw by draw). */
  @Test
  void flowcSimdOneRunsEveryFitWithTheModule() throws Exception {
    Run planar = flowc(Map.of("FLOWC_SIMD", "1"), "fit", model(), "--flow", "planar*2", "--iters", "3", "--eval-draws",
        "50", "--json");
    assertEquals(0, planar.code, planar.toString());
    assertEquals(WARNING, planar.err.strip(), planar.toString());
    Run check = flowc(Map.of("FLOWC_SIMD", "1"), "check", model());
    assertEquals(0, check.code, check.toString());
    assertEquals("", check.err, check.toString());
  }

  /**
   * A neural fit compiles the batched body's segments each on its own (docs/performance.md,
   * "Neural flows in blocks"), with or without the module, and with two C2 compiler threads on a
   * machine of fewer than four processors (where HotSpot starts one); a fit of PyMC3's flows
   * keeps HotSpot's defaults.
   */
  @Test
  void neuralFitsCompileTheSegmentsOnTheirOwn() throws Exception {
    String option = "-XX:CompileCommand=dontinline,io.flowc.runtime.jit.*::block*";
    String threads = "-XX:CICompilerCount=3";
    boolean few = processors() < 4;
    for (String simd : List.of("1", "0")) {
      Run neural = flowc(Map.of("FLOWC_SIMD", simd, "FLOWC_JAVA_OPTS", "-XX:+PrintCommandLineFlags"), "fit", model(),
          "--flow", "nsf(hidden=4)", "--nmc", "16", "--iters", "3", "--eval-draws", "50", "--json");
      assertEquals(0, neural.code, neural.toString());
      String flags = neural.out.lines().findFirst().orElse("");
      assertTrue(flags.contains(option), neural.toString());
      assertEquals(few, flags.contains(threads), neural.toString());
    }
    Run planar = flowc(Map.of("FLOWC_JAVA_OPTS", "-XX:+PrintCommandLineFlags"), "fit", model(), "--flow", "planar*2",
        "--iters", "3", "--eval-draws", "50");
    assertEquals(0, planar.code, planar.toString());
    assertFalse(planar.out.contains("CompileCommand"), planar.toString());
    assertFalse(planar.out.contains(threads), planar.toString());
  }

  /**
   * Fits of every flow compile their kernels' methods whole, without C2's compilations on stack
   * replacement (HotSpot's back-edge threshold for them raised); other commands keep HotSpot's.
   */
  @Test
  void fitsCompileTheirKernelsWhole() throws Exception {
    String option = "-XX:Tier4BackEdgeThreshold=1000000";
    for (String flow : List.of("planar*2", "nsf(hidden=4)")) {
      Run fit = flowc(Map.of("FLOWC_JAVA_OPTS", "-XX:+PrintCommandLineFlags"), "fit", model(), "--flow", flow,
          "--nmc", "16", "--iters", "3", "--eval-draws", "50", "--json");
      assertEquals(0, fit.code, fit.toString());
      assertTrue(fit.out.lines().findFirst().orElse("").contains(option), fit.toString());
    }
    Run check = flowc(Map.of("FLOWC_JAVA_OPTS", "-XX:+PrintCommandLineFlags"), "check", model());
    assertEquals(0, check.code, check.toString());
    assertFalse(check.out.contains("Tier4BackEdgeThreshold"), check.toString());
  }

  /**
   * Fits of PyMC3's flows with a batched body (16 draws a step or more) get their loops compiled
   * by C1 after 10 calls; fits of one draw a step, neural fits and other commands keep HotSpot's 100.
   */
  @Test
  void batchedFitsOfPymc3FlowsCompileTheirLoopsEarly() throws Exception {
    String option = "-XX:Tier3MinInvocationThreshold=10";
    Map<String, Boolean> runs = new LinkedHashMap<>();
    runs.put("planar*2 --nmc 16", true);
    runs.put("planar*2 --nmc=100", true);
    runs.put("planar*2 --nmc 15", false);
    runs.put("planar*2", false);
    runs.put("nsf(hidden=4) --nmc 16", false);
    for (Map.Entry<String, Boolean> run : runs.entrySet()) {
      List<String> args = new ArrayList<>(List.of("fit", model(), "--iters", "3", "--eval-draws", "50", "--flow"));
      args.addAll(List.of(run.getKey().split(" ")));
      Run fit = flowc(Map.of("FLOWC_JAVA_OPTS", "-XX:+PrintCommandLineFlags"), args.toArray(String[]::new));
      assertEquals(0, fit.code, fit.toString());
      assertEquals(run.getValue(), fit.out.lines().findFirst().orElse("").contains(option), run.getKey() + ": " + fit);
    }
    Run check = flowc(Map.of("FLOWC_JAVA_OPTS", "-XX:+PrintCommandLineFlags"), "check", model());
    assertEquals(0, check.code, check.toString());
    assertFalse(check.out.contains("Tier3MinInvocationThreshold"), check.toString());
  }

  /** The processors {@code bin/flowc} counts: nproc's, OpenMP's limits aside. */
  private static int processors() throws Exception {
    ProcessBuilder nproc = new ProcessBuilder("nproc").redirectErrorStream(true);
    nproc.environment().remove("OMP_NUM_THREADS");
    nproc.environment().remove("OMP_THREAD_LIMIT");
    Process p = nproc.start();
    String out = new String(p.getInputStream().readAllBytes()).strip();
    assertTrue(p.waitFor(30, TimeUnit.SECONDS));
    return Integer.parseInt(out);
  }

  @Test
  void pymc3FlowsAndOtherCommandsRunWithoutTheModule() throws Exception {
    Run fit = flowc(Map.of(), "fit", model(), "--flow", "planar*2", "--iters", "3", "--eval-draws", "50");
    assertEquals(0, fit.code, fit.toString());
    assertEquals("", fit.err, fit.toString());
    Run check = flowc(Map.of(), "check", model());
    assertEquals(0, check.code, check.toString());
    assertEquals("", check.err, check.toString());
  }

  private static String model() {
    return Path.of(System.getProperty("flowc.root.dir"), "examples", "pot1.flow").toString();
  }

  private record Run(int code, String out, String err, String classLog) {
    boolean loaded(String className) {
      return classLog.lines().anyMatch(l -> l.contains(" " + className + " source:"));
    }

    @Override
    public String toString() {
      return "exit " + code + "\n--- stdout\n" + out + "--- stderr\n" + err;
    }
  }

  private static Run flowc(Map<String, String> env, String... args) throws Exception {
    Path out = root.resolve("out.txt");
    Path err = root.resolve("err.txt");
    Path classLog = root.resolve("classes.txt");
    Files.deleteIfExists(classLog);
    List<String> command = new ArrayList<>(List.of(root.resolve("bin/flowc").toString()));
    command.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile());
    Map<String, String> environment = new HashMap<>(Map.of("JAVA_HOME", System.getProperty("java.home"),
        "FLOWC_JAVA_OPTS", "-Xlog:class+load=info:file=" + classLog));
    environment.putAll(env);
    pb.environment().remove("FLOWC_SIMD");
    pb.environment().putAll(environment);
    Process p = pb.start();
    assertTrue(p.waitFor(120, TimeUnit.SECONDS), "bin/flowc timed out");
    return new Run(p.exitValue(), Files.readString(out), Files.readString(err),
        Files.exists(classLog) ? Files.readString(classLog) : "");
  }
}
