package io.flowc.compiler.backend;

import io.flowc.compiler.ir.Graph;
import io.flowc.compiler.ir.IrFunction;
import io.flowc.compiler.ir.Node;
import io.flowc.compiler.ir.Shape;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The dense linear-algebra ops through the scheduler, loop fusion, the splitter and both
 * backends: a Gaussian-process-like log density (a covariance from products of a parameter
 * matrix, its Cholesky factor, a triangular solve each way, the log-determinant, a general
 * matrix's log |det| by LU) and its
 * gradient agree bit for bit between the bytecode and Java source classes, the kernel interpreter
 * (fused and not) and the IR evaluator, with short vectors scalarized and not; a 30 x 30 factor
 * keeps every method under 8000 bytes (the routines are calls, not code in line).
 */
class DenseKernelsTest {
  /**
   * With M (n x k) and v, b vectors of n: A = M M^T / k + diag(1 + v^2); L = chol(A); logp =
   * -0.5 |L^-1 b|^2 - sum(log diag L) + sum(L^-T b) + sum(L^T v) + sum(M^T M) / 100
   * + log |det(A + v b^T / n)|.
   */
  static IrFunction gaussianLike(int n, int k) {
    Graph g = new Graph(true);
    Node m = g.input("m", 0, Shape.matrix(n, k));
    Node v = g.input("v", 1, Shape.vector(n));
    Node b = g.input("b", 2, Shape.vector(n));
    Node product = g.div(g.matmul(m, m, false, true), g.constant(k));
    Node jitter = g.place(g.add(g.constant(1), g.square(v)), n, n, Graph.diagonalPositions(n));
    Node l = g.cholesky(g.add(product, jitter));
    Node r = g.triangularSolve(l, b, false);
    List<Node> terms = new ArrayList<>();
    terms.add(g.mul(g.constant(-0.5), g.sum(g.square(r))));
    Node diag = g.diagonal(l);
    terms.add(g.neg(diag.shape().isScalar() ? g.log(diag) : g.sum(g.log(diag))));
    terms.add(g.sum(g.triangularSolve(l, b, true)));
    terms.add(g.sum(g.matvec(g.transpose(l), v)));
    terms.add(g.div(g.sum(g.matmul(m, m, true, false)), g.constant(100)));
    // a general (non-symmetric) matrix's log |det|: A plus the outer product of v and b over n
    terms.add(g.logAbsDeterminant(g.add(g.add(product, jitter), g.div(g.outer(v, b), g.constant(n)))));
    Node logp = terms.get(0);
    for (int t = 1; t < terms.size(); t++) {
      logp = g.add(logp, terms.get(t));
    }
    return MatrixKernelsTest.withGradient(g, List.of(m, v, b), logp);
  }

  @ParameterizedTest
  @CsvSource({"1, 1, 16", "3, 2, 16", "3, 2, 0", "11, 3, 16", "30, 4, 16", "30, 4, 0"})
  void allEvaluatorsAgreeBitForBit(int n, int k, int scalarizeLimit) throws Exception {
    MatrixKernelsTest.assertAllAgree("dense " + n + " x " + k, gaussianLike(n, k), scalarizeLimit, n * 31L + k, true, 2);
  }
}
