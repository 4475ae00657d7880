package io.flowc.compiler.ir;

import io.flowc.runtime.MathFunctions;
import java.util.Locale;

/**
 * The IR's operations. Each owns its semantics on doubles ({@link #apply1}, {@link #apply2},
 * {@link #apply3} for elementwise ops; the evaluator handles structural ones by kind) and its
 * reverse-mode derivative rule ({@link #vjp}): given the adjoint {@code g} of a node's output,
 * the adjoints of its arguments, {@code null} meaning zero.
 *
 * <p>Booleans are doubles 1.0 and 0.0; {@link #SELECT} picks where its condition is not zero.
 *
 * <p>One-sided choices at non-differentiable points: |x| has derivative +1 at 0 (the right
 * derivative), min and max send the whole adjoint to their first argument on ties, a
 * conditional's adjoint follows the branch taken, and comparisons have zero derivative. So
 * {@link Graph#relu relu(x)}, built as {@code max(0, x)}, has derivative 0 at x = 0, as in
 * PyTorch: the tie sends the adjoint to the constant.
 */
public enum Op {
  // ---- leaves ------------------------------------------------------------------------------
  /** A scalar constant ({@link Node#value()}). */
  CONST(Kind.LEAF, 0),
  /** A model input ({@link Node#name()}; attr 0 is its slot). */
  INPUT(Kind.LEAF, 0),
  /**
   * Data bound at run time ({@link Node#name()}; attr 0 is its offset in the data region): a
   * value that does not change from one evaluation to the next and has no derivative.
   */
  DATA(Kind.LEAF, 0),

