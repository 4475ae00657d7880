package io.flowc.compiler.ir;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The only maker of {@link Node}s: interns them (hash-consing, so common subexpressions are
 * shared by construction), infers and checks shapes, and inserts the broadcasts that let a
 * scalar meet a vector in an elementwise op. A graph made with {@code simplify} also rewrites
 * each node as it is made ({@link Rewrites}); one made without keeps the IR exactly as lowered.
 */
public final class Graph {
  private record Key(Op op, List<Integer> args, List<Integer> attrs, long valueBits, String name) {}

  private final Map<Key, Node> interned = new HashMap<>();
  private final List<Node> nodes = new ArrayList<>();
  private final boolean simplify;

  public Graph(boolean simplify) {
    this.simplify = simplify;
  }

  public boolean simplifies() {
    return simplify;
  }

  /** Every node made so far, in creation (topological) order. */
  public List<Node> nodes() {
    return Collections.unmodifiableList(nodes);
  }

  public int size() {
    return nodes.size();
  }

  // ---- construction -------------------------------------------------------------------------

  public Node constant(double value) {
    return intern(Op.CONST, new Node[0], new int[0], value, null, Shape.SCALAR);
  }

  public Node input(String name, int slot, Shape shape) {
    return intern(Op.INPUT, new Node[0], new int[] {slot}, 0, Objects.requireNonNull(name), shape);
  }

  /** Data {@code name} at {@code offset} of the data region, of the given shape. */
  public Node data(String name, int offset, Shape shape) {
    return data(name, offset, 0, shape);
  }

  /**
   * Data of the given shape: at {@code offset} of the data region if the shape is fixed; if it is
   * dynamic, column {@code column} (each as long as the shape) of a value whose offset the
   * workspace holds at slot {@code offset} (a header slot, see {@link io.flowc.runtime.data.DataLayout}).
   */
  public Node data(String name, int offset, int column, Shape shape) {
    return intern(Op.DATA, new Node[0], new int[] {offset, column}, 0, Objects.requireNonNull(name), shape);
  }

  /** A leaf of another graph (constant, input or data) made again in this one. */
  public Node copyLeaf(Node leaf) {
    return switch (leaf.op()) {
      case CONST -> constant(leaf.value());
      case INPUT -> input(leaf.name(), leaf.attr(0), leaf.shape());
      case DATA -> data(leaf.name(), leaf.attr(0), leaf.attr(1), leaf.shape());
      default -> throw new IllegalArgumentException(leaf + " is not a leaf");
    };
  }

  public Node apply(Op op, Node... args) {
    return apply(op, new int[0], args);
  }

  /** Applies an op (with integer attributes) to arguments, after rewriting if this graph simplifies. */
  public Node apply(Op op, int[] attrs, Node... args) {
    if (op.kind == Op.Kind.LEAF) {
      throw new IllegalArgumentException("leaves are made by constant() and input()");
    }
    if (op.arity >= 0 ? args.length != op.arity : args.length == 0) {
      throw new IllegalArgumentException(op + " takes " + op.arity + " arguments, got " + args.length);
    }
    for (Node a : args) {
      if (a == null) {
        throw new NullPointerException("null argument to " + op);
      }
    }
    if (attrs.length != attributeCount(op)) {
      throw new IllegalArgumentException(op + " takes " + attributeCount(op) + " attributes, got " + attrs.length);
    }
    if (op.kind == Op.Kind.ELEMENTWISE) {
      args = broadcastArguments(op, args);
    }
    if (simplify) {
      Node rewritten = Rewrites.rewrite(this, op, attrs, args);
      if (rewritten != null) {
        return rewritten;
      }
    }
    return intern(op, args, attrs, 0, null, shapeOf(op, attrs, args));
  }

  /** How many integer attributes an op carries. */
  static int attributeCount(Op op) {
    return switch (op) {
      case INDEX, BROADCAST, POLYGAMMA, GATHER -> 1;
      case SLICE, EMBED, SCATTER, DATA -> 2;
      default -> 0;
    };
  }

