package io.flowc.compiler.ir;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The vjp of a {@link Op#SCAN}: a scan in the other direction whose body is the vjp of the
 * forward body, differentiated once (docs/internals.md, "Scan"). Its carries are the adjoints of
 * the forward carries and the adjoints of the constants, accumulated over the iterations; its
 * per-iteration inputs are the carries the forward scan saved, the forward slices and the
 * adjoints of the forward per-iteration outputs; its per-iteration outputs are the adjoints of the
 * forward slices.
 *
 * <p>Parts of the output adjoint that are zero by construction (a final carry nobody reads, the
 * saved carries, which only derivatives read) are found by looking through the embeds, sums and
 * concatenations reverse mode builds, so the reverse body does no work for them.
 */
final class ScanDerivative {
  private ScanDerivative() {}

  static Node[] vjp(Graph b, Node out, Node g) {
    if (ScanBody.hasRunTimeCount(out)) {
      return runTimeVjp(b, out, g);
    }
    ScanBody body = out.scanBody();
    int length = out.attr(0);
    boolean reverse = out.attr(1) != 0;
    if (out.attr(2) == 0) {
      throw new IllegalStateException("the derivative of a scan that does not save its carries: " + out);
    }
    int carries = body.carries();
    int xs = body.xs();
    int constants = body.constants();
    int ys = body.ys();

    Node[] carryAdjoint = new Node[carries];
    for (int i = 0; i < carries; i++) {
      // the final carry appears twice: at the front and as the last saved row
      Node front = segment(b, g, body.finalCarryOffset(i), body.carryShape(i));
      Node last = segment(b, g, body.savedOffset(i, length) + length * body.carryShape(i).size(), body.carryShape(i));
      carryAdjoint[i] = front == null ? last : last == null ? front : b.add(front, last);
    }
    Node[] yAdjoint = new Node[ys];
    for (int j = 0; j < ys; j++) {
      yAdjoint[j] = segment(b, g, body.yOffset(j, length), Shape.vector(length * body.yShape(j).size()));
    }
    Node[] savedAdjoint = new Node[carries];
    for (int i = 0; i < carries; i++) {
      savedAdjoint[i] = segment(b, g, body.savedOffset(i, length), Shape.vector(length * body.carryShape(i).size()));
    }

    // Which constants need an adjoint: those the outer graph differentiates through.
    boolean[] constantNeeded = new boolean[constants];
    for (int m = 0; m < constants; m++) {
      constantNeeded[m] = out.arg(carries + xs + m).dependsOnInputs();
    }
    boolean[] xNeeded = new boolean[xs];
    for (int j = 0; j < xs; j++) {
      xNeeded[j] = out.arg(carries + j).dependsOnInputs();
    }

    ReverseBody reverseBody = ReverseBody.of(body, yAdjoint, savedAdjoint, constantNeeded, xNeeded);
    List<Node> args = initialAdjoints(b, body, carryAdjoint, constantNeeded);
    for (int i = 0; i < carries; i++) {
      args.add(b.slice(out, body.savedOffset(i, length), length * body.carryShape(i).size()));
    }
    for (int j = 0; j < xs; j++) {
      args.add(out.arg(carries + j));
    }
    for (int j = 0; j < ys; j++) {
      if (yAdjoint[j] != null) {
        args.add(yAdjoint[j]);
      }
    }
    for (int i = 0; i < carries; i++) {
      if (savedAdjoint[i] != null) {
        args.add(savedAdjoint[i]);
      }
    }
    for (int m = 0; m < constants; m++) {
      args.add(out.arg(carries + xs + m));
    }
    Node back = b.scan(reverseBody.body, length, !reverse, false, args.toArray(Node[]::new));

    ScanBody rb = reverseBody.body;
    Node[] result = new Node[out.arity()];
    for (int i = 0; i < carries; i++) {
      result[i] = piece(b, back, rb.finalCarryOffset(i), body.carryShape(i));
    }
    int y = 0;
    for (int j = 0; j < xs; j++) {
      if (xNeeded[j]) {
        result[carries + j] = b.slice(back, rb.yOffset(y++, length), length * body.xShape(j).size());
      }
    }
    int c = carries;
    for (int m = 0; m < constants; m++) {
      if (constantNeeded[m]) {
        result[carries + xs + m] = piece(b, back, rb.finalCarryOffset(c++), body.constantShape(m));
      }
    }
    return result;
  }

  /**
   * The vjp of a scan of run-time count: the same reverse body, run the same count, reading the
   * forward scan's saved rows where its value keeps them (after the final carries,
   * {@link ScanBody#savedOffset}) and the forward slices where the forward scan read them. Such a
   * scan has no per-iteration outputs and its saved rows no adjoint (only derivatives read them);
   * its stacked inputs are data (the lowering makes them so), which need no adjoint.
   */
  private static Node[] runTimeVjp(Graph b, Node out, Node g) {
    ScanBody body = out.scanBody();
    if (out.attr(2) == 0) {
      throw new IllegalStateException("the derivative of a scan that does not save its carries: " + out);
    }
    int carries = body.carries();
    int xs = body.xs();
    int constants = body.constants();
    Node[] carryAdjoint = new Node[carries];
    for (int i = 0; i < carries; i++) {
      carryAdjoint[i] = segment(b, g, body.finalCarryOffset(i), body.carryShape(i));
    }
    boolean[] constantNeeded = new boolean[constants];
    for (int m = 0; m < constants; m++) {
      constantNeeded[m] = out.arg(carries + xs + m).dependsOnInputs();
    }
    boolean[] xNeeded = new boolean[xs];
    for (int j = 0; j < xs; j++) {
      if (out.arg(carries + j).dependsOnInputs()) {
        throw new IllegalStateException("a scan of run-time count differentiated through its stacked input " + j);
      }
    }
    ReverseBody reverseBody = ReverseBody.of(body, new Node[0], new Node[carries], constantNeeded, xNeeded);
    List<Node> args = initialAdjoints(b, body, carryAdjoint, constantNeeded);
    // saved rows of carry i start at savedOffset(i, count) = (c + before) + before * count
    int[] offsets = new int[2 * (carries + xs)];
    for (int i = 0; i < carries; i++) {
      int before = body.finalCarryOffset(i);
      offsets[2 * i] = body.carrySize() + before;
      offsets[2 * i + 1] = before;
      args.add(out);
    }
    for (int j = 0; j < xs; j++) {
      offsets[2 * (carries + j)] = out.attr(4 + 2 * j);
      offsets[2 * (carries + j) + 1] = out.attr(5 + 2 * j);
      args.add(out.arg(carries + j));
    }
    for (int m = 0; m < constants; m++) {
      args.add(out.arg(carries + xs + m));
    }
    Node back = b.scan(reverseBody.body, ScanBody.countSlot(out), out.attr(0), out.attr(1) == 0, false, offsets,
        args.toArray(Node[]::new));
    ScanBody rb = reverseBody.body;
    Node[] result = new Node[out.arity()];
    for (int i = 0; i < carries; i++) {
      result[i] = piece(b, back, rb.finalCarryOffset(i), body.carryShape(i));
    }
    int c = carries;
    for (int m = 0; m < constants; m++) {
      if (constantNeeded[m]) {
        result[carries + xs + m] = piece(b, back, rb.finalCarryOffset(c++), body.constantShape(m));
      }
    }
    return result;
  }

  private static Node piece(Graph b, Node v, int offset, Shape shape) {
    return shape.isScalar() ? b.index(v, offset) : b.slice(v, offset, shape.size());
  }

  /**
   * The part of the adjoint {@code g} at [offset, offset + size of shape), or null if it is zero
   * by construction.
   */
  static Node segment(Graph b, Node g, int offset, Shape shape) {
    int size = shape.isScalar() ? 1 : shape.size();
    if (offset == 0 && (g.shape().equals(shape) || g.shape().isScalar() && size == 1)) {
      if (g.op() == Op.CONST && g.value() == 0) {
        return null;
      }
      return g.shape().equals(shape) ? g : b.broadcast(g, 1);
    }
    switch (g.op()) {
      case EMBED -> {
        int at = g.attr(0);
        int n = g.arg(0).shape().isScalar() ? 1 : g.arg(0).shape().size();
        if (at + n <= offset || offset + size <= at) {
          return null;
        }
        if (at == offset && n == size) {
          return g.arg(0);
        }
      }
      case BROADCAST -> {
        if (g.arg(0).op() == Op.CONST && g.arg(0).value() == 0) {
          return null;
        }
      }
      case ADD -> {
        Node left = segment(b, g.arg(0), offset, shape);
        Node right = segment(b, g.arg(1), offset, shape);
        return left == null ? right : right == null ? left : b.add(left, right);
      }
      case CONCAT -> {
        int at = 0;
        for (Node part : g.args()) {
          int n = part.shape().isScalar() ? 1 : part.shape().size();
          if (at <= offset && offset + size <= at + n) {
            return segment(b, part, offset - at, shape);
          }
          at += n;
        }
      }
      case CONST -> {
        if (g.value() == 0) {
          return null;
        }
      }
      default -> {
      }
    }
    return piece(b, g, offset, shape);
  }

  /**
   * The reverse body and its input order: carries (carry adjoints, needed constants' adjoints),
   * xs (saved carries, forward slices, nonzero output adjoints, nonzero saved-carry adjoints),
   * constants (the forward constants); outputs: the carries' next values, then the adjoints of
   * the needed slices.
   */
  private record ReverseBody(ScanBody body) {
    static ReverseBody of(ScanBody forward, Node[] yAdjoint, Node[] savedAdjoint, boolean[] constantNeeded,
        boolean[] xNeeded) {
      IrFunction f = forward.function();
      int carries = forward.carries();
      int xs = forward.xs();
      int constants = forward.constants();
      Graph g = new Graph(true);
      List<Node> inputs = new ArrayList<>();
      Node[] carryAdjoint = new Node[carries];
      for (int i = 0; i < carries; i++) {
        carryAdjoint[i] = input(g, inputs, "adj." + f.inputs().get(i).name(), forward.carryShape(i));
      }
      Node[] constantAdjoint = new Node[constants];
      for (int m = 0; m < constants; m++) {
        if (constantNeeded[m]) {
          constantAdjoint[m] = input(g, inputs, "adj." + f.inputs().get(carries + xs + m).name(), forward.constantShape(m));
        }
      }
      Map<Node, Node> copy = new HashMap<>();
      for (int i = 0; i < carries; i++) {
        copy.put(f.inputs().get(i), input(g, inputs, f.inputs().get(i).name(), forward.carryShape(i)));
      }
      for (int j = 0; j < xs; j++) {
        copy.put(f.inputs().get(carries + j), input(g, inputs, f.inputs().get(carries + j).name(), forward.xShape(j)));
      }
      Node[] outputAdjoint = new Node[forward.ys()];
      for (int j = 0; j < forward.ys(); j++) {
        if (yAdjoint[j] != null) {
          outputAdjoint[j] = input(g, inputs, "adj." + f.outputs().get(carries + j).name(), forward.yShape(j));
        }
      }
      Node[] savedSeed = new Node[carries];
      for (int i = 0; i < carries; i++) {
        if (savedAdjoint[i] != null) {
          savedSeed[i] = input(g, inputs, "adj.saved." + f.inputs().get(i).name(), forward.carryShape(i));
        }
      }
      int firstConstant = inputs.size();
      for (int m = 0; m < constants; m++) {
        Node in = f.inputs().get(carries + xs + m);
        copy.put(in, input(g, inputs, in.name(), in.shape()));
      }
      for (Node n : f.liveNodes()) {
        if (!copy.containsKey(n)) {
          Node[] args = new Node[n.arity()];
          for (int k = 0; k < args.length; k++) {
            args[k] = copy.get(n.arg(k));
          }
          copy.put(n, g.copyOf(n, args));
        }
      }
      Node objective = null;
      for (int i = 0; i < carries; i++) {
        objective = plus(g, objective, dot(g, carryAdjoint[i], copy.get(f.outputs().get(i).node())));
      }
      for (int j = 0; j < forward.ys(); j++) {
        if (outputAdjoint[j] != null) {
          objective = plus(g, objective, dot(g, outputAdjoint[j], copy.get(f.outputs().get(carries + j).node())));
        }
      }
      List<Node> wrt = new ArrayList<>();
      for (Node in : f.inputs()) {
        wrt.add(copy.get(in));
      }
      List<Node> gradient = objective == null ? wrt.stream().map(g::zerosLike).toList()
          : Differentiator.gradient(g, objective, wrt);
      List<IrFunction.Output> outputs = new ArrayList<>();
      for (int i = 0; i < carries; i++) {
        Node next = gradient.get(i);
        if (savedSeed[i] != null) {
          next = g.add(next, savedSeed[i]);
        }
        outputs.add(new IrFunction.Output("adj." + f.inputs().get(i).name(), next));
      }
      for (int m = 0; m < constants; m++) {
        if (constantNeeded[m]) {
          outputs.add(new IrFunction.Output(constantAdjoint[m].name(),
              g.add(constantAdjoint[m], gradient.get(carries + xs + m))));
        }
      }
      int reverseCarries = outputs.size();
      for (int j = 0; j < xs; j++) {
        if (xNeeded[j]) {
          outputs.add(new IrFunction.Output("adj." + f.inputs().get(carries + j).name(), gradient.get(carries + j)));
        }
      }
      if (outputs.size() == 0) {
        throw new IllegalStateException("a scan derivative with nothing to compute");
      }
      IrFunction function = IrVerifier.afterPass(new IrFunction(g, inputs, outputs));
      return new ReverseBody(new ScanBody(function, reverseCarries, firstConstant - reverseCarries));
    }

    private static Node input(Graph g, List<Node> inputs, String name, Shape shape) {
      Node in = g.input(name, inputs.size(), shape);
      inputs.add(in);
      return in;
    }

    private static Node dot(Graph g, Node a, Node b) {
      return a.shape().isScalar() ? g.mul(a, b) : g.sum(g.mul(a, b));
    }

    private static Node plus(Graph g, Node sum, Node term) {
      return sum == null ? term : g.add(sum, term);
    }
  }

  /**
   * The reverse scan's first arguments: each carry's adjoint (zeros where nothing reads the final
   * carry), then a zero accumulator for each constant whose adjoint is needed.
   */
  private static List<Node> initialAdjoints(Graph b, ScanBody body, Node[] carryAdjoint, boolean[] constantNeeded) {
    int carries = body.carries();
    int xs = body.xs();
    List<Node> args = new ArrayList<>();
    for (int i = 0; i < carries; i++) {
      args.add(carryAdjoint[i] != null ? carryAdjoint[i] : b.zerosLike(body.function().inputs().get(i)));
    }
    for (int m = 0; m < constantNeeded.length; m++) {
      if (constantNeeded[m]) {
        args.add(b.zerosLike(body.function().inputs().get(carries + xs + m)));
      }
    }
    return args;
  }
}
