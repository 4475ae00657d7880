package io.flowc.compiler.backend;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.palantir.javapoet.JavaFile;
import io.flowc.compiler.TestPaths;
import io.flowc.compiler.diag.CompileException;
import io.flowc.compiler.diag.SourceFile;
import io.flowc.compiler.driver.Compilation;
import io.flowc.compiler.frontend.CheckedModel;
import io.flowc.compiler.frontend.FrontEnd;
import io.flowc.compiler.interp.Interpreter;
import io.flowc.compiler.ir.IrEvaluator;
import io.flowc.compiler.ir.IrFunction;
import io.flowc.compiler.ir.Node;
import io.flowc.compiler.kernel.KernelInterpreter;
import io.flowc.runtime.LogDensity;
import io.flowc.runtime.data.DataBinding;
import io.flowc.runtime.data.DataSet;
import io.flowc.runtime.jit.HiddenClasses;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.objectweb.asm.ClassReader;
import org.objectweb.asm.util.CheckClassAdapter;

/**
 * The two backends against each other (bit for bit), against the kernel and IR evaluators (bit
 * for bit) and against the reference interpreter (1e-12), on every example and on large models;
 * every emitted class verifies, and no generated method reaches HotSpot's 8000-byte limit.
 */
class BackendAgreementTest {
  static final String LARGE = "model large {\n  param z[1000];\n"
      + "  potential sum(log(cosh(z))) + 0.5 * sum(square(z - 0.1 * sin(z)));\n}\n";
  /** Scalarized code at its largest: every element its own statement. */
  static final String WIDE = "model wide {\n  param a[16]; param b[16]; param c[16]; param d[16];\n"
      + "  potential sum(log(cosh(a - b))) + 0.5 * sum(square(c - 0.1 * sin(d))) + dot(a, c) * mean(b * d);\n}\n";

  record Case(String name, String text, DataSet data) {
    Case(String name, String text) {
      this(name, text, null);
    }

    @Override
    public String toString() {
      return name;
    }
  }

  static Stream<Case> models() throws IOException {
    List<Case> cases = new ArrayList<>();
    try (Stream<Path> files = Files.list(TestPaths.examples())) {
      for (Path p : files.filter(f -> f.toString().endsWith(".flow")).sorted().toList()) {
        cases.add(new Case(p.getFileName().toString(), Files.readString(p), TestPaths.exampleData(p)));
      }
    }
    cases.add(new Case("large", LARGE));
    cases.add(new Case("wide", WIDE));
    return cases.stream();
  }

  @ParameterizedTest
  @MethodSource("models")
  void backendsAgreeWithEachOtherAndWithTheInterpreter(Case c) throws Exception {
    assertAgree(c.name(), FrontEnd.check(new SourceFile(c.name(), c.text()), c.data()));
  }