  // ---- elementwise, one argument --------------------------------------------------------
  NEG(Kind.ELEMENTWISE, 1) {
    @Override public double apply1(double a) { return -a; }
    @Override Node[] vjp(Graph b, Node out, Node g) { return new Node[] {b.neg(g)}; }
  },
  SIN(Kind.ELEMENTWISE, 1) {
    @Override public double apply1(double a) { return Math.sin(a); }
    @Override Node[] vjp(Graph b, Node out, Node g) { return new Node[] {b.mul(g, b.cos(out.arg(0)))}; }
  },
  COS(Kind.ELEMENTWISE, 1) {
    @Override public double apply1(double a) { return Math.cos(a); }
    @Override Node[] vjp(Graph b, Node out, Node g) { return new Node[] {b.neg(b.mul(g, b.sin(out.arg(0))))}; }
  },
  TAN(Kind.ELEMENTWISE, 1) {
    @Override public double apply1(double a) { return Math.tan(a); }
    @Override Node[] vjp(Graph b, Node out, Node g) {
      return new Node[] {b.mul(g, b.add(b.constant(1), b.square(out)))};
    }
  },
  ASIN(Kind.ELEMENTWISE, 1) {
    @Override public double apply1(double a) { return Math.asin(a); }
    @Override Node[] vjp(Graph b, Node out, Node g) {
      return new Node[] {b.div(g, b.sqrt(b.sub(b.constant(1), b.square(out.arg(0)))))};
    }
  },
  ACOS(Kind.ELEMENTWISE, 1) {
    @Override public double apply1(double a) { return Math.acos(a); }
    @Override Node[] vjp(Graph b, Node out, Node g) {
      return new Node[] {b.neg(b.div(g, b.sqrt(b.sub(b.constant(1), b.square(out.arg(0))))))};
    }
  },
  ATAN(Kind.ELEMENTWISE, 1) {
    @Override public double apply1(double a) { return Math.atan(a); }
    @Override Node[] vjp(Graph b, Node out, Node g) {
      return new Node[] {b.div(g, b.add(b.constant(1), b.square(out.arg(0))))};
    }
  },
  SINH(Kind.ELEMENTWISE, 1) {
    @Override public double apply1(double a) { return Math.sinh(a); }
    @Override Node[] vjp(Graph b, Node out, Node g) { return new Node[] {b.mul(g, b.cosh(out.arg(0)))}; }
  },
  COSH(Kind.ELEMENTWISE, 1) {
    @Override public double apply1(double a) { return Math.cosh(a); }
    @Override Node[] vjp(Graph b, Node out, Node g) { return new Node[] {b.mul(g, b.sinh(out.arg(0)))}; }
  },
  TANH(Kind.ELEMENTWISE, 1) {
    @Override public double apply1(double a) { return MathFunctions.tanh(a); }
    @Override Node[] vjp(Graph b, Node out, Node g) {
      return new Node[] {b.mul(g, b.sub(b.constant(1), b.square(out)))};
    }
  },
  EXP(Kind.ELEMENTWISE, 1) {
    @Override public double apply1(double a) { return Math.exp(a); }
    @Override Node[] vjp(Graph b, Node out, Node g) { return new Node[] {b.mul(g, out)}; }
  },
  EXPM1(Kind.ELEMENTWISE, 1) {
    @Override public double apply1(double a) { return Math.expm1(a); }
    @Override Node[] vjp(Graph b, Node out, Node g) { return new Node[] {b.mul(g, b.exp(out.arg(0)))}; }
  },
  LOG(Kind.ELEMENTWISE, 1) {
    @Override public double apply1(double a) { return Math.log(a); }
    @Override Node[] vjp(Graph b, Node out, Node g) { return new Node[] {b.div(g, out.arg(0))}; }
  },
  LOG1P(Kind.ELEMENTWISE, 1) {
    @Override public double apply1(double a) { return MathFunctions.log1p(a); }
    @Override Node[] vjp(Graph b, Node out, Node g) {
      return new Node[] {b.div(g, b.add(b.constant(1), out.arg(0)))};
    }
  },
  SQRT(Kind.ELEMENTWISE, 1) {
    @Override public double apply1(double a) { return Math.sqrt(a); }
    @Override Node[] vjp(Graph b, Node out, Node g) { return new Node[] {b.div(b.mul(b.constant(0.5), g), out)}; }
  },
  SQUARE(Kind.ELEMENTWISE, 1) {
    @Override public double apply1(double a) { return a * a; }
    @Override Node[] vjp(Graph b, Node out, Node g) {
      return new Node[] {b.mul(g, b.mul(b.constant(2), out.arg(0)))};
    }
  },
  ABS(Kind.ELEMENTWISE, 1) {
    @Override public double apply1(double a) { return Math.abs(a); }
    @Override Node[] vjp(Graph b, Node out, Node g) {
      Node a = out.arg(0);
      return new Node[] {b.select(b.apply(GE, a, b.constant(0)), g, b.neg(g))};
    }
  },
  SIGMOID(Kind.ELEMENTWISE, 1) {
    @Override public double apply1(double a) { return MathFunctions.sigmoid(a); }
    @Override Node[] vjp(Graph b, Node out, Node g) {
      return new Node[] {b.mul(g, b.mul(out, b.sub(b.constant(1), out)))};
    }
  },
  LOGIT(Kind.ELEMENTWISE, 1) {
    @Override public double apply1(double a) { return MathFunctions.logit(a); }
    @Override Node[] vjp(Graph b, Node out, Node g) {
      Node p = out.arg(0);
      return new Node[] {b.div(g, b.mul(p, b.sub(b.constant(1), p)))};
    }
  },
  SOFTPLUS(Kind.ELEMENTWISE, 1) {
    @Override public double apply1(double a) { return MathFunctions.softplus(a); }
    @Override Node[] vjp(Graph b, Node out, Node g) { return new Node[] {b.mul(g, b.apply(SIGMOID, out.arg(0)))}; }
  },
  ERF(Kind.ELEMENTWISE, 1) {
    @Override public double apply1(double a) { return MathFunctions.erf(a); }
    @Override Node[] vjp(Graph b, Node out, Node g) {
      return new Node[] {b.mul(g, b.mul(b.constant(2 / Math.sqrt(Math.PI)), b.exp(b.neg(b.square(out.arg(0))))))};
    }
  },
  ERFC(Kind.ELEMENTWISE, 1) {
    @Override public double apply1(double a) { return MathFunctions.erfc(a); }
    @Override Node[] vjp(Graph b, Node out, Node g) {
      return new Node[] {b.mul(g, b.mul(b.constant(-2 / Math.sqrt(Math.PI)), b.exp(b.neg(b.square(out.arg(0))))))};
    }
  },
  LGAMMA(Kind.ELEMENTWISE, 1) {
    @Override public double apply1(double a) { return MathFunctions.lgamma(a); }
    @Override Node[] vjp(Graph b, Node out, Node g) { return new Node[] {b.mul(g, b.polygamma(0, out.arg(0)))}; }
  },
  /** psi^(n), n = attr 0: digamma for n = 0. */
  POLYGAMMA(Kind.ELEMENTWISE, 1) {
    @Override Node[] vjp(Graph b, Node out, Node g) {
      return new Node[] {b.mul(g, b.polygamma(out.attr(0) + 1, out.arg(0)))};
    }
  },
  /** Logical not of a 0/1 value. */
  NOT(Kind.ELEMENTWISE, 1) {
    @Override public double apply1(double a) { return a == 0 ? 1 : 0; }
  },

