package io.flowc.generated;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.flowc.compiler.TestPaths;
import io.flowc.compiler.backend.CodeSizes;
import io.flowc.compiler.diag.SourceFile;
import io.flowc.compiler.driver.Compilation;
import io.flowc.compiler.frontend.CheckedModel;
import io.flowc.compiler.frontend.FlowFormula;
import io.flowc.compiler.frontend.FlowFormulaParsing;
import io.flowc.compiler.frontend.FrontEnd;
import io.flowc.compiler.interp.Interpreter;
import io.flowc.compiler.ir.IrEvaluator;
import io.flowc.compiler.ir.IrFunction;
import io.flowc.compiler.ir.Node;
import io.flowc.runtime.LogDensity;
import io.flowc.runtime.flow.DrawsSwitch;
import io.flowc.runtime.flow.FlowKernel;
import io.flowc.runtime.flow.FlowLayout;
import io.flowc.runtime.nfvi.Fit;
import io.flowc.runtime.nfvi.Nfvi;
import io.flowc.runtime.optim.Optimizers;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The classes the annotation processor generated at build time against the run-time path (the
 * same model compiled to bytecode now, bit for bit: the two backends are documented to be
 * identical), against the reference interpreter and the IR (to 1e-12), and against central
 * differences for gradients.
 */
class GeneratedAgreementTest {
  record FlowCase(GeneratedModel model, String formula) {
    @Override
    public String toString() {
      return model.name() + " " + formula;
    }
  }

  static Stream<GeneratedModel> models() {
    return GeneratedModel.all().stream();
  }

  static Stream<FlowCase> flows() {
    return GeneratedModel.all().stream().flatMap(m -> m.flows().stream().map(f -> new FlowCase(m, f)));
  }

  /** The text the processor compiled, for the run-time compiler to compile again. */
  static CheckedModel runTimeModel(GeneratedModel m) throws Exception {
    String text = switch (m.name()) {
      case "banana" -> Banana.CODE;
      case "scales" -> Scales.CODE;
      case "funnel" -> Files.readString(TestPaths.repoRoot().resolve("generated-tests/src/test/java/io/flowc/generated/funnel.flow"));
      default -> Files.readString(TestPaths.example(m.name()));
    };
    return FrontEnd.check(new SourceFile(m.name(), text));
  }

  @Test
  void everyExampleIsCompiledByTheProcessor() throws IOException {
    Set<String> examples = new TreeSet<>();
    try (Stream<Path> files = Files.list(TestPaths.examples())) {
      // models with data are bound at run time: GeneratedDataModelTest compares one of them
      files.filter(p -> p.toString().endsWith(".flow") && TestPaths.exampleData(p) == null)
          .map(p -> p.getFileName().toString())
          .forEach(n -> examples.add(n.substring(0, n.length() - ".flow".length())));
    }
    Set<String> generated = new TreeSet<>(GeneratedModel.all().stream().map(GeneratedModel::name).toList());
    assertTrue(generated.containsAll(examples), "examples without a @FlowModel here: " + examples + " vs " + generated);
  }

  @ParameterizedTest
  @MethodSource("models")
  void theEntryDescribesTheModelAsTheCompilerDoes(GeneratedModel m) throws Exception {
    CheckedModel model = runTimeModel(m);
    assertEquals(model.name(), m.name());
    assertEquals(model.dimension(), m.dimension());
    assertEquals(model.dimension(), m.model().dimension());
    assertEquals(model.layout(), m.parameterLayout(), "names, sizes and bounds");
    assertEquals(model.elementNames(), m.elementNames());
    assertEquals(Compilation.sha256(model.ast().source().text()), m.sourceSha256());
    for (String formula : m.flows()) {
      FlowFormula parsed = FlowFormulaParsing.parse(formula);
      assertEquals(parsed.normalized(), formula, "flows() lists normalized formulas");
      FlowLayout expected = FlowLayout.ofFlows(parsed.flows(), model.dimension());
      assertEquals(expected, m.flowLayout().apply(formula), formula);
      assertEquals(expected.parameterCount(), m.flow().apply(formula).parameterCount(), formula);
      assertEquals(model.dimension(), m.flow().apply(formula).dimension(), formula);
    }
  }

