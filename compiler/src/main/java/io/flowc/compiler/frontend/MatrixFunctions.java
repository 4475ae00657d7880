package io.flowc.compiler.frontend;

import java.util.Set;

/**
 * The language's functions of matrices (docs/language.md, "Matrices"): those whose value is a
 * matrix, usable in a {@code let}, as another matrix function's argument and on the left of
 * {@code *}, and those that take a matrix and give a scalar or a vector.
 */
public final class MatrixFunctions {
  private MatrixFunctions() {}

  private static final Set<String> MATRIX_VALUED =
      Set.of("gp_exp_quad_cov", "cholesky_decompose", "add_diag", "diag_matrix", "transpose", "rep_matrix");

  private static final Set<String> TAKING_MATRICES =
      Set.of("mdivide_left_tri_low", "diagonal", "log_determinant_spd", "log_determinant", "multi_normal_cholesky_lpdf", "multi_normal_lpdf",
          "rep_vector");

  public static boolean isMatrixValued(String name) {
    return MATRIX_VALUED.contains(name);
  }

  public static boolean takesMatrix(String name) {
    return TAKING_MATRICES.contains(name);
  }

  /** Every name, for suggestions. */
  public static Set<String> names() {
    return Set.copyOf(java.util.stream.Stream.concat(MATRIX_VALUED.stream(), TAKING_MATRICES.stream()).toList());
  }
}
