package io.flowc.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.flowc.runtime.Artifact;
import io.flowc.runtime.FlowcVersion;
import io.flowc.runtime.LogDensity;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.reflect.Method;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Enumeration;
import java.util.List;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import java.util.zip.ZipOutputStream;
import org.apache.commons.numbers.core.Precision;
import org.apache.commons.numbers.gamma.Erf;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CompileCommandTest {
  @TempDir
  Path tmp;

  private Path compile(String example) {
    Path jar = tmp.resolve(example + ".jar");
    Cli.Result r = Cli.run("compile", Cli.example(example), "-o", jar.toString());
    assertEquals(0, r.code(), r.toString());
    assertEquals(List.of("wrote " + jar + " (model " + example + ", dimension " + (example.equals("normal100") ? 100 : 2) + ")"),
        r.outLines());
    return jar;
  }

  @Test
  void anArtifactEvaluatesExactlyAsItsSource() {
    for (String example : List.of("pot1", "pot4", "normal100")) {
      Path jar = compile(example);
      String point = example.equals("normal100") ? "0.3," + "0.1,".repeat(98) + "-2" : "0.7,-1.2";
      Cli.Result fromSource = Cli.run("check", Cli.example(example), "--at", point, "--json");
      Cli.Result fromJar = Cli.run("check", jar.toString(), "--at", point, "--json");
      assertEquals(0, fromJar.code(), fromJar.toString());
      assertEquals(fromSource.lastOutLine(), fromJar.lastOutLine(), example);
      assertEquals(Cli.run("check", Cli.example(example)).out(), Cli.run("check", jar.toString()).out(), example);
    }
  }

  @Test
  void artifactsAreReproducibleAndCarryTheirMetadata() throws IOException {
    Path jar = compile("pot1");
    byte[] first = Files.readAllBytes(jar);
    compile("pot1");
    assertArrayEquals(first, Files.readAllBytes(jar), "the same model gives the same jar");
    Artifact artifact = Artifact.open(jar);
    assertEquals("pot1", artifact.modelName());
    assertEquals(FlowcVersion.get(), artifact.flowcVersion());
    assertEquals(List.of("z[0]", "z[1]"), artifact.elementNames());
    assertEquals("z:2", artifact.property(Artifact.KEY_PARAMS));
    assertEquals(Files.readString(Path.of(Cli.example("pot1"))), artifact.source());
    assertEquals(64, artifact.sourceSha256().length());
  }

  /** The runtime alone (and its one dependency) loads and runs an artifact: no compiler needed. */
  @Test
  void theRuntimeAloneLoadsAnArtifact() throws Exception {
    Path jar = compile("pot1");
    URL[] path = {
      location(LogDensity.class), location(Erf.class), location(Precision.class), jar.toUri().toURL()
    };
    try (URLClassLoader runtimeOnly = new URLClassLoader(path, ClassLoader.getPlatformClassLoader())) {
      assertThrows(ClassNotFoundException.class, () -> runtimeOnly.loadClass("io.flowc.compiler.driver.Compilation"));
      assertThrows(ClassNotFoundException.class, () -> runtimeOnly.loadClass("org.objectweb.asm.ClassWriter"));
      Class<?> artifactClass = runtimeOnly.loadClass(Artifact.class.getName());
      assertFalse(artifactClass == Artifact.class, "loaded apart from the test's runtime");
      Object artifact = artifactClass.getMethod("open", Path.class).invoke(null, jar);
      Object density = artifactClass.getMethod("logDensity").invoke(artifact);
      Method gradient = density.getClass().getMethod("logDensityGradient", double[].class, double[].class, double[].class);
      gradient.setAccessible(true);
      double[] g = new double[2];
      double logp = (double) gradient.invoke(density, new double[] {2.0, 0.3}, g, new double[0]);
      assertEquals(-0.0015644795807814122, logp, 1e-15);
      assertEquals(-0.13829559162809332, g[0], 1e-15);
      // and a compiled flow kernel, through the same runtime-only loader
      Path withFlow = tmp.resolve("pot1-planar.jar");
      assertEquals(0, Cli.run("compile", Cli.example("pot1"), "--flow", "planar", "-o", withFlow.toString()).code());
      Object flowArtifact = artifactClass.getMethod("open", Path.class).invoke(null, withFlow);
      Object flow = artifactClass.getMethod("flowKernel", String.class).invoke(flowArtifact, "planar");
      Method parameterCount = flow.getClass().getMethod("parameterCount");
      parameterCount.setAccessible(true);
      assertEquals(5, parameterCount.invoke(flow));
    }
  }

  private static URL location(Class<?> c) throws IOException {
    return c.getProtectionDomain().getCodeSource().getLocation();
  }

  /** A formula with options is recorded in its canonical form; the runtime alone lays it out as the compiler did. */
  @Test
  void neuralFormulasAreCompiledIntoTheArtifact() throws Exception {
    Path jar = tmp.resolve("pot1-neural.jar");
    Cli.Result r = Cli.run("compile", Cli.example("pot1"), "--flow", "NSF(hidden=8, bins=4)*2-loc", "-o", jar.toString());
    assertEquals(0, r.code(), r.toString());
    Artifact artifact = Artifact.open(jar);
    assertEquals(List.of("nsf(bins=4,hidden=8)*2-loc"), artifact.formulas());
    var formula = io.flowc.compiler.frontend.FlowFormulaParsing.parse("nsf(bins=4,hidden=8)*2-loc");
    io.flowc.runtime.flow.FlowLayout layout = artifact.flowLayout(io.flowc.runtime.flow.FlowFormulas.normalize("nsf(hidden=8,bins=4)*2-loc"));
    assertEquals(formula.layout(2), layout);
    var fromJar = artifact.flowKernel(artifact.formulas().get(0), layout);
    var compiled = io.flowc.compiler.driver.Compilation.loadFlow(
        io.flowc.compiler.frontend.FrontEnd.check(new io.flowc.compiler.diag.SourceFile("pot1",
            Files.readString(Path.of(Cli.example("pot1"))))), formula);
    double[] theta = layout.initialParameters(1, 3);
    java.util.Random random = new java.util.Random(3);
    for (int i = 0; i < theta.length; i++) {
      theta[i] += 0.3 * random.nextGaussian();
    }
    double[] eps = {0.1, -0.4, 1.2, 0.3};
    double[] g1 = new double[theta.length];
    double[] g2 = new double[theta.length];
    assertEquals(compiled.lossGradient(theta, eps, 2, g1, new double[compiled.workspaceSize()]),
        fromJar.lossGradient(theta, eps, 2, g2, new double[fromJar.workspaceSize()]));
    assertArrayEquals(g1, g2);
  }

  @Test
  void flowFormulasAreCompiledIntoTheArtifact() throws Exception {
    Path jar = tmp.resolve("pot1-flows.jar");
    Cli.Result r = Cli.run("compile", Cli.example("pot1"), "--flow", "planar*2", "--flow", "Scale - Loc", "-o", jar.toString());
    assertEquals(0, r.code(), r.toString());
    assertEquals("wrote " + jar + " (model pot1, dimension 2, flows planar*2, scale-loc)", r.outLines().get(0));
    Artifact artifact = Artifact.open(jar);
    assertEquals(List.of("planar*2", "scale-loc"), artifact.formulas());
    var fromJar = artifact.flowKernel("planar*2");
    var compiled = io.flowc.compiler.driver.Compilation.loadFlow(
        io.flowc.compiler.frontend.FrontEnd.check(new io.flowc.compiler.diag.SourceFile("pot1",
            Files.readString(Path.of(Cli.example("pot1"))))),
        io.flowc.compiler.frontend.FlowFormulaParsing.parse("planar*2"));
    double[] theta = io.flowc.runtime.flow.FlowLayout.of(
        List.of(io.flowc.runtime.flow.FlowKind.PLANAR, io.flowc.runtime.flow.FlowKind.PLANAR), 2).initialParameters(1, 3);
    double[] eps = {0.1, -0.4, 1.2, 0.3};
    double[] g1 = new double[theta.length];
    double[] g2 = new double[theta.length];
    assertEquals(compiled.lossGradient(theta, eps, 2, g1, new double[compiled.workspaceSize()]),
        fromJar.lossGradient(theta, eps, 2, g2, new double[fromJar.workspaceSize()]));
    assertArrayEquals(g1, g2);
    io.flowc.runtime.ArtifactException missing =
        assertThrows(io.flowc.runtime.ArtifactException.class, () -> artifact.flowKernel("planar*3"));
    assertEquals(jar + ": has no compiled flow 'planar*3' (it has: planar*2, scale-loc)", missing.getMessage());

    Cli.Result bad = Cli.run("compile", Cli.example("pot1"), "--flow", "planr", "-o", tmp.resolve("bad.jar").toString());
    assertEquals(2, bad.code(), bad.toString());
    assertTrue(bad.err().startsWith("error: --flow:1:1: unknown flow 'planr' (known: loc, scale, planar, radial, hh, reverse, realnvp, iaf, nsf, nsf_ar, sylvester)"),
        bad.toString());
    assertFalse(Files.exists(tmp.resolve("bad.jar")));

    Path src = tmp.resolve("flow-src");
    Cli.Result java = Cli.run("compile", Cli.example("pot1"), "--flow", "planar*2", "-o", jar.toString(),
        "--emit-java", src.toString());
    assertEquals(0, java.code(), java.toString());
    assertTrue(Files.readString(src.resolve("io/flowc/artifact/Model_pot1_Flow0.java"))
        .contains("implements FlowKernel"));
  }

  @Test
  void anArtifactFromAnotherVersionIsRefused() throws IOException {
    Path jar = compile("pot1");
    Path other = tmp.resolve("other.jar");
    rewrite(jar, other, Artifact.METADATA, text -> text.replace("flowc.version=" + FlowcVersion.get(), "flowc.version=0.0.1"));
    Cli.Result r = Cli.run("check", other.toString(), "--at", "1,2");
    assertEquals(2, r.code(), r.toString());
    assertEquals(List.of("error: " + other + ": compiled by flowc 0.0.1, but this is flowc " + FlowcVersion.get()
        + "; compile the model again with this version"), r.errLines());
  }

  @Test
  void brokenJarsAreRefusedWithOneLine() throws IOException {
    Path jar = compile("pot1");
    Path truncated = tmp.resolve("truncated.jar");
    byte[] bytes = Files.readAllBytes(jar);
    Files.write(truncated, java.util.Arrays.copyOf(bytes, bytes.length / 2));
    Path notArtifact = tmp.resolve("plain.jar");
    try (ZipOutputStream zip = new ZipOutputStream(Files.newOutputStream(notArtifact))) {
      zip.putNextEntry(new ZipEntry("hello.txt"));
      zip.write("hello".getBytes(StandardCharsets.UTF_8));
      zip.closeEntry();
    }
    Path text = tmp.resolve("text.jar");
    Files.writeString(text, "not a zip at all");
    Path badClass = tmp.resolve("badclass.jar");
    rewrite(jar, badClass, "io/flowc/artifact/Model_pot1.class", s -> "garbage");
    Path missing = tmp.resolve("missing.jar");

    assertRefused(truncated, truncated + ": not a readable jar (");
    assertRefused(text, text + ": not a readable jar (");
    assertRefused(notArtifact, notArtifact + ": not a flowc artifact (no META-INF/flowc/model.properties)");
    assertRefused(badClass, "corrupt artifact: " + badClass + ": entry io/flowc/artifact/Model_pot1.class does not match");
    assertRefused(missing, missing + ": no such file");
  }

  private static void assertRefused(Path jar, String messageStart) {
    Cli.Result r = Cli.run("check", jar.toString(), "--at", "1,2");
    assertEquals(2, r.code(), r.toString());
    assertEquals(1, r.errLines().size(), r.toString());
    assertTrue(r.errLines().get(0).startsWith("error: " + messageStart), r.toString());
    assertFalse(r.err().contains("\tat "), r.toString());
  }

  @Test
  void emitJavaWritesTheReadableSource() throws IOException {
    Path jar = tmp.resolve("pot1.jar");
    Path src = tmp.resolve("src");
    Cli.Result r = Cli.run("compile", Cli.example("pot1"), "-o", jar.toString(), "--emit-java", src.toString());
    assertEquals(0, r.code(), r.toString());
    Path file = src.resolve("io/flowc/artifact/Model_pot1.java");
    assertEquals("wrote " + file, r.outLines().get(1));
    String java = Files.readString(file);
    assertTrue(java.contains("public final class Model_pot1 implements LogDensity"), java);
    // pot1's mixture: its logaddexp written out beside its gradient's sigmoids, around one exp
    assertTrue(java.contains("MathFunctions.log1p(") && java.contains("Math.exp("), java);
  }

  /**
   * A formula whose neural flows loop in fits of few draws has two classes in the artifact, and
   * --emit-java writes both.
   */
  @Test
  void neuralFlowsGetTheirDrawByDrawClassInTheJarAndAsSource() throws IOException {
    Path jar = tmp.resolve("nsf.jar");
    Path src = tmp.resolve("nsf-src");
    Cli.Result r = Cli.run("compile", Cli.example("pot1"), "--flow", "nsf(hidden=8)*4", "-o", jar.toString(),
        "--emit-java", src.toString());
    assertEquals(0, r.code(), r.toString());
    try (java.util.jar.JarFile entries = new java.util.jar.JarFile(jar.toFile())) {
      assertTrue(entries.getEntry("io/flowc/artifact/Model_pot1_Flow0.class") != null, "unrolled class");
      assertTrue(entries.getEntry("io/flowc/artifact/Model_pot1_Flow0_DrawByDraw.class") != null, "looped class");
    }
    String looped = Files.readString(src.resolve("io/flowc/artifact/Model_pot1_Flow0_DrawByDraw.java"));
    assertTrue(looped.contains("public final class Model_pot1_Flow0_DrawByDraw implements FlowKernel"), looped);
    assertTrue(Files.exists(src.resolve("io/flowc/artifact/Model_pot1_Flow0.java")));
  }

  @Test
  void userErrors() throws IOException {
    Cli.Result noJar = Cli.run("compile", Cli.example("pot1"), "-o", tmp.resolve("pot1.zip").toString());
    assertEquals(2, noJar.code());
    assertTrue(noJar.err().startsWith("error: -o "), noJar.toString());
    Cli.Result noOutput = Cli.run("compile", Cli.example("pot1"));
    assertEquals(2, noOutput.code());
    Path bad = tmp.resolve("bad.flow");
    Files.writeString(bad, "model m { param z; potential y; }");
    Cli.Result badModel = Cli.run("compile", bad.toString(), "-o", tmp.resolve("bad.jar").toString());
    assertEquals(2, badModel.code());
    assertTrue(badModel.err().contains("'y' is not declared"), badModel.toString());
    assertFalse(Files.exists(tmp.resolve("bad.jar")), "no output for a bad model");
    Path jar = compile("pot1");
    Cli.Result interpret = Cli.run("check", jar.toString(), "--at", "1,2", "--interpret");
    assertEquals(2, interpret.code());
    assertEquals("error: --interpret needs the model's source, not a compiled artifact", interpret.errLines().get(0));
  }

  /** Copies a jar, replacing one entry's text. */
  private static void rewrite(Path from, Path to, String entryName, java.util.function.UnaryOperator<String> change)
      throws IOException {
    try (ZipFile zip = new ZipFile(from.toFile());
        OutputStream out = Files.newOutputStream(to);
        ZipOutputStream copy = new ZipOutputStream(out)) {
      Enumeration<? extends ZipEntry> entries = zip.entries();
      while (entries.hasMoreElements()) {
        ZipEntry e = entries.nextElement();
        byte[] bytes;
        try (InputStream in = zip.getInputStream(e)) {
          bytes = in.readAllBytes();
        }
        if (e.getName().equals(entryName)) {
          bytes = change.apply(new String(bytes, StandardCharsets.ISO_8859_1)).getBytes(StandardCharsets.ISO_8859_1);
        }
        copy.putNextEntry(new ZipEntry(e.getName()));
        copy.write(bytes);
        copy.closeEntry();
      }
    }
  }
}
