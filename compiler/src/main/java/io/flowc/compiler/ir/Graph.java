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
  /**
   * A node's identity for hash-consing. Written out rather than a record: a record's equals and
   * hashCode are bound through invokedynamic and run as chains of method handles until HotSpot
   * compiles them; in a fresh process, interning a flow stack's thousands of nodes through them
   * took about a tenth of building its ELBO (sampled with JFR).
   */
  private static final class Key {
    private final Op op;
    private final int[] args;
    private final int[] attrs;
    private final long valueBits;
    private final String name;
    private final ScanBody body;
    private final int hash;

    Key(Op op, int[] args, int[] attrs, long valueBits, String name, ScanBody body) {
      this.op = op;
      this.args = args;
      this.attrs = attrs;
      this.valueBits = valueBits;
      this.name = name;
      this.body = body;
      int h = op.hashCode();
      h = 31 * h + Arrays.hashCode(args);
      h = 31 * h + Arrays.hashCode(attrs);
      h = 31 * h + Long.hashCode(valueBits);
      h = 31 * h + (name == null ? 0 : name.hashCode());
      this.hash = 31 * h + Objects.hashCode(body);
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof Key k && hash == k.hash && op == k.op && valueBits == k.valueBits
          && Arrays.equals(args, k.args) && Arrays.equals(attrs, k.attrs) && Objects.equals(name, k.name)
          && Objects.equals(body, k.body);
    }

    @Override
    public int hashCode() {
      return hash;
    }
  }

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

  /** The node numbered {@code id}. */
  public Node node(int id) {
    return nodes.get(id);
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

  /**
   * {@code length} iterations of {@code body} (docs/internals.md, "Scan"): {@code args} are the
   * carries' initial values, the stacked per-iteration inputs (each {@code length} slices laid
   * end to end) and the values every iteration reads, in the body's input order. With
   * {@code reverse} the iterations run from the last slice to the first; with {@code save} the
   * carry entering each iteration is kept in the result, which the scan's derivative reads.
   */
  public Node scan(ScanBody body, int length, boolean reverse, boolean save, Node... args) {
    for (Node a : args) {
      Objects.requireNonNull(a, "null argument to scan");
    }
    int[] attrs = {length, reverse ? 1 : 0, save ? 1 : 0};
    return intern(Op.SCAN, args, attrs, 0, null, body.resultShape(attrs, args), body);
  }

  /**
   * A scan whose count is read at run time: {@code (int) w[countSlot] + countConstant}
   * iterations (a loop over a free data size, docs/language.md "Sizes bound at run time").
   * Stacked input j is read from its argument, a vector of any length, from {@code offsets[2j]
   * + offsets[2j + 1] * count} on: slices of a whole data vector, or the rows a forward scan
   * saved. The binding checks that every read lies inside (DataLayout's least sizes). Its value
   * is its final carries ({@link ScanBody#runTimeShape}); it has no per-iteration outputs.
   */
  public Node scan(ScanBody body, int countSlot, int countConstant, boolean reverse, boolean save, int[] offsets,
      Node... args) {
    for (Node a : args) {
      Objects.requireNonNull(a, "null argument to scan");
    }
    int[] attrs = new int[4 + offsets.length];
    attrs[0] = countConstant;
    attrs[1] = reverse ? 1 : 0;
    attrs[2] = save ? 1 : 0;
    attrs[3] = countSlot;
    System.arraycopy(offsets, 0, attrs, 4, offsets.length);
    return intern(Op.SCAN, args, attrs, 0, null, body.runTimeShape(attrs, args), body);
  }

  /** A node of another graph made again in this one over copied arguments (its body kept if a scan). */
  public Node copyOf(Node n, Node[] args) {
    if (n.op().kind == Op.Kind.LEAF) {
      return copyLeaf(n);
    }
    if (n.op() == Op.SCAN && ScanBody.hasRunTimeCount(n)) {
      int[] offsets = new int[n.attrCount() - 4];
      for (int k = 0; k < offsets.length; k++) {
        offsets[k] = n.attr(4 + k);
      }
      return scan(n.scanBody(), n.attr(3), n.attr(0), n.attr(1) != 0, n.attr(2) != 0, offsets, args);
    }
    if (n.op() == Op.SCAN) {
      return scan(n.scanBody(), n.attr(0), n.attr(1) != 0, n.attr(2) != 0, args);
    }
    return apply(n.op(), n.attrs(), args);
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
    if (op == Op.SCAN) {
      throw new IllegalArgumentException("scans are made by scan()");
    }
    if (op.arity >= 0 ? args.length != op.arity : args.length == 0) {
      throw new IllegalArgumentException(op + " takes " + op.arity + " arguments, got " + args.length);
    }
    for (Node a : args) {
      if (a == null) {
        throw new NullPointerException("null argument to " + op);
      }
    }
    int attributes = attributeCount(op);
    if (attributes >= 0 && attrs.length != attributes) {
      throw new IllegalArgumentException(op + " takes " + attributes + " attributes, got " + attrs.length);
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

  /** How many integer attributes an op carries; -1 where its shape rule checks a variable count. */
  static int attributeCount(Op op) {
    return switch (op) {
      case INDEX, POLYGAMMA, GATHER, PUT, TRISOLVE -> 1;
      case SLICE, EMBED, SCATTER, DATA, MATMUL, RESHAPE -> 2;
      case SCAN -> 3;
      case BROADCAST, PLACE, TAKE, SUM -> -1; // SUM: none (in lanes), or 1 (in order)
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
    if (a.isMatrix() || b.isMatrix()) {
      throw new IllegalArgumentException(op + " of mismatched shapes " + a + " and " + b);
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
        if (args[0].shape().isScalar()) {
          throw new IllegalArgumentException(op + " of a scalar");
        }
        return Shape.SCALAR;
      }
      case INDEX -> {
        requireVector(op, args[0]);
        if (args[0].shape().isDynamic() && args[0].op() == Op.DATA) {
          // an element of a free-size data vector: the binding checks its size (DataLayout's least sizes)
          if (attrs[0] < 0) {
            throw new IllegalArgumentException("index " + attrs[0] + " out of range " + args[0].shape());
          }
          return Shape.SCALAR;
        }
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
        requireNotMatrix(op, args[0]);
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
        requireNotMatrix(op, args[0]);
        if (args[1].op() != Op.DATA || !args[0].shape().equals(args[1].shape())) {
          throw new IllegalArgumentException("scatter of " + args[0].shape() + " by " + args[1]);
        }
        return Shape.vector(attrs[1]);
      }
      case BROADCAST -> {
        if (!args[0].shape().isScalar()) {
          throw new IllegalArgumentException("broadcast of a vector");
        }
        if (attrs.length == 2) {
          return Shape.matrix(attrs[0], attrs[1]);
        }
        if (attrs.length != 1) {
          throw new IllegalArgumentException("BROADCAST takes 1 or 2 attributes, got " + attrs.length);
        }
        return Shape.ofCode(attrs[0]);
      }
      case CONCAT -> {
        int length = 0;
        for (Node a : args) {
          requireNotMatrix(op, a);
          length += a.shape().size();
        }
        return Shape.vector(length);
      }
      case MATVEC, MATVECT -> {
        Shape w = args[0].shape();
        Shape v = args[1].shape();
        int inner = !w.isMatrix() ? -1 : op == Op.MATVEC ? w.cols() : w.rows();
        if (!v.isVector() || v.isDynamic() || v.length() != inner) {
          throw new IllegalArgumentException(op + " of shapes " + w + " and " + v
              + ": needs a matrix and a vector of its " + (op == Op.MATVEC ? "columns" : "rows"));
        }
        return Shape.vector(op == Op.MATVEC ? w.rows() : w.cols());
      }
      case OUTER -> {
        Shape a = args[0].shape();
        Shape b = args[1].shape();
        if (!a.isVector() || !b.isVector() || a.isDynamic() || b.isDynamic()) {
          throw new IllegalArgumentException(op + " of shapes " + a + " and " + b + ": needs two vectors");
        }
        return Shape.matrix(a.length(), b.length());
      }
      case PLACE -> {
        return placeShape(attrs, args[0].shape());
      }
      case RESHAPE -> {
        Shape from = args[0].shape();
        Shape to = attrs[1] == 0 ? Shape.vector(attrs[0]) : Shape.matrix(attrs[0], attrs[1]);
        if (from.isScalar() || from.isDynamic() || from.size() != to.size()) {
          throw new IllegalArgumentException(op + " of " + from + " to " + to);
        }
        return to;
      }
      case TAKE -> {
        Shape dense = args[0].shape();
        if (dense.isScalar() || dense.isDynamic()) {
          throw new IllegalArgumentException(op + " of " + dense + ": needs a vector or a matrix");
        }
        requirePositions(op, attrs, 0, dense.size());
        return Shape.of(attrs.length == 1 ? 0 : attrs.length);
      }
      case CUMSUM, REVCUMSUM -> {
        requireVector(op, args[0]);
        requireStatic(args[0]);
        return args[0].shape();
      }
      case SEARCH -> {
        Shape knots = args[0].shape();
        if (!knots.isVector() || knots.isDynamic() || knots.length() < 2 || !args[1].shape().isScalar()) {
          throw new IllegalArgumentException(op + " of shapes " + knots + " and " + args[1].shape()
              + ": needs at least two knots and a scalar");
        }
        return Shape.SCALAR;
      }
      case PICK -> {
        Shape v = args[0].shape();
        if (!v.isVector() || v.isDynamic() || !args[1].shape().isScalar()) {
          throw new IllegalArgumentException(op + " of shapes " + v + " and " + args[1].shape() + ": needs a vector and a scalar index");
        }
        return Shape.SCALAR;
      }
      case PUT -> {
        if (!args[0].shape().isScalar() || !args[1].shape().isScalar() || attrs[0] < 1) {
          throw new IllegalArgumentException(op + " of shapes " + args[0].shape() + " and " + args[1].shape()
              + " into " + attrs[0] + " elements: needs two scalars and a positive length");
        }
        return Shape.vector(attrs[0]);
      }
      case CHOLESKY, CHOLESKY_ADJOINT, TRISOLVE, MATMUL, TRANSPOSE, LOG_ABS_DET, LOG_ABS_DET_ADJOINT -> {
        return denseShape(op, attrs, args);
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

  /** The shapes of the dense linear-algebra ops: square factors, vectors of matching lengths. */
  private static Shape denseShape(Op op, int[] attrs, Node[] args) {
    Shape a = args[0].shape();
    if (!a.isMatrix()) {
      throw new IllegalArgumentException(op + " of " + a + ": needs a matrix");
    }
    switch (op) {
      case TRANSPOSE -> {
        return Shape.matrix(a.cols(), a.rows());
      }
      case MATMUL -> {
        Shape b = args[1].shape();
        if (!b.isMatrix()) {
          throw new IllegalArgumentException(op + " of " + a + " and " + b + ": needs two matrices");
        }
        int m = attrs[0] == 0 ? a.rows() : a.cols();
        int k = attrs[0] == 0 ? a.cols() : a.rows();
        int kb = attrs[1] == 0 ? b.rows() : b.cols();
        int n = attrs[1] == 0 ? b.cols() : b.rows();
        if (k != kb) {
          throw new IllegalArgumentException(op + " of shapes " + a + " and " + b + " " + Arrays.toString(attrs)
              + ": inner sizes " + k + " and " + kb);
        }
        return Shape.matrix(m, n);
      }
      default -> {
        if (a.rows() != a.cols()) {
          throw new IllegalArgumentException(op + " of a non-square matrix " + a);
        }
        if (op == Op.CHOLESKY) {
          return a;
        }
        if (op == Op.LOG_ABS_DET) {
          return Shape.SCALAR;
        }
        if (op == Op.LOG_ABS_DET_ADJOINT) {
          if (!args[1].shape().isScalar()) {
            throw new IllegalArgumentException(op + " of shapes " + a + " and " + args[1].shape());
          }
          return a;
        }
        Shape b = args[1].shape();
        if (op == Op.CHOLESKY_ADJOINT ? !b.equals(a) : !b.isVector() || b.isDynamic() || b.length() != a.rows()) {
          throw new IllegalArgumentException(op + " of shapes " + a + " and " + b);
        }
        return op == Op.CHOLESKY_ADJOINT ? a : Shape.vector(a.rows());
      }
    }
  }

  private static void requireVector(Op op, Node a) {
    if (a.shape().isScalar()) {
      throw new IllegalArgumentException(op + " of a scalar");
    }
    requireNotMatrix(op, a);
  }

  private static void requireNotMatrix(Op op, Node a) {
    if (a.shape().isMatrix()) {
      throw new IllegalArgumentException(op + " of a matrix " + a.shape());
    }
  }

  /** PLACE's result: attrs are rows, cols (0 for a vector) and the flat positions of the packed elements. */
  private static Shape placeShape(int[] attrs, Shape packed) {
    if (attrs.length < 3 || attrs[0] < 1 || attrs[1] < 0) {
      throw new IllegalArgumentException("PLACE attributes " + Arrays.toString(attrs) + ": needs rows >= 1, cols >= 0 and a position");
    }
    Shape out = attrs[1] == 0 ? Shape.vector(attrs[0]) : Shape.matrix(attrs[0], attrs[1]);
    requirePositions(Op.PLACE, Arrays.copyOfRange(attrs, 2, attrs.length), 0, out.size());
    int k = attrs.length - 2;
    boolean fits = k == 1 ? packed.isScalar() || packed.equals(Shape.vector(1)) : packed.equals(Shape.vector(k));
    if (!fits) {
      throw new IllegalArgumentException("PLACE of " + packed + " at " + k + " positions into " + out);
    }
    return out;
  }

  private static void requirePositions(Op op, int[] positions, int from, int size) {
    if (positions.length <= from) {
      throw new IllegalArgumentException(op + " needs at least one position");
    }
    for (int t = from; t < positions.length; t++) {
      if (positions[t] < 0 || positions[t] >= size || (t > from && positions[t] <= positions[t - 1])) {
        throw new IllegalArgumentException(op + " positions " + Arrays.toString(positions)
            + " are not strictly increasing in [0, " + size + ")");
      }
    }
  }

  Node intern(Op op, Node[] args, int[] attrs, double value, String name, Shape shape) {
    return intern(op, args, attrs, value, name, shape, null);
  }

  private Node intern(Op op, Node[] args, int[] attrs, double value, String name, Shape shape, ScanBody body) {
    int[] argIds = new int[args.length];
    for (int i = 0; i < args.length; i++) {
      Node a = args[i];
      if (a.id() >= nodes.size() || nodes.get(a.id()) != a) {
        throw new IllegalArgumentException("argument " + a + " belongs to another graph");
      }
      argIds[i] = a.id();
    }
    // One NaN constant: all NaN bit patterns behave alike.
    long bits = Double.isNaN(value) ? Double.doubleToLongBits(Double.NaN) : Double.doubleToRawLongBits(value);
    Key key = new Key(op, argIds, attrs.clone(), bits, name, body);
    Node existing = interned.get(key);
    if (existing != null) {
      if (!existing.shape().equals(shape)) {
        throw new IllegalArgumentException("input " + name + " declared with two shapes");
      }
      return existing;
    }
    Node node = new Node(nodes.size(), op, args.clone(), attrs.clone(), value, name, shape, body);
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

  /**
   * The sum of v's elements in one chain, first element first: a loop's log density terms, which
   * a loop of run-time count adds in a carry, one iteration after another.
   */
  public Node sumInOrder(Node v) {
    return apply(Op.SUM, new int[] {1}, v);
  }

  /** Whether a SUM adds in one chain ({@link #sumInOrder}) rather than in lanes. */
  public static boolean inOrder(Node sum) {
    return sum.attrCount() > 0 && sum.attr(0) == 1;
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

  /** A scalar repeated into a value of the given shape (fixed or dynamic vector, or matrix). */
  public Node broadcast(Node s, Shape shape) {
    if (shape.isMatrix()) {
      return apply(Op.BROADCAST, new int[] {shape.rows(), shape.cols()}, s);
    }
    return apply(Op.BROADCAST, new int[] {shape.code()}, s);
  }

  public Node concat(Node... parts) {
    return apply(Op.CONCAT, parts);
  }

  // ---- matrices and the operations of neural flows (see the ops of the same names) ---------

  /** W x: a vector of W's rows. */
  public Node matvec(Node w, Node x) {
    return apply(Op.MATVEC, w, x);
  }

  /** W^T y: a vector of W's columns. */
  public Node matvecT(Node w, Node y) {
    return apply(Op.MATVECT, w, y);
  }

  /** The matrix a_i b_j. */
  public Node outer(Node a, Node b) {
    return apply(Op.OUTER, a, b);
  }

  /**
   * A rows x cols matrix (cols = 0: a vector of rows) of zeros but for {@code packed}'s elements
   * at the flat (row-major) {@code positions}, strictly increasing; {@code packed} is a vector of
   * positions.length elements, or a scalar for one position.
   */
  public Node place(Node packed, int rows, int cols, int[] positions) {
    int[] attrs = new int[positions.length + 2];
    attrs[0] = rows;
    attrs[1] = cols;
    System.arraycopy(positions, 0, attrs, 2, positions.length);
    return apply(Op.PLACE, attrs, packed);
  }

  /** The elements of a vector or matrix at flat {@code positions} (strictly increasing): a vector, a scalar for one. */
  public Node take(Node dense, int[] positions) {
    return apply(Op.TAKE, positions.clone(), dense);
  }

  /**
   * The value's elements in flat order as a value of shape {@code to} (a vector or a matrix of
   * the same size); the value itself if it has that shape already.
   */
  public Node reshape(Node x, Shape to) {
    if (x.shape().equals(to)) {
      return x;
    }
    if (x.op() == Op.RESHAPE) {
      return reshape(x.arg(0), to);
    }
    return to.isMatrix() ? apply(Op.RESHAPE, new int[] {to.rows(), to.cols()}, x)
        : apply(Op.RESHAPE, new int[] {to.length(), 0}, x);
  }

  /** Running sums, ascending. */
  public Node cumsum(Node v) {
    return apply(Op.CUMSUM, v);
  }

  /** Running sums from the end. */
  public Node revcumsum(Node v) {
    return apply(Op.REVCUMSUM, v);
  }

  /** The bin k (0..n-2, as a double) of x among ascending knots[n], clamped at both ends. */
  public Node search(Node knots, Node x) {
    return apply(Op.SEARCH, knots, x);
  }

  /** v[(int) index]. */
  public Node pick(Node v, Node index) {
    return apply(Op.PICK, v, index);
  }

  /** A vector of n zeros but for g at (int) index. */
  public Node put(Node g, Node index, int n) {
    return apply(Op.PUT, new int[] {n}, g, index);
  }

  /** The lower Cholesky factor of a square matrix. */
  public Node cholesky(Node a) {
    return apply(Op.CHOLESKY, a);
  }

  /** L^-1 b, or L^-T b if {@code transposed}, of a lower-triangular L and a vector b. */
  public Node triangularSolve(Node l, Node b, boolean transposed) {
    return apply(Op.TRISOLVE, new int[] {transposed ? 1 : 0}, l, b);
  }

  /** op(a) op(b), each transposed where its flag says. */
  public Node matmul(Node a, Node b, boolean transposeA, boolean transposeB) {
    return apply(Op.MATMUL, new int[] {transposeA ? 1 : 0, transposeB ? 1 : 0}, a, b);
  }

  public Node transpose(Node a) {
    return apply(Op.TRANSPOSE, a);
  }

  /** log |det A| of a square matrix. */
  public Node logAbsDeterminant(Node a) {
    return apply(Op.LOG_ABS_DET, a);
  }

  /** The flat positions of an n x n matrix's diagonal. */
  public static int[] diagonalPositions(int n) {
    int[] p = new int[n];
    for (int i = 0; i < n; i++) {
      p[i] = i * n + i;
    }
    return p;
  }

  /** The flat positions of an n x n matrix's lower triangle, diagonal included, row by row. */
  public static int[] lowerPositions(int n) {
    int[] p = new int[n * (n + 1) / 2];
    int t = 0;
    for (int i = 0; i < n; i++) {
      for (int j = 0; j <= i; j++) {
        p[t++] = i * n + j;
      }
    }
    return p;
  }

  /** A square matrix with its elements above the diagonal set to zero. */
  public Node lowerTriangle(Node m) {
    int n = m.shape().rows();
    int[] lower = lowerPositions(n);
    return place(take(m, lower), n, n, lower);
  }

  /** The diagonal of a square matrix, as a vector (a scalar for 1 x 1). */
  public Node diagonal(Node m) {
    return take(m, diagonalPositions(m.shape().rows()));
  }

  /**
   * max(0, x) elementwise: the constant first, so that the tie at x = 0 sends the adjoint to it
   * and relu'(0) = 0 (min and max follow their first argument on ties, see {@link Op}).
   */
  public Node relu(Node x) {
    return apply(Op.MAX, constant(0), x);
  }

  /** Zero of the same shape as {@code like}. */
  public Node zerosLike(Node like) {
    Node zero = constant(0);
    return like.shape().isScalar() ? zero : broadcast(zero, like.shape());
  }
}