  @ParameterizedTest
  @MethodSource("models")
  void theLogDensityIsTheRunTimeClassBitForBitAndTheInterpretersValue(GeneratedModel m) throws Exception {
    CheckedModel model = runTimeModel(m);
    LogDensity asm = Compilation.load(model);
    LogDensity generated = m.model();
    Interpreter interpreter = new Interpreter(model);
    int n = model.dimension();
    double[] work = new double[Math.max(asm.workspaceSize(), generated.workspaceSize())];
    Random random = new Random(2026);
    for (int k = 0; k < 20; k++) {
      double[] z = new double[n];
      for (int i = 0; i < n; i++) {
        z[i] = k == 0 ? 0.25 : 1.5 * random.nextGaussian();
      }
      String at = m.name() + " at " + (n <= 4 ? Arrays.toString(z) : "point " + k);
      double[] gAsm = new double[n];
      double[] gGenerated = new double[n];
      double vAsm = asm.logDensityGradient(z, gAsm, work);
      double v = generated.logDensityGradient(z, gGenerated, work);
      assertEquals(Double.doubleToLongBits(vAsm), Double.doubleToLongBits(v), at + ": value vs the run-time class");
      assertEquals(Double.doubleToLongBits(v), Double.doubleToLongBits(generated.logDensity(z, work)),
          at + ": value-only method");
      for (int i = 0; i < n; i++) {
        assertEquals(Double.doubleToLongBits(gAsm[i]), Double.doubleToLongBits(gGenerated[i]),
            at + ": gradient " + m.elementNames().get(i) + " vs the run-time class");
      }
      double reference = interpreter.logp(z);
      assertEquals(reference, v, 1e-12 * Math.max(1, Math.abs(reference)), at + ": value vs the interpreter");
      for (int i = 0; i < n; i += Math.max(1, n / 10)) {
        double h = Math.cbrt(Math.ulp(1.0)) * Math.max(1, Math.abs(z[i]));
        double[] up = z.clone();
        double[] down = z.clone();
        up[i] += h;
        down[i] -= h;
        double central = (interpreter.logp(up) - interpreter.logp(down)) / (up[i] - down[i]);
        assertEquals(central, gGenerated[i], 1e-6 * Math.max(1, Math.abs(central)),
            at + ": gradient " + m.elementNames().get(i) + " vs central differences of the interpreter");
      }
    }
  }

  @ParameterizedTest
  @MethodSource("flows")
  void flowKernelsAreTheRunTimeClassesBitForBitAndTheIrsValues(FlowCase c) throws Exception {
    CheckedModel model = runTimeModel(c.model());
    FlowFormula formula = FlowFormulaParsing.parse(c.formula());
    FlowLayout layout = FlowLayout.ofFlows(formula.flows(), model.dimension());
    FlowKernel asm = Compilation.loadFlow(model, formula);
    FlowKernel generated = c.model().flow().apply(c.formula());
    IrFunction elbo = Compilation.elbo(model, layout);
    List<String> names = layout.elementNames();
    int d = model.dimension();
    Random random = new Random(17);
    // 17 draws: a batched body, and the other kernel of a formula whose kernels switch by draws
    for (int draws : new int[] {1, 3, 17}) {
      String at = c + ", " + draws + " draws";
      double[] theta = layout.initialParameters(0.5, random.nextLong());
      double[] eps = new double[draws * d];
      for (int i = 0; i < eps.length; i++) {
        eps[i] = random.nextGaussian();
      }
      double[] gAsm = new double[theta.length];
      double[] gGenerated = new double[theta.length];
      double lossAsm = asm.lossGradient(theta, eps, draws, gAsm, new double[asm.workspaceSize()]);
      double loss = generated.lossGradient(theta, eps, draws, gGenerated, new double[generated.workspaceSize()]);
      assertEquals(Double.doubleToLongBits(lossAsm), Double.doubleToLongBits(loss), at + ": loss vs the run-time class");
      for (int i = 0; i < theta.length; i++) {
        assertEquals(Double.doubleToLongBits(gAsm[i]), Double.doubleToLongBits(gGenerated[i]),
            at + ": gradient " + names.get(i) + " vs the run-time class");
      }
      double[] zAsm = new double[draws * d];
      double[] logqAsm = new double[draws];
      double[] z = new double[draws * d];
      double[] logq = new double[draws];
      asm.sample(theta, eps, draws, zAsm, logqAsm, new double[asm.workspaceSize()]);
      generated.sample(theta, eps, draws, z, logq, new double[generated.workspaceSize()]);
      assertArrayEquals(zAsm, z, at + ": z vs the run-time class");
      assertArrayEquals(logqAsm, logq, at + ": log q vs the run-time class");
      double expectedLoss = 0;
      double[] expectedGradient = new double[theta.length];
      for (int s = 0; s < draws; s++) {
        double[] input = new double[theta.length + d];
        System.arraycopy(theta, 0, input, 0, theta.length);
        System.arraycopy(eps, s * d, input, theta.length, d);
        Map<String, double[]> r = IrEvaluator.evaluate(elbo, input);
        expectedLoss += r.get("loss")[0] / draws;
        for (Node p : elbo.inputs().subList(0, layout.slots().size())) {
          double[] g = r.get(Compilation.gradientName(p));
          for (int i = 0; i < g.length; i++) {
            expectedGradient[elbo.offsetOf(p) + i] += g[i] / draws;
          }
        }
        assertEquals(r.get("logq")[0], logq[s], 1e-12 * Math.max(1, Math.abs(logq[s])), at + ": log q vs the IR");
        for (int j = 0; j < d; j++) {
          assertEquals(r.get("z")[j], z[s * d + j], 1e-12 * Math.max(1, Math.abs(z[s * d + j])), at + ": z vs the IR");
        }
      }
      assertEquals(expectedLoss, loss, 1e-12 * Math.max(1, Math.abs(expectedLoss)), at + ": loss vs the IR");
      for (int i = 0; i < theta.length; i++) {
        assertEquals(expectedGradient[i], gGenerated[i], 1e-11 * Math.max(1, Math.abs(expectedGradient[i])),
            at + ": gradient " + names.get(i) + " vs the IR");
      }
    }
  }

