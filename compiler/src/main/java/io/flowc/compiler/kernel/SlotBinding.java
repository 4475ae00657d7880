package io.flowc.compiler.kernel;

import io.flowc.compiler.kernel.Kernel.At;
import io.flowc.compiler.kernel.Kernel.BlockMatVec;
import io.flowc.compiler.kernel.Kernel.BlockOuterSum;
import io.flowc.compiler.kernel.Kernel.Call;
import io.flowc.compiler.kernel.Kernel.Copy;
import io.flowc.compiler.kernel.Kernel.Dense;
import io.flowc.compiler.kernel.Kernel.Fused;
import io.flowc.compiler.kernel.Kernel.Gather;
import io.flowc.compiler.kernel.Kernel.Instr;
import io.flowc.compiler.kernel.Kernel.LaneAssign;
import io.flowc.compiler.kernel.Kernel.LaneInstr;
import io.flowc.compiler.kernel.Kernel.LaneOperand;
import io.flowc.compiler.kernel.Kernel.LaneSum;
import io.flowc.compiler.kernel.Kernel.LaneWrite;
import io.flowc.compiler.kernel.Kernel.Loop;
import io.flowc.compiler.kernel.Kernel.MatVec;
import io.flowc.compiler.kernel.Kernel.Move;
import io.flowc.compiler.kernel.Kernel.Outer;
import io.flowc.compiler.kernel.Kernel.Pick;
import io.flowc.compiler.kernel.Kernel.Place;
import io.flowc.compiler.kernel.Kernel.Put;
import io.flowc.compiler.kernel.Kernel.Reduce;
import io.flowc.compiler.kernel.Kernel.Region;
import io.flowc.compiler.kernel.Kernel.Repeat;
import io.flowc.compiler.kernel.Kernel.Scan;
import io.flowc.compiler.kernel.Kernel.Scatter;
import io.flowc.compiler.kernel.Kernel.Search;
import io.flowc.compiler.kernel.Kernel.Take;
import io.flowc.compiler.kernel.Kernel.VecOperand;
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
  private final Map<Integer, Integer> values;

  private SlotBinding(Map<Integer, Integer> values) {
    this.values = Map.copyOf(values);
  }

  /**
   * A kernel cut into methods with the slots {@code values} holds bound to their values, in every
   * part; a slot a scan's loop writes its index to cannot be bound.
   */
  public static KernelSplitter.Split bind(KernelSplitter.Split split, Map<Integer, Integer> values) {
    SlotBinding binding = new SlotBinding(values);
    return new KernelSplitter.Split(split.workspaceSize(), split.parts().stream().map(binding::body).toList());
  }

  private List<Instr> body(List<Instr> body) {
    return body.stream().map(this::instr).toList();
  }

  private Lin lin(Lin l) {
    return l.bind(values);
  }

  private Region region(Region r) {
    return r == null ? null : new Region(r.array(), lin(r.offset()), r.stride());
  }

  private VecOperand vec(VecOperand v) {
    return v instanceof Region r ? region(r) : v;
  }

  private LaneOperand lane(LaneOperand o) {
    return o instanceof At at ? new At(region(at.region())) : o;
  }

  private Copy copy(Copy c) {
    return new Copy(region(c.stacked()), region(c.frame()), c.size(), c.intoFrame());
  }

  private LaneInstr laneInstr(LaneInstr li) {
    if (li instanceof LaneAssign a) {
      return new LaneAssign(a.target(), a.op(), a.attrs(), a.args().stream().map(this::lane).toList());
    } else if (li instanceof LaneWrite w) {
      return new LaneWrite(region(w.target()), lane(w.value()));
    }
    LaneSum s = (LaneSum) li;
    return new LaneSum(s.accumulator(), lane(s.value()), s.inLanes());
  }

  private Instr instr(Instr instr) {
    if (instr instanceof Loop l) {
      return new Loop(region(l.target()), lin(l.length()), l.op(), l.attrs(), l.args().stream().map(this::vec).toList());
    } else if (instr instanceof Reduce r) {
      return new Reduce(r.target(), r.op(), region(r.source()), lin(r.length()), r.inLanes());
    } else if (instr instanceof Move m) {
      return new Move(region(m.target()), lin(m.length()), vec(m.source()));
    } else if (instr instanceof Fused f) {
      return new Fused(lin(f.length()), f.body().stream().map(this::laneInstr).toList());
    } else if (instr instanceof Gather g) {
      return new Gather(region(g.target()), lin(g.length()), region(g.source()), g.sourceLength(), region(g.index()),
          g.shift());
    } else if (instr instanceof Scatter s) {
      return new Scatter(region(s.target()), s.targetLength(), region(s.source()), region(s.index()), lin(s.length()),
          s.shift());
    } else if (instr instanceof MatVec m) {
      return new MatVec(region(m.target()), region(m.matrix()), region(m.vector()), m.rows(), m.cols(), m.transposed());
    } else if (instr instanceof BlockMatVec m) {
      return new BlockMatVec(region(m.target()), region(m.matrix()), region(m.vector()), m.rows(), m.cols(),
          m.transposed(), lin(m.count()));
    } else if (instr instanceof BlockOuterSum o) {
      return new BlockOuterSum(region(o.accumulator()), region(o.left()), region(o.right()), region(o.mask()), o.rows(),
          o.cols(), lin(o.count()));
    } else if (instr instanceof Outer o) {
      return new Outer(region(o.target()), region(o.left()), region(o.right()), o.rows(), o.cols());
    } else if (instr instanceof Place p) {
      return new Place(region(p.target()), region(p.source()), p.positions());
    } else if (instr instanceof Take t) {
      return new Take(region(t.target()), region(t.source()), t.positions());
    } else if (instr instanceof Scan s) {
      return new Scan(region(s.target()), region(s.source()), s.length(), s.reverse());
    } else if (instr instanceof Search s) {
      return new Search(s.target(), region(s.knots()), s.count(), s.x());
    } else if (instr instanceof Pick p) {
      return new Pick(p.target(), region(p.source()), p.length(), p.index());
    } else if (instr instanceof Put p) {
      return new Put(region(p.target()), p.length(), p.value(), p.index());
    } else if (instr instanceof Dense d) {
      return new Dense(d.routine(), region(d.target()), d.targetLength(), d.args().stream().map(this::region).toList(),
          d.argLengths(), d.ints());
    } else if (instr instanceof Repeat r) {
      if (values.containsKey(r.indexSlot())) {
        throw new IllegalArgumentException("slot " + r.indexSlot() + " is a scan's index, not a binding's");
      }
      return new Repeat(lin(r.count()), r.reverse(), r.indexSlot(), r.before().stream().map(this::copy).toList(),
          body(r.body()), r.after().stream().map(this::copy).toList());
    } else if (instr instanceof Call c) {
      return new Call(body(c.body()));
    }
    return instr; // Assign, Store, Return: scalars at fixed places
  }
}
