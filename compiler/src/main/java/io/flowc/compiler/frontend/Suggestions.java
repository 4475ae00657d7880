package io.flowc.compiler.frontend;

import java.util.Collection;

/** "did you mean" hints: the closest known name within a small edit distance. */
final class Suggestions {
  private Suggestions() {}

  /** {@code " (did you mean 'x'?)"}, or the empty string when nothing is close. */
  static String didYouMean(String name, Collection<String> candidates) {
    String best = null;
    int bestDistance = Integer.MAX_VALUE;
    // one-letter names are too short for a guess to be more than noise
    int limit = name.length() <= 1 ? 0 : name.length() <= 4 ? 1 : 2;
    for (String c : candidates.stream().sorted().toList()) {
      int d = distance(name, c);
      if (d <= limit && d < bestDistance && !c.equals(name)) {
        best = c;
        bestDistance = d;
      }
    }
    return best == null ? "" : " (did you mean '" + best + "'?)";
  }

  /** Optimal-string-alignment distance: edits, with a swap of neighbours counting as one. */
  static int distance(String a, String b) {
    int[][] d = new int[a.length() + 1][b.length() + 1];
    for (int i = 0; i <= a.length(); i++) {
      d[i][0] = i;
    }
    for (int j = 0; j <= b.length(); j++) {
      d[0][j] = j;
    }
    for (int i = 1; i <= a.length(); i++) {
      for (int j = 1; j <= b.length(); j++) {
        int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
        d[i][j] = Math.min(Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1), d[i - 1][j - 1] + cost);
        if (i > 1 && j > 1 && a.charAt(i - 1) == b.charAt(j - 2) && a.charAt(i - 2) == b.charAt(j - 1)) {
          d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
        }
      }
    }
    return d[a.length()][b.length()];
  }
}