  @ParameterizedTest
  @MethodSource("flows")
  void aFitWithGeneratedClassesIsTheFitWithRunTimeClasses(FlowCase c) throws Exception {
    CheckedModel model = runTimeModel(c.model());
    FlowFormula formula = FlowFormulaParsing.parse(c.formula());
    Nfvi runTime = new Nfvi(Compilation.loadFlow(model, formula), Compilation.load(model),
        FlowLayout.ofFlows(formula.flows(), model.dimension()));
    Nfvi.Settings settings = new Nfvi.Settings(100, Optimizers.byName("adam", 0.01), 2, 0.5, 11,
        Nfvi.Settings.NO_CLIPPING, List.of());
    Fit expected = runTime.fit(settings);
    Fit fit = c.model().nfvi().apply(c.formula()).fit(settings);
    assertEquals(expected.status(), fit.status(), c.toString());
    assertArrayEquals(expected.history(), fit.history(), c + ": losses");
    assertArrayEquals(expected.parameters(), fit.parameters(), c + ": parameters");
  }

  /**
   * A formula with runs of neural flows gets two generated kernels, as an artifact does: the run as
   * one loop for calls of fewer than 16 draws (a small class), unrolled for calls the batched body
   * runs; a formula whose runs do not depend on the draws gets one.
   */
  @Test
  void neuralRunsGetALoopedKernelForFewDrawsAndTheUnrolledOneForMany() throws IOException {
    for (String formula : List.of("nsf(hidden=8)*4", "realnvp(hidden=8)*5", "iaf(hidden=8)*4")) {
      DrawsSwitch kernel = (DrawsSwitch) NeuralPot1.flow(formula);
      Class<?> few = kernel.kernelFor(15).getClass();
      Class<?> many = kernel.kernelFor(16).getClass();
      assertEquals(NeuralPot1.class.getPackageName(), few.getPackageName(), formula);
      assertTrue(few.getSimpleName().endsWith("_DrawByDraw"), few.getName());
      assertTrue(classBytes(few) < classBytes(many) / 2, formula + ": the loop's class is the smaller, "
          + classBytes(few) + " against " + classBytes(many) + " bytes");
    }
    for (String formula : List.of("sylvester*2")) {
      assertFalse(NeuralPot1.flow(formula) instanceof DrawsSwitch, formula);
    }
    for (String formula : Flowc_Pot1.flows()) {
      assertFalse(Flowc_Pot1.flow(formula) instanceof DrawsSwitch, formula);
    }
  }

  private static int classBytes(Class<?> c) throws IOException {
    try (InputStream in = c.getResourceAsStream(c.getSimpleName() + ".class")) {
      return in.readAllBytes().length;
    }
  }

  /** javac compiled the generated sources in the build: every method must stay JIT-compilable. */
  @ParameterizedTest
  @MethodSource("models")
  void everyGeneratedMethodIsBelowHotSpotsHugeMethodLimit(GeneratedModel m) throws IOException {
    List<Class<?>> classes = new ArrayList<>();
    classes.add(m.model().getClass());
    for (String formula : m.flows()) {
      FlowKernel kernel = m.flow().apply(formula);
      if (kernel instanceof DrawsSwitch switched) {
        classes.add(switched.kernelFor(1).getClass());
        kernel = switched.kernelFor(Integer.MAX_VALUE);
      }
      classes.add(kernel.getClass());
    }
    for (Class<?> c : classes) {
      try (InputStream in = c.getResourceAsStream(c.getSimpleName() + ".class")) {
        Map<String, Integer> sizes = CodeSizes.of(in.readAllBytes());
        int largest = sizes.values().stream().max(Integer::compare).orElseThrow();
        assertTrue(largest < 8000, c.getName() + ": a method of " + largest + " bytes: " + sizes);
      }
    }
  }
}
