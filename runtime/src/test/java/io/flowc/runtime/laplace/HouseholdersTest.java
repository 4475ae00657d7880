package io.flowc.runtime.laplace;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The reflections the Laplace start solves for reproduce the orthogonal matrix, and the eigenvectors are right. */
class HouseholdersTest {

  /** An orthogonal matrix: the eigenvectors of a random symmetric one. */
  static double[][] randomOrthogonal(int d, long seed) {
    SplittableRandom random = new SplittableRandom(seed);
    double[][] a = new double[d][d];
    for (int i = 0; i < d; i++) {
      for (int j = i; j < d; j++) {
        a[i][j] = random.nextGaussian();
        a[j][i] = a[i][j];
      }
    }
    return SymmetricEigen.of(a).vectors();
  }

  /** H(v_1) .. H(v_{d-1}) applied as the hh flow applies them (v_{d-1} first), to each column of the identity. */
  static double[][] product(double[][] vectors, int d) {
    double[][] m = new double[d][d];
    for (int c = 0; c < d; c++) {
      double[] z = new double[d];
      z[c] = 1;
      for (int j = vectors.length - 1; j >= 0; j--) {
        Householders.apply(vectors[j], z);
      }
      for (int i = 0; i < d; i++) {
        m[i][c] = z[i];
      }
    }
    return m;
  }

  @Test
  void reflectionsReproduceTheOrthogonalMatrixUpToTheLastColumnsSign() {
    for (int d : new int[] {1, 2, 3, 5, 12}) {
      for (long seed = 0; seed < 4; seed++) {
        double[][] q = randomOrthogonal(d, seed);
        double[][] m = product(Householders.factor(q), d);
        double sign = Math.signum(m[0][d - 1] * q[0][d - 1] + m[d - 1][d - 1] * q[d - 1][d - 1]);
        for (int i = 0; i < d; i++) {
          for (int j = 0; j < d; j++) {
            double expected = j == d - 1 ? sign * q[i][j] : q[i][j];
            assertEquals(expected, m[i][j], 1e-9, "d " + d + " seed " + seed + " [" + i + "][" + j + "]");
          }
        }
      }
    }
  }

  /** A matrix that is already diagonal with +-1 takes v = 0 where nothing is to be done, and exact flips elsewhere. */
  @Test
  void signFlipsAndTheIdentity() {
    double[][] q = {{1, 0, 0}, {0, -1, 0}, {0, 0, 1}};
    double[][] v = Householders.factor(q);
    assertEquals(0.0, v[0][0] * v[0][0] + v[0][1] * v[0][1] + v[0][2] * v[0][2], 0.0, "first column is e_0");
    double[][] m = product(v, 3);
    assertEquals(-1.0, m[1][1], 1e-9);
    assertEquals(1.0, m[0][0], 0.0);
    assertEquals(1.0, m[2][2], 0.0, "nothing left to flip");
  }

  @Test
  void eigenvectorsDiagonalizeTheMatrix() {
    double[][] a = LaplaceApproximationTest.COVARIANCE;
    SymmetricEigen e = SymmetricEigen.of(a);
    int d = a.length;
    for (int i = 0; i < d; i++) {
      for (int j = 0; j < d; j++) {
        double back = 0;
        double identity = 0;
        for (int k = 0; k < d; k++) {
          back += e.vectors()[i][k] * e.values()[k] * e.vectors()[j][k];
          identity += e.vectors()[k][i] * e.vectors()[k][j];
        }
        assertEquals(a[i][j], back, 1e-12 * 81, "V L V^T [" + i + "][" + j + "]");
        assertEquals(i == j ? 1.0 : 0.0, identity, 1e-14, "V^T V [" + i + "][" + j + "]");
      }
    }
  }
}
