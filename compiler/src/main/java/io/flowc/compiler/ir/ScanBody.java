package io.flowc.compiler.ir;

import java.util.List;

/**
 * The body of a {@link Op#SCAN}, as in JAX's {@code lax.scan}: a function of its own graph whose
 * inputs are the carries, one slice of each stacked per-iteration input, and the values every
 * iteration reads ({@code constants}: parameters, values computed before the loop), in that
 * order; its outputs are the carries' next values (each of its carry's shape), then the
 * per-iteration outputs. A body reads data and constants as leaves of its own graph.
 *
 * <p>A scan node's value is one vector: the final carries, then each per-iteration output
 * stacked (iteration t at {@code t * size}), then, if the scan saves them, the carry entering
 * each iteration, stacked the same way, and the final carry after them (what its derivative
 * reads). docs/internals.md, "Scan".
 */
public record ScanBody(IrFunction function, int carries, int xs) {

  public ScanBody {
    List<Node> in = function.inputs();
    if (carries < 0 || xs < 0 || carries + xs > in.size()) {
      throw new IllegalArgumentException("scan body of " + in.size() + " inputs: " + carries + " carries, " + xs + " xs");
    }
    if (function.outputs().size() < carries || function.outputs().size() == 0) {
      throw new IllegalArgumentException("scan body needs an output per carry and at least one output");
    }
    for (int i = 0; i < carries; i++) {
      Shape want = in.get(i).shape();
      Shape got = function.outputs().get(i).node().shape();
      if (!want.equals(got) || want.isDynamic()) {
        throw new IllegalArgumentException("scan carry " + i + " enters as " + want + " and leaves as " + got);
      }
    }
    for (Node n : in) {
      if (n.shape().isDynamic() || n.shape().isMatrix()) {
        throw new IllegalArgumentException("scan body input " + n.name() + " of shape " + n.shape());
      }
    }
    for (IrFunction.Output o : function.outputs()) {
      if (o.node().shape().isDynamic() || o.node().shape().isMatrix()) {
        throw new IllegalArgumentException("scan body output " + o.name() + " of shape " + o.node().shape());
      }
    }
  }

  /** How many values every iteration reads unchanged. */
  public int constants() {
    return function.inputs().size() - carries - xs;
  }

  /** How many per-iteration outputs. */
  public int ys() {
    return function.outputs().size() - carries;
  }

  public Shape carryShape(int i) {
    return function.inputs().get(i).shape();
  }

  /** The shape of one iteration's slice of stacked input j. */
  public Shape xShape(int j) {
    return function.inputs().get(carries + j).shape();
  }

  public Shape constantShape(int m) {
    return function.inputs().get(carries + xs + m).shape();
  }

  /** The shape of one iteration's per-iteration output j. */
  public Shape yShape(int j) {
    return function.outputs().get(carries + j).node().shape();
  }

  /** Elements of all carries together. */
  public int carrySize() {
    int size = 0;
    for (int i = 0; i < carries; i++) {
      size += carryShape(i).size();
    }
    return size;
  }

  /** Where final carry i lies in the scan's value. */
  public int finalCarryOffset(int i) {
    int offset = 0;
    for (int k = 0; k < i; k++) {
      offset += carryShape(k).size();
    }
    return offset;
  }

  /** Where stacked output j lies in the value of a scan of {@code length} iterations. */
  public int yOffset(int j, int length) {
    int offset = carrySize();
    for (int k = 0; k < j; k++) {
      offset += length * yShape(k).size();
    }
    return offset;
  }

  /**
   * Where the saved values of carry i lie in the value of a saving scan: {@code length + 1} rows,
   * row t the value entering iteration t, row {@code length} the final value again (so that a
   * loop can keep the carry in its rows, each iteration writing the next row).
   */
  public int savedOffset(int i, int length) {
    return yOffset(ys(), length) + (length + 1) * finalCarryOffset(i);
  }

  /** The size of a scan's value. */
  public int resultSize(int length, boolean save) {
    return savedOffset(0, length) + (save ? (length + 1) * carrySize() : 0);
  }

  /**
   * Whether a scan node runs a count read at run time ({@link Graph#scan(ScanBody, int, int,
   * boolean, boolean, int[], Node...)}): attrs 3 on are its count's size slot and its stacked
   * inputs' offsets.
   */
  public static boolean hasRunTimeCount(Node scan) {
    return scan.attrCount() > 3;
  }

  /** The size slot a scan of run-time count reads: its count is {@code (int) w[slot] + attr 0}. */
  public static int countSlot(Node scan) {
    return scan.attr(3);
  }

  /** The count of a scan of run-time count, given the value its size slot holds. */
  public static int count(Node scan, int size) {
    return size + scan.attr(0);
  }

  /**
   * Where stacked input j of a scan of run-time count starts in its argument: {@code a + b *
   * count} for the node's attributes {@code 4 + 2j} (a) and {@code 5 + 2j} (b).
   */
  public static int stackedOffset(Node scan, int j, int count) {
    return scan.attr(4 + 2 * j) + scan.attr(5 + 2 * j) * count;
  }

  /**
   * The shape of a scan of run-time count: its final carries. Such a scan has no per-iteration
   * outputs, and its saved rows (with {@code save}) follow the final carries in its value as
   * {@link #savedOffset} places them, beyond its shape: they are known at run time only, and only
   * its derivative reads them, as a stacked input of the reverse scan (docs/internals.md, "Scan").
   */
  Shape runTimeShape(int[] attrs, Node[] args) {
    if (attrs.length != 4 + 2 * xs) {
      throw new IllegalArgumentException("a scan of run-time count takes " + (4 + 2 * xs) + " attributes, got "
          + attrs.length);
    }
    if (ys() != 0 || carries == 0) {
      throw new IllegalArgumentException("a scan of run-time count needs carries and no per-iteration outputs");
    }
    if (args.length != function.inputs().size()) {
      throw new IllegalArgumentException("scan of " + args.length + " arguments for a body of " + function.inputs().size() + " inputs");
    }
    for (int k = 0; k < args.length; k++) {
      Shape body = function.inputs().get(k).shape();
      boolean stacked = k >= carries && k < carries + xs;
      if (stacked ? !args[k].shape().isVector() : !args[k].shape().equals(body)) {
        throw new IllegalArgumentException("scan argument " + k + " of shape " + args[k].shape() + ", body wants "
            + (stacked ? "a vector" : body));
      }
    }
    return Shape.vector(carrySize());
  }

  /** The scan's shape for attributes (length, reverse, save) and arguments; throws on mismatches. */
  Shape resultShape(int[] attrs, Node[] args) {
    if (attrs.length > 3) {
      return runTimeShape(attrs, args);
    }
    int length = attrs[0];
    if (length < 1) {
      throw new IllegalArgumentException("a scan of " + length + " iterations");
    }
    if (args.length != function.inputs().size()) {
      throw new IllegalArgumentException("scan of " + args.length + " arguments for a body of " + function.inputs().size() + " inputs");
    }
    for (int k = 0; k < args.length; k++) {
      Shape body = function.inputs().get(k).shape();
      boolean stacked = k >= carries && k < carries + xs;
      Shape want = stacked ? Shape.vector(length * body.size()) : body;
      if (!args[k].shape().equals(want)) {
        throw new IllegalArgumentException("scan argument " + k + " of shape " + args[k].shape() + ", body wants " + want);
      }
    }
    return Shape.vector(resultSize(length, attrs[2] != 0));
  }
}
