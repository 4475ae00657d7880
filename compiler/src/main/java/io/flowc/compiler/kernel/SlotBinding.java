package io.flowc.compiler.kernel;

import io.flowc.compiler.kernel.Kernel.Call;
import io.flowc.compiler.kernel.Kernel.Instr;
import io.flowc.compiler.kernel.Kernel.Region;
import io.flowc.compiler.kernel.Kernel.Repeat;
import java.util.List;
import java.util.Map;

/**
 * A kernel of values of data-dependent length, cut into methods, specialized to one data
 * binding: the offsets and lengths that read the binding's slots (sizes, where it put the data,
 * where the scratch starts) get the values that binding writes there, so the code indexes arrays
 * by constants plus i as code compiled for fixed sizes does, instead of by offsets held in
 * registers (a loop over twenty columns of data needs twenty of them, more than the processor
 * has). The same instructions in the same order: the same bits as the kernel it specializes, on
 * that binding's data.
 *
 * <p>It is bound after {@link KernelSplitter} has cut it, so temporaries spilled between methods
 * lie where they lie in the unbound kernel, and the class keeps its {@link Kernel#workspaceEnd}
 * unbound: the specialized class asks a binding for the workspace the unbound one asks for.
 * docs/performance.md ("Chunks specialized to their rows") has what it buys.
 */
public final class SlotBinding {
  private SlotBinding() {}

  /**
   * A kernel cut into methods with the slots {@code values} holds bound to their values, in every
   * part; a slot a scan's loop writes its index to cannot be bound.
   */
  public static KernelSplitter.Split bind(KernelSplitter.Split split, Map<Integer, Integer> values) {
    Map<Integer, Integer> bound = Map.copyOf(values);
    split.parts().forEach(part -> checkIndexSlots(part, bound));
    Kernel.Places places = new Kernel.Places() {
      @Override
      public Region region(Region r) {
        return new Region(r.array(), r.offset().bind(bound), r.stride());
      }

      @Override
      public Lin lin(Lin l) {
        return l.bind(bound);
      }
    };
    return new KernelSplitter.Split(split.workspaceSize(),
        split.parts().stream().map(part -> Kernel.rewrite(part, places)).toList());
  }

  private static void checkIndexSlots(List<Instr> body, Map<Integer, Integer> values) {
    for (Instr instr : body) {
      if (instr instanceof Repeat r) {
        if (values.containsKey(r.indexSlot())) {
          throw new IllegalArgumentException("slot " + r.indexSlot() + " is a scan's index, not a binding's");
        }
        checkIndexSlots(r.body(), values);
      } else if (instr instanceof Call c) {
        checkIndexSlots(c.body(), values);
      }
    }
  }
}