  // ---- elementwise, two arguments -------------------------------------------------------
  ADD(Kind.ELEMENTWISE, 2) {
    @Override public double apply2(double a, double c) { return a + c; }
    @Override Node[] vjp(Graph b, Node out, Node g) { return new Node[] {g, g}; }
  },
  SUB(Kind.ELEMENTWISE, 2) {
    @Override public double apply2(double a, double c) { return a - c; }
    @Override Node[] vjp(Graph b, Node out, Node g) { return new Node[] {g, b.neg(g)}; }
  },
  MUL(Kind.ELEMENTWISE, 2) {
    @Override public double apply2(double a, double c) { return a * c; }
    @Override Node[] vjp(Graph b, Node out, Node g) {
      return new Node[] {b.mul(g, out.arg(1)), b.mul(g, out.arg(0))};
    }
  },
  DIV(Kind.ELEMENTWISE, 2) {
    @Override public double apply2(double a, double c) { return a / c; }
    @Override Node[] vjp(Graph b, Node out, Node g) {
      Node ga = b.div(g, out.arg(1));
      return new Node[] {ga, out.arg(1).dependsOnInputs() ? b.neg(b.mul(ga, out)) : null};
    }
  },
  /**
   * Math.pow. Its derivatives are 0 where it is constant although the formulas are not finite:
   * in x at y = 0 (x^0 is 1, but y x^(y-1) is 0 * infinity at x = 0) and in y at x = 0 (0^y is 0
   * for y > 0, but x^y log x is 0 * -infinity).
   */
  POW(Kind.ELEMENTWISE, 2) {
    @Override public double apply2(double a, double c) { return Math.pow(a, c); }
    @Override Node[] vjp(Graph b, Node out, Node g) {
      Node base = out.arg(0);
      Node exponent = out.arg(1);
      Node zero = b.zerosLike(out);
      Node gBase = base.dependsOnInputs()
          ? b.mul(g, b.select(b.apply(EQ, exponent, zero), zero,
              b.mul(exponent, b.pow(base, b.sub(exponent, b.constant(1)))))) : null;
      Node gExponent = exponent.dependsOnInputs()
          ? b.mul(g, b.mul(out, b.log(b.select(b.apply(EQ, base, zero), b.constant(1), base)))) : null;
      return new Node[] {gBase, gExponent};
    }
  },
  ATAN2(Kind.ELEMENTWISE, 2) {
    @Override public double apply2(double y, double x) { return Math.atan2(y, x); }
    @Override Node[] vjp(Graph b, Node out, Node g) {
      Node y = out.arg(0);
      Node x = out.arg(1);
      Node scaled = b.div(g, b.add(b.square(x), b.square(y)));
      return new Node[] {b.mul(scaled, x), b.neg(b.mul(scaled, y))};
    }
  },
  MIN(Kind.ELEMENTWISE, 2) {
    @Override public double apply2(double a, double c) { return Math.min(a, c); }
    @Override Node[] vjp(Graph b, Node out, Node g) {
      Node first = b.apply(LE, out.arg(0), out.arg(1));
      return new Node[] {b.select(first, g, b.zerosLike(g)), b.select(first, b.zerosLike(g), g)};
    }
  },
  MAX(Kind.ELEMENTWISE, 2) {
    @Override public double apply2(double a, double c) { return Math.max(a, c); }
    @Override Node[] vjp(Graph b, Node out, Node g) {
      Node first = b.apply(GE, out.arg(0), out.arg(1));
      return new Node[] {b.select(first, g, b.zerosLike(g)), b.select(first, b.zerosLike(g), g)};
    }
  },
  LOGADDEXP(Kind.ELEMENTWISE, 2) {
    @Override public double apply2(double a, double c) { return MathFunctions.logaddexp(a, c); }
    @Override Node[] vjp(Graph b, Node out, Node g) {
      // d/da = exp(a - out) = sigmoid(a - b): the sigmoid form does not inherit out's rounding
      return new Node[] {
        b.mul(g, b.apply(SIGMOID, b.sub(out.arg(0), out.arg(1)))),
        b.mul(g, b.apply(SIGMOID, b.sub(out.arg(1), out.arg(0))))
      };
    }
  },
  LT(Kind.ELEMENTWISE, 2) {
    @Override public double apply2(double a, double c) { return a < c ? 1 : 0; }
  },
  LE(Kind.ELEMENTWISE, 2) {
    @Override public double apply2(double a, double c) { return a <= c ? 1 : 0; }
  },
  GT(Kind.ELEMENTWISE, 2) {
    @Override public double apply2(double a, double c) { return a > c ? 1 : 0; }
  },
  GE(Kind.ELEMENTWISE, 2) {
    @Override public double apply2(double a, double c) { return a >= c ? 1 : 0; }
  },
  EQ(Kind.ELEMENTWISE, 2) {
    @Override public double apply2(double a, double c) { return a == c ? 1 : 0; }
  },
  NE(Kind.ELEMENTWISE, 2) {
    @Override public double apply2(double a, double c) { return a != c ? 1 : 0; }
  },
  AND(Kind.ELEMENTWISE, 2) {
    @Override public double apply2(double a, double c) { return a != 0 && c != 0 ? 1 : 0; }
  },
  OR(Kind.ELEMENTWISE, 2) {
    @Override public double apply2(double a, double c) { return a != 0 || c != 0 ? 1 : 0; }
  },

