package io.flowc.compiler.backend;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.flowc.compiler.TestPaths;
import io.flowc.compiler.driver.Compilation;
import io.flowc.compiler.frontend.CheckedModel;
import io.flowc.compiler.kernel.Kernel;
import io.flowc.compiler.kernel.KernelSplitter;
import io.flowc.compiler.kernel.SlotBinding;
import io.flowc.runtime.LogDensity;
import io.flowc.runtime.data.DataBinding;
import io.flowc.runtime.jit.HiddenClasses;
import java.util.List;
import java.util.Map;
import java.util.SortedSet;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.TreeSet;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Code of free sizes specialized to one binding's sizes and offsets ({@link SlotBinding}): its
 * methods read none of the binding's slots, it asks for the workspace the unbound code asks for,
 * and on that binding it computes the unbound code's log density and gradient bit for bit. The
 * examples cover data vectors and matrices, loops over a series (scans whose offsets move with
 * their index), gathers by data indices and a mixture.
 */
class SlotBindingTest {

  @ParameterizedTest
  @ValueSource(strings = {"kidiq_interaction", "earnings_standardized", "diamonds", "arK", "garch11", "arma11",
      "low_dim_gauss_mix", "logmesquite", "regression", "hierarchical"})
  void specializedCodeReadsNoSlotAndHasTheUnboundCodesBits(String example) throws Exception {
    CheckedModel free = Compilation.freeSizes(TestPaths.checkExample(TestPaths.example(example)));
    assertTrue(free.dataLayout().isDynamic(), example + " has sizes bound at run time");
    ModelKernels kernels = Compilation.kernels(free);
    LogDensity code = HiddenClasses.defineLogDensity(
        BytecodeBackend.emit(kernels, BytecodeBackend.JIT_PACKAGE + "Unbound"));
    DataBinding binding = Compilation.dataBinding(free);
    double[] header = binding.header(code);

    SortedSet<Integer> read = new TreeSet<>(Kernel.slotsRead(kernels.value().body()));
    read.addAll(Kernel.slotsRead(kernels.gradient().body()));
    Map<Integer, Integer> values = new TreeMap<>();
    for (int slot : read.headSet(header.length)) {
      values.put(slot, (int) header[slot]);
    }
    assertFalse(values.isEmpty(), example + "'s code reads its binding's slots");
    for (Kernel kernel : List.of(kernels.value(), kernels.gradient())) {
      for (List<Kernel.Instr> part : SlotBinding.bind(KernelSplitter.split(kernel), values).parts()) {
        assertTrue(Kernel.slotsRead(part).headSet(header.length).isEmpty(),
            example + ": a bound part still reads " + Kernel.slotsRead(part));
      }
    }

    LogDensity specialized = HiddenClasses.defineLogDensity(
        BytecodeBackend.emit(kernels, BytecodeBackend.JIT_PACKAGE + "Bound", values));
    assertEquals(code.workspaceSize(), specialized.workspaceSize());
    assertArrayEquals(header, binding.header(specialized), "the binding places the data as for the unbound code");
    LogDensity unbound = binding.bind(code);
    LogDensity bound = binding.bind(specialized);
    SplittableRandom random = new SplittableRandom(3);
    for (int p = 0; p < 4; p++) {
      double[] z = new double[code.dimension()];
      for (int k = 0; k < z.length; k++) {
        z[k] = random.nextDouble(-0.7, 0.7);
      }
      double[] expected = new double[z.length + 1];
      double[] actual = new double[z.length + 1];
      expected[z.length] = unbound.logDensityGradient(z, expected, new double[unbound.workspaceSize()]);
      actual[z.length] = bound.logDensityGradient(z, actual, new double[bound.workspaceSize()]);
      assertArrayEquals(expected, actual, example);
      assertEquals(Double.doubleToLongBits(unbound.logDensity(z, new double[unbound.workspaceSize()])),
          Double.doubleToLongBits(bound.logDensity(z, new double[bound.workspaceSize()])), example);
    }
  }
}
