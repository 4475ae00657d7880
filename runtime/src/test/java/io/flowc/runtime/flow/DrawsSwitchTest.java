package io.flowc.runtime.flow;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class DrawsSwitchTest {
  /** A kernel that records its calls and answers with its own mark. */
  private record Marked(String mark, int dimension, int parameterCount, int workspaceSize, List<String> calls)
      implements FlowKernel {
    @Override
    public int workspaceSize(double[] data) {
      return workspaceSize + (int) data[0];
    }

    @Override
    public double lossGradient(double[] theta, double[] eps, int draws, double[] gradient, double[] workspace) {
      calls.add(mark + " loss " + draws);
      return mark.length();
    }

    @Override
    public void sample(double[] theta, double[] eps, int draws, double[] z, double[] logq, double[] workspace) {
      calls.add(mark + " sample " + draws);
    }
  }

  @Test
  void callsOfFewerDrawsThanTheThresholdRunTheFirstKernel() {
    List<String> calls = new ArrayList<>();
    FlowKernel few = new Marked("few", 2, 7, 30, calls);
    FlowKernel many = new Marked("many!", 2, 7, 10, calls);
    DrawsSwitch k = (DrawsSwitch) DrawsSwitch.of(few, many, 16);
    double[] nothing = new double[0];
    assertEquals(3, k.lossGradient(nothing, nothing, 15, nothing, nothing));
    assertEquals(5, k.lossGradient(nothing, nothing, 16, nothing, nothing));
    k.sample(nothing, nothing, 1, nothing, nothing, nothing);
    k.sample(nothing, nothing, 100_000, nothing, nothing, nothing);
    assertEquals(List.of("few loss 15", "many! loss 16", "few sample 1", "many! sample 100000"), calls);
    assertSame(few, k.kernelFor(0));
    assertSame(many, k.kernelFor(Integer.MAX_VALUE));
    assertEquals(2, k.dimension());
    assertEquals(7, k.parameterCount());
    assertEquals(30, k.workspaceSize(), "a workspace either kernel can use");
    assertEquals(35, k.workspaceSize(new double[] {5}));
  }

  @Test
  void kernelsOfDifferentShapesAreRefused() {
    List<String> calls = new ArrayList<>();
    assertThrows(IllegalArgumentException.class,
        () -> DrawsSwitch.of(new Marked("a", 2, 7, 1, calls), new Marked("b", 3, 7, 1, calls), 16));
    assertThrows(IllegalArgumentException.class,
        () -> DrawsSwitch.of(new Marked("a", 2, 7, 1, calls), new Marked("b", 2, 8, 1, calls), 16));
  }
}
