package io.flowc.compiler.lower;

import io.flowc.compiler.frontend.Builtin;
import io.flowc.compiler.ir.Graph;
import io.flowc.compiler.ir.Node;
import io.flowc.compiler.ir.Op;
import java.util.List;

/**
 * The language's log densities and masses spelled out in IR primitives, normalizing constants
 * included (as PyMC3's logp and Stan's {@code _lpdf} functions). Arguments broadcast against each
 * other; a vectorized call is the sum of its elements' terms, built as one elementwise expression
 * summed once, so that code generation fuses it into one pass over the data.
 *
 * <p>Outside the support the result is -infinity where the formula would otherwise stay finite
 * (a negative exponential outcome); where it is NaN already (log of a negative outcome) it stays
 * NaN. Both make a sampler reject the point; bounded parameters keep draws inside.
 */
final class Distributions {
  private static final double HALF_LOG_TWO_PI = 0.5 * Math.log(2 * Math.PI);

  private final Graph g;

  Distributions(Graph graph) {
    this.g = graph;
  }

  Node logDensity(Builtin distribution, List<Node> args) {
    Node y = args.get(0);
    Node terms = switch (distribution) {
      case NORMAL_LPDF -> normal(y, args.get(1), args.get(2));
      case STUDENT_T_LPDF -> studentT(y, args.get(1), args.get(2), args.get(3));
      case CAUCHY_LPDF -> cauchy(y, args.get(1), args.get(2));
      case EXPONENTIAL_LPDF -> exponential(y, args.get(1));
      case GAMMA_LPDF -> gamma(y, args.get(1), args.get(2));
      case BETA_LPDF -> beta(y, args.get(1), args.get(2));
      case LOGNORMAL_LPDF -> lognormal(y, args.get(1), args.get(2));
      case BERNOULLI_LOGIT_LPMF -> g.sub(g.mul(y, args.get(1)), softplus(args.get(1)));
      case POISSON_LOG_LPMF -> poissonLog(y, args.get(1));
      case BINOMIAL_LOGIT_LPMF -> binomialLogit(y, args.get(1), args.get(2));
      default -> throw new IllegalArgumentException(distribution + " is not a distribution");
    };
    return terms.shape().isScalar() ? terms : g.sum(terms);
  }

  private Node c(double value) {
    return g.constant(value);
  }

  private Node softplus(Node x) {
    return g.apply(Op.SOFTPLUS, x);
  }

  private Node lgamma(Node x) {
    return g.apply(Op.LGAMMA, x);
  }

  /** -z^2/2 - log(sigma) - log(2 pi)/2, z = (y - mu)/sigma. */
  private Node normal(Node y, Node mu, Node sigma) {
    Node z = g.div(g.sub(y, mu), sigma);
    return g.sub(g.sub(g.mul(c(-0.5), g.square(z)), g.log(sigma)), c(HALF_LOG_TWO_PI));
  }

  /** lgamma((nu+1)/2) - lgamma(nu/2) - log(nu pi)/2 - log(sigma) - (nu+1)/2 log1p(z^2/nu). */
  private Node studentT(Node y, Node nu, Node mu, Node sigma) {
    Node z = g.div(g.sub(y, mu), sigma);
    Node halfNuPlusOne = g.mul(c(0.5), g.add(nu, c(1)));
    Node normalizer = g.sub(g.sub(lgamma(halfNuPlusOne), lgamma(g.mul(c(0.5), nu))),
        g.mul(c(0.5), g.log(g.mul(nu, c(Math.PI)))));
    Node kernel = g.mul(halfNuPlusOne, g.apply(Op.LOG1P, g.div(g.square(z), nu)));
    return g.sub(g.sub(normalizer, g.log(sigma)), kernel);
  }

  /** -log(pi) - log(sigma) - log1p(z^2). */
  private Node cauchy(Node y, Node mu, Node sigma) {
    Node z = g.div(g.sub(y, mu), sigma);
    return g.sub(g.sub(c(-Math.log(Math.PI)), g.log(sigma)), g.apply(Op.LOG1P, g.square(z)));
  }

  /** log(lambda) - lambda y for y >= 0, -infinity below. */
  private Node exponential(Node y, Node lambda) {
    Node value = g.sub(g.log(lambda), g.mul(lambda, y));
    return g.select(g.apply(Op.LT, y, c(0)), c(Double.NEGATIVE_INFINITY), value);
  }

  /** alpha log(beta) - lgamma(alpha) + (alpha - 1) log(y) - beta y (shape alpha, rate beta). */
  private Node gamma(Node y, Node alpha, Node rate) {
    Node normalizer = g.sub(g.mul(alpha, g.log(rate)), lgamma(alpha));
    return g.sub(g.add(normalizer, g.mul(g.sub(alpha, c(1)), g.log(y))), g.mul(rate, y));
  }

  /** lgamma(a + b) - lgamma(a) - lgamma(b) + (a - 1) log(y) + (b - 1) log1p(-y). */
  private Node beta(Node y, Node a, Node b) {
    Node normalizer = g.sub(g.sub(lgamma(g.add(a, b)), lgamma(a)), lgamma(b));
    Node kernel = g.add(g.mul(g.sub(a, c(1)), g.log(y)), g.mul(g.sub(b, c(1)), g.apply(Op.LOG1P, g.neg(y))));
    return g.add(normalizer, kernel);
  }

  /** The normal density of log(y), less log(y). */
  private Node lognormal(Node y, Node mu, Node sigma) {
    Node logY = g.log(y);
    return g.sub(normal(logY, mu, sigma), logY);
  }

  /** n alpha - exp(alpha) - lgamma(n + 1). */
  private Node poissonLog(Node n, Node alpha) {
    return g.sub(g.sub(g.mul(n, alpha), g.exp(alpha)), lgamma(g.add(n, c(1))));
  }

  /** log C(trials, n) + n alpha - trials softplus(alpha). */
  private Node binomialLogit(Node n, Node trials, Node alpha) {
    Node choose = g.sub(g.sub(lgamma(g.add(trials, c(1))), lgamma(g.add(n, c(1)))),
        lgamma(g.add(g.sub(trials, n), c(1))));
    return g.sub(g.add(choose, g.mul(n, alpha)), g.mul(trials, softplus(alpha)));
  }
}