  // ---- elementwise, three arguments -----------------------------------------------------
  /** cond ? a : b, elementwise. */
  SELECT(Kind.ELEMENTWISE, 3) {
    @Override public double apply3(double cond, double a, double c) { return cond != 0 ? a : c; }
    @Override Node[] vjp(Graph b, Node out, Node g) {
      Node zero = b.zerosLike(g);
      return new Node[] {null, b.select(out.arg(0), g, zero), b.select(out.arg(0), zero, g)};
    }
  },

  // ---- reductions and structure ---------------------------------------------------------
  /**
   * The sum of a vector's or matrix's elements, in flat order: in the lanes of
   * {@link io.flowc.runtime.Sums}, or with attr 0 set to 1 in one chain, first element first
   * ({@link Graph#sumInOrder}).
   */
  SUM(Kind.STRUCTURAL, 1) {
    @Override Node[] vjp(Graph b, Node out, Node g) { return new Node[] {b.broadcast(g, out.arg(0).shape())}; }
  },
  /** log(sum(exp(v))) of a vector (or a matrix's elements, in flat order). */
  LOGSUMEXP(Kind.STRUCTURAL, 1) {
    @Override Node[] vjp(Graph b, Node out, Node g) {
      Node v = out.arg(0);
      return new Node[] {b.mul(g, b.exp(b.sub(v, out)))};
    }
  },
  /** Element attr 0 of a vector. */
  INDEX(Kind.STRUCTURAL, 1) {
    @Override Node[] vjp(Graph b, Node out, Node g) {
      return new Node[] {b.embed(g, out.attr(0), out.arg(0).shape().length())};
    }
  },
  /** Elements [attr 0, attr 0 + attr 1) of a vector. */
  SLICE(Kind.STRUCTURAL, 1) {
    @Override Node[] vjp(Graph b, Node out, Node g) {
      return new Node[] {b.embed(g, out.attr(0), out.arg(0).shape().length())};
    }
  },
  /** A vector of length attr 1, zero but for its argument (scalar or vector) placed at attr 0. */
  EMBED(Kind.STRUCTURAL, 1) {
    @Override Node[] vjp(Graph b, Node out, Node g) {
      Node x = out.arg(0);
      return new Node[] {x.shape().isScalar() ? b.index(g, out.attr(0)) : b.slice(g, out.attr(0), x.shape().length())};
    }
  },
  /** A scalar repeated into a vector of length attr 0. */
  BROADCAST(Kind.STRUCTURAL, 1) {
    @Override Node[] vjp(Graph b, Node out, Node g) { return new Node[] {b.sum(g)}; }
  },
  /**
   * Elements of a vector picked by data integers: out[i] = v[(int) idx[i] + attr 0] (idx a data
   * vector, or a data scalar for a scalar result). The index has no derivative.
   */
  GATHER(Kind.STRUCTURAL, 2) {
    @Override Node[] vjp(Graph b, Node out, Node g) {
      return new Node[] {b.scatter(g, out.arg(1), out.attr(0), out.arg(0).shape().length()), null};
    }
  },
  /** The adjoint of GATHER: a vector of length attr 1, out[(int) idx[i] + attr 0] += g[i]. */
  SCATTER(Kind.STRUCTURAL, 2) {
    @Override Node[] vjp(Graph b, Node out, Node g) {
      return new Node[] {b.gather(g, out.arg(1), out.attr(0)), null};
    }
  },
  /** Scalars and vectors laid end to end into one vector. */
  CONCAT(Kind.STRUCTURAL, -1) {
    @Override Node[] vjp(Graph b, Node out, Node g) {
      Node[] adjoints = new Node[out.arity()];
      int offset = 0;
      for (int i = 0; i < out.arity(); i++) {
        Shape s = out.arg(i).shape();
        adjoints[i] = s.isScalar() ? b.index(g, offset) : b.slice(g, offset, s.length());
        offset += s.size();
      }
      return adjoints;
    }
  },

