package io.flowc.compiler.backend;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.palantir.javapoet.JavaFile;
import io.flowc.compiler.diag.SourceFile;
import io.flowc.compiler.driver.Compilation;
import io.flowc.compiler.frontend.CheckedModel;
import io.flowc.compiler.frontend.FrontEnd;
import io.flowc.compiler.interp.Interpreter;
import io.flowc.compiler.kernel.Kernel;
import io.flowc.compiler.kernel.Kernel.Const;
import io.flowc.compiler.kernel.Kernel.Element;
import io.flowc.compiler.kernel.Kernel.Instr;
import io.flowc.compiler.kernel.Kernel.Return;
import io.flowc.compiler.kernel.Kernel.Store;
import io.flowc.compiler.kernel.KernelInterpreter;
import io.flowc.compiler.kernel.KernelSplitter;
import io.flowc.runtime.LogDensity;
import io.flowc.runtime.jit.HiddenClasses;
import java.util.ArrayList;
import java.util.List;
import java.util.StringJoiner;
import org.junit.jupiter.api.Test;

/**
 * Models with more distinct constants than a class's constant pool holds (65535 entries, two per
 * double): both backends keep the excess in static arrays, and the classes compute what the
 * interpreter does. What still exceeds a class file's limits is refused with a reason.
 */
class LargeModelsTest {

  @Test
  void vectorLiteralOf40000Values() throws Exception {
    StringJoiner values = new StringJoiner(", ", "[", "]");
    for (int i = 0; i < 40_000; i++) {
      values.add(Double.toString(0.5 + i * 1e-3));
    }
    assertAgree("model vec {\n  param x;\n  let c = " + values + ";\n"
        + "  potential 0.5 * x^2 + 1e-9 * sum(c) * x;\n}\n", 0.7);
  }

  @Test
  void chainOf20000Lets() throws Exception {
    StringBuilder text = new StringBuilder("model lets {\n  param x;\n  let a0 = x;\n");
    for (int i = 1; i < 20_000; i++) {
      text.append("  let a").append(i).append(" = a").append(i - 1).append(" * ").append(1 - i * 1e-9)
          .append(" + ").append(i * 1e-7).append(";\n");
    }
    assertAgree(text.append("  potential 0.5 * a19999^2;\n}\n").toString(), 0.3);
  }

  @Test
  void functionsNested500Deep() throws Exception {
    // each level scales a vector by its own 70 constants: 35,000 distinct values in all
    StringBuilder text = new StringBuilder("model nest {\n  param x;\n  fn f0(v) = v;\n");
    for (int i = 1; i <= 500; i++) {
      StringJoiner scale = new StringJoiner(", ", "[", "]");
      for (int j = 0; j < 70; j++) {
        scale.add(Double.toString(1 + (i * 70 + j) * 1e-9));
      }
      text.append("  fn f").append(i).append("(v) = f").append(i - 1).append("(v) * ").append(scale).append(";\n");
    }
    assertAgree(text.append("  potential 0.5 * sum(square(f500(x + [").append("0.0, ".repeat(69))
        .append("0.0]))) / 70;\n}\n").toString(), -0.4);
  }

  @Test
  void whatNoClassFileCanHoldIsRefusedWithAReason() {
    // 70,000 stores at workspace indices above 32767 need an int constant each, besides the
    // constants loaded directly: more than a constant pool's 65535 entries
    List<Instr> body = new ArrayList<>();
    for (int i = 0; i < 70_000; i++) {
      body.add(new Store(new Element(Kernel.Array.WORK, i), new Const(0.25 + i)));
    }
    body.add(new Return(new Const(0)));
    Kernel kernel = new Kernel(1, 70_000, 0, 0, body);
    ModelKernels kernels = new ModelKernels("huge", "0", kernel, kernel);
    CodeTooLargeException e = assertThrows(CodeTooLargeException.class,
        () -> BytecodeBackend.emit(kernels, BytecodeBackend.JIT_PACKAGE + "Model_huge"));
    assertTrue(e.getMessage().startsWith("model huge is too large to compile (its class needs "), e.getMessage());
    assertTrue(e.getMessage().contains("constant pool entries, a class file holds 65535"), e.getMessage());
  }

