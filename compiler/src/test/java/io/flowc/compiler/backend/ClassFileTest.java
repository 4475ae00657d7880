package io.flowc.compiler.backend;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.flowc.compiler.TestPaths;
import io.flowc.compiler.diag.SourceFile;
import io.flowc.compiler.driver.Compilation;
import io.flowc.compiler.frontend.CheckedModel;
import io.flowc.compiler.frontend.FlowFormula;
import io.flowc.compiler.frontend.FlowFormulaParsing;
import io.flowc.compiler.frontend.FrontEnd;
import io.flowc.runtime.LogDensity;
import io.flowc.runtime.flow.FlowKernel;
import io.flowc.runtime.flow.FlowLayout;
import java.nio.file.Files;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.objectweb.asm.ClassReader;
import org.objectweb.asm.ClassVisitor;
import org.objectweb.asm.MethodVisitor;
import org.objectweb.asm.Opcodes;

/**
 * Generated classes are class files of version 49, without stack-map frames (BytecodeBackend.CLASS_VERSION:
 * the JVM's inference verifier checks them, and no frames are computed in Java), and a class
 * loader that verifies them defines and runs them.
 */
class ClassFileTest {
  private static CheckedModel model(String name) throws Exception {
    return FrontEnd.check(new SourceFile(name + ".flow", Files.readString(TestPaths.example(name))));
  }

  private static byte[] flowClass(CheckedModel model, String formulaText) throws Exception {
    FlowFormula formula = FlowFormulaParsing.parse(formulaText);
    FlowLayout layout = FlowLayout.ofFlows(formula.flows(), model.dimension());
    return BytecodeBackend.emit(Compilation.flowKernels(model, layout, formula.normalized()), "test/Flow");
  }

  private static void assertVersion49WithoutFrames(byte[] bytes) {
    ClassReader reader = new ClassReader(bytes);
    assertEquals(49, reader.readUnsignedShort(6), "major version");
    int[] frames = new int[1];
    reader.accept(new ClassVisitor(Opcodes.ASM9) {
      @Override
      public MethodVisitor visitMethod(int access, String name, String descriptor, String signature,
          String[] exceptions) {
        return new MethodVisitor(Opcodes.ASM9) {
          @Override
          public void visitFrame(int type, int numLocal, Object[] local, int numStack, Object[] stack) {
            frames[0]++;
          }
        };
      }
    }, 0);
    assertEquals(0, frames[0], "stack-map frames");
  }

  /** Defines classes through ClassLoader.defineClass, which verifies them (the JVM verifies every class not on the boot path). */
  private static final class Loader extends ClassLoader {
    Loader() {
      super(ClassFileTest.class.getClassLoader());
    }

    Class<?> define(String name, byte[] bytes) {
      return defineClass(name, bytes, 0, bytes.length);
    }
  }

  @Test
  void modelAndFlowClassesAreVersion49WithoutFramesAndVerify() throws Exception {
    CheckedModel sink = model("kitchen_sink");
    byte[] density = BytecodeBackend.emit(Compilation.kernels(sink), "test/Density");
    assertVersion49WithoutFrames(density);
    LogDensity loaded = (LogDensity) new Loader().define("test.Density", density).getConstructor().newInstance();
    double[] z = new double[loaded.dimension()];
    double[] grad = new double[z.length];
    double value = loaded.logDensityGradient(z, grad, new double[loaded.workspaceSize()]);
    assertEquals(Compilation.load(sink).logDensity(z, new double[loaded.workspaceSize()]), value);

    // the per-draw and batched bodies, a batched body with block products, a loop over repeats
    for (String[] modelAndFormula : List.of(new String[] {"pot1", "planar*8"}, new String[] {"pot1", "nsf(hidden=8)*2"},
        new String[] {"normal100", "scale-hh*20-loc"})) {
      String formula = modelAndFormula[1];
      byte[] flow = flowClass(model(modelAndFormula[0]), formula);
      assertVersion49WithoutFrames(flow);
      Object kernel = new Loader().define("test.Flow", flow).getConstructor().newInstance();
      assertTrue(kernel instanceof FlowKernel, formula);
    }
  }
}