  // ---- matrices and the operations of neural flows ---------------------------------------
  /**
   * W x of a matrix W[m,n] and a vector x[n]: a vector of m, y_i accumulated as
   * {@code acc = W[i,0]*x[0]; acc += W[i,j]*x[j]} for j ascending (the order every evaluator of
   * the IR keeps, so results agree bit for bit).
   */
  MATVEC(Kind.STRUCTURAL, 2) {
    @Override Node[] vjp(Graph b, Node out, Node g) {
      Node w = out.arg(0);
      Node x = out.arg(1);
      return new Node[] {w.dependsOnInputs() ? b.outer(g, x) : null, x.dependsOnInputs() ? b.matvecT(w, g) : null};
    }
  },
  /** W^T y of a matrix W[m,n] and a vector y[m]: a vector of n, x_j summed over i ascending as in {@link #MATVEC}. */
  MATVECT(Kind.STRUCTURAL, 2) {
    @Override Node[] vjp(Graph b, Node out, Node g) {
      Node w = out.arg(0);
      Node y = out.arg(1);
      return new Node[] {w.dependsOnInputs() ? b.outer(y, g) : null, y.dependsOnInputs() ? b.matvec(w, g) : null};
    }
  },
  /** The matrix a_i b_j of vectors a[m] and b[n]. */
  OUTER(Kind.STRUCTURAL, 2) {
    @Override Node[] vjp(Graph b, Node out, Node g) {
      Node x = out.arg(0);
      Node y = out.arg(1);
      return new Node[] {x.dependsOnInputs() ? b.matvec(g, y) : null, y.dependsOnInputs() ? b.matvecT(g, x) : null};
    }
  },
  /**
   * A dense vector (attr 1 = 0: of attr 0 elements) or matrix (attr 0 rows, attr 1 columns), zero
   * but for flat positions attr 2.. (strictly increasing), which hold the packed argument's
   * elements in order (a scalar for one position).
   */
  PLACE(Kind.STRUCTURAL, 1) {
    @Override Node[] vjp(Graph b, Node out, Node g) {
      Node taken = b.take(g, Op.positions(out, 2));
      Node packed = out.arg(0);
      return new Node[] {packed.shape().equals(taken.shape()) ? taken : b.broadcast(taken, packed.shape())};
    }
  },
  /** Elements at flat positions attrs 0.. (strictly increasing) of a vector or matrix: a vector, a scalar for one. */
  TAKE(Kind.STRUCTURAL, 1) {
    @Override Node[] vjp(Graph b, Node out, Node g) {
      Shape dense = out.arg(0).shape();
      int rows = dense.isMatrix() ? dense.rows() : dense.length();
      int cols = dense.isMatrix() ? dense.cols() : 0;
      return new Node[] {b.place(g, rows, cols, Op.positions(out, 0))};
    }
  },
  /**
   * The same elements in flat order, in another static shape of the same size: attr 0 rows and
   * attr 1 columns of a matrix, or attr 0 elements of a vector where attr 1 is 0. A view in the
   * kernels (no copy where the value lies in one region): what lets a loop over repeated neural
   * flows stack their weight matrices as vectors and read each one's slice as a matrix.
   */
  RESHAPE(Kind.STRUCTURAL, 1) {
    @Override Node[] vjp(Graph b, Node out, Node g) { return new Node[] {b.reshape(g, out.arg(0).shape())}; }
  },
  /** Running sums of a vector, ascending: out_0 = v_0, out_k = out_{k-1} + v_k. */
  CUMSUM(Kind.STRUCTURAL, 1) {
    @Override Node[] vjp(Graph b, Node out, Node g) { return new Node[] {b.revcumsum(g)}; }
  },
  /** Running sums of a vector from its end: out_{n-1} = v_{n-1}, out_k = out_{k+1} + v_k. */
  REVCUMSUM(Kind.STRUCTURAL, 1) {
    @Override Node[] vjp(Graph b, Node out, Node g) { return new Node[] {b.cumsum(g)}; }
  },
  /**
   * The bin of a scalar x among ascending knots[n] (n >= 2), as a double: the largest k in
   * 0..n-2 with knots[k] <= x, found by comparing x with knots[1..n-2] in ascending order (so
   * x below knots[0], and NaN, give 0, and x at or past knots[n-1] gives n-2). Piecewise
   * constant: no derivative in either argument.
   */
  SEARCH(Kind.STRUCTURAL, 2) {
    @Override Node[] vjp(Graph b, Node out, Node g) { return new Node[2]; }
  },
  /** v[(int) index] of a vector v and a computed scalar index (in range by construction); no derivative in the index. */
  PICK(Kind.STRUCTURAL, 2) {
    @Override Node[] vjp(Graph b, Node out, Node g) {
      return new Node[] {b.put(g, out.arg(1), out.arg(0).shape().length()), null};
    }
  },
  /** The adjoint of {@link #PICK}: a vector of attr 0 zeros but for the scalar g at (int) index. */
  PUT(Kind.STRUCTURAL, 2) {
    @Override Node[] vjp(Graph b, Node out, Node g) { return new Node[] {b.pick(g, out.arg(1)), null}; }
  },

