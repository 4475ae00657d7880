package io.flowc.compiler.kernel;

import io.flowc.compiler.ir.Op;
import java.util.List;

/**
 * The IR scheduled for code generation: an ordered list of instructions over doubles that the
 * backends (Java source, bytecode, and {@link KernelInterpreter} for tests) translate one to one.
 *
 * <p>Values live in three kinds of place: scalar temporaries ({@link Temp}, locals in generated
 * code), elements of the arrays a kernel method receives ({@link Element}: the point z, the
 * gradient, the workspace), and constants. Vectors up to {@link Scheduler#SCALARIZE_LIMIT}
 * elements are scalarized (one temporary per element); longer ones are regions of an array, and
 * their elementwise ops become loops.
 *
 * <p>The workspace from {@code scratchStart} on holds this kernel's own temporaries; below it lie
 * values other kernels of the same class read or write (a flow's prologue values, accumulators).
 */
public record Kernel(int dimension, int workspaceSize, int scratchStart, int tempCount, List<Instr> body) {

  public Kernel {
    body = List.copyOf(body);
  }

  /** The arrays a kernel reads and writes. */
  public enum Array {
    /** The point, read-only. */
    Z,
    /** The gradient output. */
    GRAD,
    /** Caller-owned scratch space. */
    WORK,
    /** One row of base draws: element j is {@code eps[base + j]}, base a method argument. */
    EPS
  }

  /** A scalar operand. */
  public sealed interface Operand permits Temp, Const, Element {}

  public record Temp(int id) implements Operand {}

  public record Const(double value) implements Operand {}

  public record Element(Array array, int index) implements Operand {}

  /** An operand of a loop: element i of a region, or one scalar for every i. */
  public sealed interface VecOperand permits Region, Splat {}

  public record Region(Array array, int offset) implements VecOperand {}

  public record Splat(Operand scalar) implements VecOperand {}

  /** One step of a kernel. */
  public sealed interface Instr permits Assign, Loop, Reduce, Store, Move, Return, Fused, Gather, Scatter {}

  /** {@code t = op(args)} on scalars ({@code attrs}: the op's integer attributes). */
  public record Assign(Temp target, Op op, int[] attrs, List<Operand> args) implements Instr {
    public Assign {
      args = List.copyOf(args);
    }
  }

  /** {@code for i < length: target[i] = op(args[i])}. */
  public record Loop(Region target, int length, Op op, int[] attrs, List<VecOperand> args) implements Instr {
    public Loop {
      args = List.copyOf(args);
    }
  }

  /** {@code t = op(source[0 .. length))} for a reduction op (SUM, LOGSUMEXP). */
  public record Reduce(Temp target, Op op, Region source, int length) implements Instr {}

  /** {@code array[index] = value}. */
  public record Store(Element target, Operand value) implements Instr {}

  /** {@code for i < length: target[i] = source[i]}. */
  public record Move(Region target, int length, VecOperand source) implements Instr {}

  /**
   * {@code for i < length: target[i] = source[(int) index[i] + shift]}: indexing with data
   * integers (checked against the source's length when the data are bound).
   */
  public record Gather(Region target, int length, Region source, int sourceLength, Region index, int shift)
      implements Instr {}

  /**
   * {@code target[0 .. targetLength) = 0; for i < length: target[(int) index[i] + shift] += source[i]}:
   * the adjoint of a gather.
   */
  public record Scatter(Region target, int targetLength, Region source, Region index, int length, int shift)
      implements Instr {}

  /** Ends the kernel with a value. */
  public record Return(Operand value) implements Instr {}

  /**
   * Several elementwise loops of one length run as one ({@link LoopFusion}): for each i the body
   * runs in order. Values that no other instruction reads stay in per-iteration lanes instead of
   * going through the workspace; sums accumulate into temporaries that start at 0.
   */
  public record Fused(int length, List<LaneInstr> body) implements Instr {
    public Fused {
      body = List.copyOf(body);
    }
  }

  /** An operand inside a fused loop. */
  public sealed interface LaneOperand permits Lane, At, Invariant {}

  /** A per-iteration value of a fused loop. */
  public record Lane(int id) implements LaneOperand {}

  /** Element i of a region. */
  public record At(Region region) implements LaneOperand {}

  /** The same scalar in every iteration. */
  public record Invariant(Operand scalar) implements LaneOperand {}

  /** One step of a fused loop's body. */
  public sealed interface LaneInstr permits LaneAssign, LaneWrite, LaneSum {}

  /** {@code lane = op(args)}. */
  public record LaneAssign(Lane target, Op op, int[] attrs, List<LaneOperand> args) implements LaneInstr {
    public LaneAssign {
      args = List.copyOf(args);
    }
  }

  /** {@code target[i] = value}. */
  public record LaneWrite(Region target, LaneOperand value) implements LaneInstr {}

  /** {@code accumulator += value} (the accumulator is 0 before the loop). */
  public record LaneSum(Temp accumulator, LaneOperand value) implements LaneInstr {}
}
