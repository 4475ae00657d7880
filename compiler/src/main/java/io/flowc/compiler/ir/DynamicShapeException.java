package io.flowc.compiler.ir;

import java.util.Set;
import java.util.TreeSet;

/**
 * A use of a value of data-dependent length that needs a length known at compile time (a fixed
 * index, a slice, a mix with a fixed-length or another size's vector). The compiler then fixes
 * the sizes named here ({@link io.flowc.compiler.driver.Compilation#freeSizes}) and tries again.
 */
public final class DynamicShapeException extends IllegalArgumentException {
  private final Set<Integer> sizeSlots;

  public DynamicShapeException(Shape... shapes) {
    super("needs a fixed length: " + java.util.Arrays.toString(shapes));
    Set<Integer> slots = new TreeSet<>();
    for (Shape s : shapes) {
      if (s.isDynamic()) {
        slots.add(s.sizeSlot());
      }
    }
    this.sizeSlots = Set.copyOf(slots);
  }

  /** The workspace slots of the sizes that must be fixed. */
  public Set<Integer> sizeSlots() {
    return sizeSlots;
  }
}