  /**
   * Bytecode, Java source, kernel interpreter and IR evaluator bit for bit on a checked model (its
   * sizes fixed or free), and the reference interpreter to rounding; returns the bytecode's
   * values and gradients at the ten points, one row per point (value first).
   */
  static double[][] assertAgree(String name, CheckedModel model) throws Exception {
    ModelKernels kernels = Compilation.kernels(model);
    String className = Compilation.className(model);

    byte[] bytecode = BytecodeBackend.emit(kernels, BytecodeBackend.JIT_PACKAGE + className);
    verify(bytecode);
    // generated classes read data from the workspace, where a binding puts it
    DataBinding binding = Compilation.dataBinding(model);
    LogDensity asm = binding.bind(HiddenClasses.defineLogDensity(bytecode));

    JavaFile source = JavaSourceBackend.emit(kernels, "io.flowc.generated", className);
    Map<String, byte[]> compiled = InMemoryJavac.compile(source);
    String binaryName = "io.flowc.generated." + className;
    LogDensity java = binding.bind(
        (LogDensity) InMemoryJavac.load(compiled, binaryName).getDeclaredConstructor().newInstance());

    assertMethodsBelowHugeLimit(name + " (bytecode backend)", bytecode);
    assertMethodsBelowHugeLimit(name + " (Java source backend)", compiled.get(binaryName));

    IrFunction ir = Compilation.valueAndGradient(model);
    Interpreter interpreter = new Interpreter(model);
    int n = model.dimension();
    assertEquals(n, asm.dimension());
    assertEquals(n, java.dimension());
    Random random = new Random(42);
    double[][] rows = new double[10][];
    for (int k = 0; k < 10; k++) {
      double[] z = new double[n];
      for (int i = 0; i < n; i++) {
        z[i] = random.nextGaussian();
      }
      double[] gAsm = new double[n];
      double[] gJava = new double[n];
      double[] gKernel = new double[n];
      double[] work = new double[asm.workspaceSize()];
      double vAsm = asm.logDensityGradient(z, gAsm, work);
      double vJava = java.logDensityGradient(z, gJava, new double[java.workspaceSize()]);
      double[] kernelWork = Compilation.dataWorkspace(model, kernels.gradient());
      // with free sizes the IR reads the row scale after the raw data, where the binding writes it
      double[] irData = model.dataLayout().isDynamic() ? kernelWork.clone() : model.dataValues();
      double vKernel = new KernelInterpreter(kernels.gradient()).run(z, gKernel, kernelWork, null, 0);
      Map<String, double[]> evaluated = IrEvaluator.evaluate(ir, z, irData);
      double[] gIr = new double[n];
      for (Node input : ir.inputs()) {
        double[] g = evaluated.get(Compilation.gradientName(input));
        System.arraycopy(g, 0, gIr, ir.offsetOf(input), g.length);
      }
      String where = name + " at point " + k;
      assertEquals(Double.doubleToLongBits(vJava), Double.doubleToLongBits(vAsm), where + ": value, ASM vs Java");
      assertEquals(Double.doubleToLongBits(vKernel), Double.doubleToLongBits(vAsm), where + ": value, ASM vs kernel");
      assertEquals(Double.doubleToLongBits(evaluated.get(Compilation.LOGP)[0]), Double.doubleToLongBits(vAsm),
          where + ": value, ASM vs IR");
      assertEquals(Double.doubleToLongBits(vAsm), Double.doubleToLongBits(asm.logDensity(z, work)),
          where + ": value-only kernel");
      for (int i = 0; i < n; i++) {
        assertEquals(Double.doubleToLongBits(gJava[i]), Double.doubleToLongBits(gAsm[i]), where + ": gradient " + i);
        assertEquals(Double.doubleToLongBits(gIr[i]), Double.doubleToLongBits(gAsm[i]), where + ": gradient " + i + " vs IR");
        assertEquals(Double.doubleToLongBits(gKernel[i]), Double.doubleToLongBits(gAsm[i]), where + ": gradient " + i + " vs kernel");
      }
      double reference = interpreter.logp(z);
      assertEquals(reference, vAsm, 1e-12 * Math.max(1, Math.abs(reference)), where + ": value vs interpreter");
      rows[k] = new double[n + 1];
      rows[k][0] = vAsm;
      System.arraycopy(gAsm, 0, rows[k], 1, n);
    }
    return rows;
  }

  static void verify(byte[] bytecode) {
    StringWriter problems = new StringWriter();
    CheckClassAdapter.verify(new ClassReader(bytecode), BackendAgreementTest.class.getClassLoader(), false,
        new PrintWriter(problems));
    assertEquals("", problems.toString(), "CheckClassAdapter");
  }

  /** HotSpot does not compile methods of 8000 bytes of bytecode or more. */
  static void assertMethodsBelowHugeLimit(String what, byte[] classFile) {
    assertMethodsBelowHugeLimit(what, classFile, "logDensityGradient");
  }

  static void assertMethodsBelowHugeLimit(String what, byte[] classFile, String entry) {
    Map<String, Integer> sizes = CodeSizes.of(classFile);
    assertTrue(sizes.containsKey(entry) && sizes.values().stream().allMatch(s -> s > 0),
        what + ": method sizes not found: " + sizes);
    int largest = sizes.values().stream().max(Integer::compare).orElseThrow();
    assertTrue(largest < 8000, what + ": a method of " + largest + " bytes: " + sizes);
  }
}