  // ---- dense linear algebra (io.flowc.runtime.DenseMatrices computes them everywhere) -------
  /**
   * The lower Cholesky factor L of a square matrix A (A = L L^T), zero above the diagonal; only
   * A's lower triangle is read. Its derivative is {@link #CHOLESKY_ADJOINT} (Murray 2016).
   */
  CHOLESKY(Kind.STRUCTURAL, 1) {
    @Override Node[] vjp(Graph b, Node out, Node g) { return new Node[] {b.apply(CHOLESKY_ADJOINT, out, g)}; }
  },
  /**
   * The adjoint of a {@link #CHOLESKY}'s argument given its factor L and L's adjoint G (lower
   * triangle below and on the diagonal, zero above: see DenseMatrices.choleskyAdjoint). Only
   * first derivatives are taken, so it has no rule of its own.
   */
  CHOLESKY_ADJOINT(Kind.STRUCTURAL, 2),
  /**
   * x = L^-1 b of a lower-triangular n x n L (upper triangle not read) and a vector b; attr 0 = 1:
   * x = L^-T b. With x = L^-1 b, b's adjoint is L^-T g and L's is -tril(b_adj x^T); with
   * x = L^-T b, b's adjoint is L^-1 g and L's -tril(x b_adj^T).
   */
  TRISOLVE(Kind.STRUCTURAL, 2) {
    @Override Node[] vjp(Graph b, Node out, Node g) {
      Node l = out.arg(0);
      boolean transposed = out.attr(0) != 0;
      Node bAdjoint = b.triangularSolve(l, g, !transposed);
      Node lAdjoint = null;
      if (l.dependsOnInputs()) {
        Node outer = transposed ? b.outer(out, bAdjoint) : b.outer(bAdjoint, out);
        lAdjoint = b.neg(b.lowerTriangle(outer));
      }
      return new Node[] {lAdjoint, out.arg(1).dependsOnInputs() ? bAdjoint : null};
    }
  },
  /**
   * The product op(A) op(B) of two matrices, op transposing where attr 0 (for A) or attr 1 (for B)
   * is 1; each element summed from its first term in ascending order. With C = a b (a = op(A),
   * b = op(B)): a's adjoint is G b^T and b's is a^T G, written as products of A, B and G.
   */
  MATMUL(Kind.STRUCTURAL, 2) {
    @Override Node[] vjp(Graph b, Node out, Node g) {
      Node x = out.arg(0);
      Node y = out.arg(1);
      boolean ta = out.attr(0) != 0;
      boolean tb = out.attr(1) != 0;
      Node gx = !x.dependsOnInputs() ? null : ta ? b.matmul(y, g, tb, true) : b.matmul(g, y, false, !tb);
      Node gy = !y.dependsOnInputs() ? null : tb ? b.matmul(g, x, true, ta) : b.matmul(x, g, !ta, false);
      return new Node[] {gx, gy};
    }
  },
  /** The transpose of a matrix. */
  TRANSPOSE(Kind.STRUCTURAL, 1) {
    @Override Node[] vjp(Graph b, Node out, Node g) { return new Node[] {b.transpose(g)}; }
  },
  /** log |det A| of a square matrix (LU with partial pivoting); A's adjoint is g A^-T. */
  LOG_ABS_DET(Kind.STRUCTURAL, 1) {
    @Override Node[] vjp(Graph b, Node out, Node g) { return new Node[] {b.apply(LOG_ABS_DET_ADJOINT, out.arg(0), g)}; }
  },
  /**
   * g A^-T of a square A and a scalar g: the adjoint of a {@link #LOG_ABS_DET}'s argument. Only
   * first derivatives are taken, so it has no rule of its own.
   */
  LOG_ABS_DET_ADJOINT(Kind.STRUCTURAL, 2),

