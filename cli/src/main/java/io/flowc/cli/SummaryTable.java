package io.flowc.cli;

import io.flowc.runtime.diagnostics.ParameterSummary;
import java.util.List;
import java.util.Locale;

/** The per-parameter summary of a sampling run as a plain-text table, one row per element (ArviZ's columns). */
final class SummaryTable {
  private static final String[] HEADERS = {"mean", "sd", "q5", "q50", "q95", "mcse_mean", "ess_bulk", "ess_tail", "r_hat"};

  /** Magnitudes from which numbers are written in scientific notation. */
  private static final double LARGE = 1e9;

  private SummaryTable() {}

  static String render(List<ParameterSummary> summaries) {
    int nameWidth = 0;
    for (ParameterSummary s : summaries) {
      nameWidth = Math.max(nameWidth, s.name().length());
    }
    String[][] cells = new String[summaries.size()][];
    int[] widths = new int[HEADERS.length];
    for (int j = 0; j < HEADERS.length; j++) {
      widths[j] = HEADERS[j].length();
    }
    for (int i = 0; i < summaries.size(); i++) {
      ParameterSummary s = summaries.get(i);
      cells[i] = new String[] {fixed(s.mean(), 3), fixed(s.sd(), 3), fixed(s.q5(), 3), fixed(s.q50(), 3),
          fixed(s.q95(), 3), fixed(s.mcseMean(), 3), fixed(s.essBulk(), 0), fixed(s.essTail(), 0), fixed(s.rHat(), 2)};
      for (int j = 0; j < HEADERS.length; j++) {
        widths[j] = Math.max(widths[j], cells[i][j].length());
      }
    }
    StringBuilder b = new StringBuilder();
    b.append(" ".repeat(nameWidth));
    for (int j = 0; j < HEADERS.length; j++) {
      b.append("  ").append(pad(HEADERS[j], widths[j]));
    }
    b.append('\n');
    for (int i = 0; i < summaries.size(); i++) {
      String name = summaries.get(i).name();
      b.append(name).append(" ".repeat(nameWidth - name.length()));
      for (int j = 0; j < HEADERS.length; j++) {
        b.append("  ").append(pad(cells[i][j], widths[j]));
      }
      b.append('\n');
    }
    return b.toString();
  }

  private static String fixed(double x, int decimals) {
    if (Double.isNaN(x)) {
      return "nan";
    }
    if (Double.isInfinite(x)) {
      return x > 0 ? "inf" : "-inf";
    }
    // a runaway chain's draws reach 1e308: fixed notation would print 300 digits in every column
    if (Math.abs(x) >= LARGE) {
      return String.format(Locale.ROOT, "%.3e", x);
    }
    return String.format(Locale.ROOT, "%." + decimals + "f", x);
  }

  private static String pad(String s, int width) {
    return " ".repeat(width - s.length()) + s;
  }
}
