package io.flowc.compiler.ir;

import java.util.Arrays;
import java.util.List;

/**
 * One value of the IR: an op applied to argument nodes. Nodes are made only by a {@link Graph},
 * which interns them, so a node is equal to another only if it is the same object, and an
 * identical subexpression is always one node. {@link #id()} numbers nodes in creation order, which
 * is a topological order (arguments exist before their users).
 */
public final class Node {
  private final int id;
  private final Op op;
  private final Node[] args;
  /** {@link #args()}, made once: passes ask for a node's arguments many times. */
  private final List<Node> argList;
  private final int[] attrs;
  private final double value;
  private final String name;
  private final Shape shape;
  private final boolean dependsOnInputs;
  private final ScanBody scan;

  Node(int id, Op op, Node[] args, int[] attrs, double value, String name, Shape shape) {
    this(id, op, args, attrs, value, name, shape, null);
  }

  Node(int id, Op op, Node[] args, int[] attrs, double value, String name, Shape shape, ScanBody scan) {
    this.id = id;
    this.op = op;
    this.args = args;
    this.argList = List.of(args);
    this.attrs = attrs;
    this.value = value;
    this.name = name;
    this.shape = shape;
    this.scan = scan;
    boolean depends = op == Op.INPUT;
    for (Node a : args) {
      depends |= a.dependsOnInputs;
    }
    this.dependsOnInputs = depends;
  }

  public int id() {
    return id;
  }

  public Op op() {
    return op;
  }

  public List<Node> args() {
    return argList;
  }

  public Node arg(int i) {
    return args[i];
  }

  /** The arguments' own array, for readers in this package that only read it (a copy per node costs a fresh process). */
  Node[] argArray() {
    return args;
  }

  public int arity() {
    return args.length;
  }

  /** The op's integer attributes (an index, an offset, an input slot, an order). */
  public int attr(int i) {
    return attrs[i];
  }

  int[] attrs() {
    return attrs.clone();
  }

  public int attrCount() {
    return attrs.length;
  }

  /** The body of a {@link Op#SCAN}; null for every other op. */
  public ScanBody scanBody() {
    return scan;
  }

  /** The value of a {@link Op#CONST}. */
  public double value() {
    return value;
  }

  /** The name of an {@link Op#INPUT}. */
  public String name() {
    return name;
  }

  public Shape shape() {
    return shape;
  }

  /** Whether the value changes with some input: false for constants and what is built from them. */
  public boolean dependsOnInputs() {
    return dependsOnInputs;
  }

  @Override
  public String toString() {
    return "%" + id + " = " + op.symbol() + (args.length == 0 ? "" : " " + Arrays.stream(args).map(a -> "%" + a.id).toList())
        + (attrs.length == 0 ? "" : " " + Arrays.toString(attrs)) + " : " + shape;
  }
}