  private Node[] broadcastArguments(Op op, Node[] args) {
    Shape vector = null;
    for (Node a : args) {
      if (!a.shape().isScalar()) {
        if (vector != null && !vector.equals(a.shape())) {
          mismatch(op, vector, a.shape());
        }
        vector = a.shape();
      }
    }
    if (vector == null) {
      return args;
    }
    Node[] out = args.clone();
    for (int i = 0; i < out.length; i++) {
      if (out[i].shape().isScalar()) {
        out[i] = broadcast(out[i], vector);
      }
    }
    return out;
  }

  private static void mismatch(Op op, Shape a, Shape b) {
    if (a.isDynamic() || b.isDynamic()) {
      throw new DynamicShapeException(a, b);
    }
    throw new IllegalArgumentException(op + " of mismatched lengths " + a.length() + " and " + b.length());
  }

  private static void requireStatic(Node a) {
    if (a.shape().isDynamic()) {
      throw new DynamicShapeException(a.shape());
    }
  }

  /** The shape of an op's result; throws on arguments the op cannot take. */
  static Shape shapeOf(Op op, int[] attrs, Node[] args) {
    switch (op) {
      case SUM, LOGSUMEXP -> {
        requireVector(op, args[0]);
        return Shape.SCALAR;
      }
      case INDEX -> {
        requireVector(op, args[0]);
        requireStatic(args[0]);
        if (attrs[0] < 0 || attrs[0] >= args[0].shape().length()) {
          throw new IllegalArgumentException("index " + attrs[0] + " out of range " + args[0].shape());
        }
        return Shape.SCALAR;
      }
      case SLICE -> {
        requireVector(op, args[0]);
        requireStatic(args[0]);
        if (attrs[0] < 0 || attrs[1] < 1 || attrs[0] + attrs[1] > args[0].shape().length()) {
          throw new IllegalArgumentException("slice " + Arrays.toString(attrs) + " out of range " + args[0].shape());
        }
        return Shape.vector(attrs[1]);
      }
      case EMBED -> {
        requireStatic(args[0]);
        if (attrs[0] < 0 || attrs[0] + args[0].shape().size() > attrs[1]) {
          throw new IllegalArgumentException("embed " + Arrays.toString(attrs) + " of " + args[0].shape());
        }
        return Shape.vector(attrs[1]);
      }
      case GATHER -> {
        requireVector(op, args[0]);
        requireStatic(args[0]);
        if (args[1].op() != Op.DATA) {
          throw new IllegalArgumentException("gather by a non-data index " + args[1]);
        }
        return args[1].shape();
      }
      case SCATTER -> {
        if (args[1].op() != Op.DATA || !args[0].shape().equals(args[1].shape())) {
          throw new IllegalArgumentException("scatter of " + args[0].shape() + " by " + args[1]);
        }
        return Shape.vector(attrs[1]);
      }
      case BROADCAST -> {
        if (!args[0].shape().isScalar()) {
          throw new IllegalArgumentException("broadcast of a vector");
        }
        return Shape.ofCode(attrs[0]);
      }
      case CONCAT -> {
        int length = 0;
        for (Node a : args) {
          length += a.shape().size();
        }
        return Shape.vector(length);
      }
      default -> {
        Shape shape = args[0].shape();
        for (Node a : args) {
          if (!a.shape().equals(shape)) {
            if (shape.isDynamic() || a.shape().isDynamic()) {
              throw new DynamicShapeException(shape, a.shape());
            }
            throw new IllegalArgumentException(op + " of shapes " + shape + " and " + a.shape());
          }
        }
        return shape;
      }
    }
  }

  private static void requireVector(Op op, Node a) {
    if (a.shape().isScalar()) {
      throw new IllegalArgumentException(op + " of a scalar");
    }
  }