  // ---- loops -------------------------------------------------------------------------------
  /**
   * attr 0 iterations of a body function over carries and stacked per-iteration inputs, as JAX's
   * {@code lax.scan} ({@link ScanBody}, made by {@link Graph#scan}); attr 1: the iterations run
   * from the last slice to the first; attr 2: the carries entering each iteration are saved in
   * the value for the derivative, a reverse scan ({@link ScanDerivative}).
   */
  SCAN(Kind.STRUCTURAL, -1) {
    @Override Node[] vjp(Graph b, Node out, Node g) { return ScanDerivative.vjp(b, out, g); }
  };

  /** The node's attributes from {@code from} on: the flat positions of a PLACE or TAKE. */
  static int[] positions(Node n, int from) {
    int[] p = new int[n.attrCount() - from];
    for (int i = 0; i < p.length; i++) {
      p[i] = n.attr(from + i);
    }
    return p;
  }

  /** How an op's shape and value follow from its arguments. */
  public enum Kind {
    /** No arguments. */
    LEAF,
    /** Arguments of one shape, applied element by element; the result has that shape. */
    ELEMENTWISE,
    /** Reductions and rearrangements, each with its own shape rule. */
    STRUCTURAL
  }

  public final Kind kind;
  /** Number of arguments, or -1 for any number (at least one). */
  public final int arity;

  Op(Kind kind, int arity) {
    this.kind = kind;
    this.arity = arity;
  }

  /** Lower-case name, as the IR printer writes it. */
  public String symbol() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** Whether the op's output is a 0/1 truth value (its derivative is zero everywhere). */
  public boolean isBoolean() {
    return switch (this) {
      case NOT, LT, LE, GT, GE, EQ, NE, AND, OR -> true;
      default -> false;
    };
  }

  /** The value of a one-argument elementwise op. */
  public double apply1(double a) {
    throw new UnsupportedOperationException(this + " is not a one-argument elementwise op");
  }

  /** The value of a one-argument elementwise op with integer attributes (POLYGAMMA's order). */
  public double apply1(double a, Node node) {
    return this == POLYGAMMA ? MathFunctions.polygamma(node.attr(0), a) : apply1(a);
  }

  public double apply2(double a, double b) {
    throw new UnsupportedOperationException(this + " is not a two-argument elementwise op");
  }

  public double apply3(double a, double b, double c) {
    throw new UnsupportedOperationException(this + " is not a three-argument elementwise op");
  }

  /**
   * Adjoints of the arguments of {@code out} given the adjoint {@code g} of its value (same
   * shape as {@code out}); {@code null} entries are zero. Ops without a rule here have zero
   * derivative everywhere: leaves and truth-valued ops.
   */
  Node[] vjp(Graph b, Node out, Node g) {
    if (kind == Kind.LEAF || isBoolean()) {
      return new Node[out.arity()];
    }
    throw new UnsupportedOperationException("no derivative rule for " + this);
  }

  /** Whether {@link #vjp} is a real rule rather than the zero of a piecewise-constant op. */
  public boolean hasDerivativeRule() {
    try {
      return getClass().getDeclaredMethod("vjp", Graph.class, Node.class, Node.class).getDeclaringClass() != Op.class;
    } catch (NoSuchMethodException e) {
      return false;
    }
  }
}