  @Test
  void bothBackendsReadTabledConstantsAlike() throws Exception {
    // a small model with a small direct budget: the same tables as a large one, javac in seconds
    StringBuilder text = new StringBuilder("model chain {\n  param x[2];\n  let a0 = x[0];\n");
    for (int i = 1; i < 300; i++) {
      text.append("  let a").append(i).append(" = a").append(i - 1).append(" * ").append(1 - i * 1e-6)
          .append(" + ").append(i * 1e-4).append(" * sin(x[1]);\n");
    }
    CheckedModel model = FrontEnd.check(new SourceFile("chain.flow", text.append("  potential 0.5 * a299^2 + x[1]^2 / 4;\n}\n")
        .toString()), null);
    ModelKernels kernels = Compilation.kernels(model);
    int direct = 100;
    assertTrue(ConstantTable.of(direct, KernelSplitter.split(kernels.value()), KernelSplitter.split(kernels.gradient()))
        .tableCount() > 0);
    String className = Compilation.className(model);
    byte[] bytecode = BytecodeBackend.emit(kernels, BytecodeBackend.JIT_PACKAGE + className, direct);
    BackendAgreementTest.verify(bytecode);
    LogDensity asm = HiddenClasses.defineLogDensity(bytecode);
    JavaFile source = JavaSourceBackend.emit(kernels, "io.flowc.generated", className, direct);
    assertTrue(source.toString().contains("Constants.decode(\""), "tabled constants in the Java source");
    LogDensity java = (LogDensity) InMemoryJavac.load(InMemoryJavac.compile(source), "io.flowc.generated." + className)
        .getDeclaredConstructor().newInstance();
    double[] z = {0.3, -0.8};
    double[] gAsm = new double[2];
    double[] gJava = new double[2];
    double vAsm = asm.logDensityGradient(z, gAsm, new double[asm.workspaceSize()]);
    double vJava = java.logDensityGradient(z, gJava, new double[java.workspaceSize()]);
    assertEquals(Double.doubleToLongBits(vJava), Double.doubleToLongBits(vAsm), "value, ASM vs Java");
    for (int i = 0; i < 2; i++) {
      assertEquals(Double.doubleToLongBits(gJava[i]), Double.doubleToLongBits(gAsm[i]), "gradient " + i);
    }
    assertAgreesWithReferences(model, kernels, asm, z);
  }

  /**
   * The model's class loads (it has more distinct constants than a constant pool holds) and
   * computes what the kernel interpreter does, bit for bit, and the reference interpreter's value.
   */
  private static void assertAgree(String text, double x) throws Exception {
    // deep models need the stack the command line gives the compiler
    Throwable[] failure = new Throwable[1];
    Thread thread = new Thread(null, () -> {
      try {
        assertAgreeHere(text, x);
      } catch (Throwable t) {
        failure[0] = t;
      }
    }, "large-model", 512L << 20);
    thread.start();
    thread.join();
    if (failure[0] instanceof Exception e) {
      throw e;
    } else if (failure[0] instanceof Error e) {
      throw e;
    }
  }

  private static void assertAgreeHere(String text, double x) throws Exception {
    CheckedModel model = FrontEnd.check(new SourceFile("large.flow", text), null);
    ModelKernels kernels = Compilation.kernels(model);
    ConstantTable constants = ConstantTable.of(KernelSplitter.split(kernels.value()),
        KernelSplitter.split(kernels.gradient()));
    assertTrue(constants.tableCount() > 0, "more distinct constants than a constant pool holds");
    byte[] bytecode = BytecodeBackend.emit(kernels, BytecodeBackend.JIT_PACKAGE + Compilation.className(model));
    assertAgreesWithReferences(model, kernels, HiddenClasses.defineLogDensity(bytecode), new double[] {x});
  }

  private static void assertAgreesWithReferences(CheckedModel model, ModelKernels kernels, LogDensity compiled,
      double[] z) {
    int n = z.length;
    double[] g = new double[n];
    double v = compiled.logDensityGradient(z, g, new double[compiled.workspaceSize()]);
    double[] gKernel = new double[n];
    double vKernel = new KernelInterpreter(kernels.gradient())
        .run(z, gKernel, Compilation.dataWorkspace(model, kernels.gradient()), null, 0);
    assertEquals(Double.doubleToLongBits(vKernel), Double.doubleToLongBits(v), "value vs kernel interpreter");
    for (int i = 0; i < n; i++) {
      assertEquals(Double.doubleToLongBits(gKernel[i]), Double.doubleToLongBits(g[i]), "gradient " + i);
    }
    assertEquals(Double.doubleToLongBits(v), Double.doubleToLongBits(compiled.logDensity(z,
        new double[compiled.workspaceSize()])), "value-only kernel");
    double reference = new Interpreter(model).logp(z);
    assertEquals(reference, v, 1e-12 * Math.max(1, Math.abs(reference)), "value vs interpreter");
  }
}