  Node intern(Op op, Node[] args, int[] attrs, double value, String name, Shape shape) {
    List<Integer> argIds = new ArrayList<>(args.length);
    for (Node a : args) {
      if (a.id() >= nodes.size() || nodes.get(a.id()) != a) {
        throw new IllegalArgumentException("argument " + a + " belongs to another graph");
      }
      argIds.add(a.id());
    }
    List<Integer> attrList = Arrays.stream(attrs).boxed().toList();
    // One NaN constant: all NaN bit patterns behave alike.
    long bits = Double.isNaN(value) ? Double.doubleToLongBits(Double.NaN) : Double.doubleToRawLongBits(value);
    Key key = new Key(op, argIds, attrList, bits, name);
    Node existing = interned.get(key);
    if (existing != null) {
      if (!existing.shape().equals(shape)) {
        throw new IllegalArgumentException("input " + name + " declared with two shapes");
      }
      return existing;
    }
    Node node = new Node(nodes.size(), op, args.clone(), attrs.clone(), value, name, shape);
    nodes.add(node);
    interned.put(key, node);
    return node;
  }

  // ---- conveniences (used by lowering, derivative rules and rewrites) ----------------------

  public Node neg(Node a) {
    return apply(Op.NEG, a);
  }

  public Node add(Node a, Node b) {
    return apply(Op.ADD, a, b);
  }

  public Node sub(Node a, Node b) {
    return apply(Op.SUB, a, b);
  }

  public Node mul(Node a, Node b) {
    return apply(Op.MUL, a, b);
  }

  public Node div(Node a, Node b) {
    return apply(Op.DIV, a, b);
  }

  public Node pow(Node a, Node b) {
    return apply(Op.POW, a, b);
  }

  public Node exp(Node a) {
    return apply(Op.EXP, a);
  }

  public Node log(Node a) {
    return apply(Op.LOG, a);
  }

  public Node sqrt(Node a) {
    return apply(Op.SQRT, a);
  }

  public Node square(Node a) {
    return apply(Op.SQUARE, a);
  }

  public Node sin(Node a) {
    return apply(Op.SIN, a);
  }

  public Node cos(Node a) {
    return apply(Op.COS, a);
  }

  public Node sinh(Node a) {
    return apply(Op.SINH, a);
  }

  public Node cosh(Node a) {
    return apply(Op.COSH, a);
  }

  public Node polygamma(int order, Node a) {
    return apply(Op.POLYGAMMA, new int[] {order}, a);
  }

  public Node select(Node cond, Node a, Node b) {
    return apply(Op.SELECT, cond, a, b);
  }

  public Node sum(Node v) {
    return apply(Op.SUM, v);
  }

  public Node index(Node v, int i) {
    return apply(Op.INDEX, new int[] {i}, v);
  }

  public Node slice(Node v, int offset, int length) {
    return apply(Op.SLICE, new int[] {offset, length}, v);
  }

  public Node embed(Node x, int offset, int length) {
    return apply(Op.EMBED, new int[] {offset, length}, x);
  }

  /** v[(int) idx + shift], idx a DATA node. */
  public Node gather(Node v, Node idx, int shift) {
    return apply(Op.GATHER, new int[] {shift}, v, idx);
  }

  /** The vector of {@code length} with g's elements added at (int) idx + shift. */
  public Node scatter(Node g, Node idx, int shift, int length) {
    return apply(Op.SCATTER, new int[] {shift, length}, g, idx);
  }

  public Node broadcast(Node s, int length) {
    return apply(Op.BROADCAST, new int[] {length}, s);
  }

  /** A scalar repeated into a vector of the given shape (fixed or dynamic). */
  public Node broadcast(Node s, Shape shape) {
    return apply(Op.BROADCAST, new int[] {shape.code()}, s);
  }

  public Node concat(Node... parts) {
    return apply(Op.CONCAT, parts);
  }

  /** Zero of the same shape as {@code like}. */
  public Node zerosLike(Node like) {
    Node zero = constant(0);
    return like.shape().isScalar() ? zero : broadcast(zero, like.shape());
  }
}
