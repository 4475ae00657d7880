package io.flowc.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.flowc.runtime.calibration.Calibration;
import io.flowc.runtime.calibration.Sbc;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** What {@code flowc sbc} prints: a table per parameter element, the failures, and the JSON object. */
final class CalibrationReport {
  private static final String[] HEADERS = {"p_value", "ecdf_diff", "ecdf_band", "mean_rank", "shape"};

  private CalibrationReport() {}

  /** One row per element: the chi-square p-value, the ECDF statistic and band, the mean normalized rank, the shape. */
  static String table(List<Calibration> elements) {
    List<String[]> rows = new ArrayList<>();
    for (Calibration c : elements) {
      rows.add(new String[] {c.name(), pValue(c.pValue()), String.format(Locale.ROOT, "%.3f", c.ecdf().maxDifference()),
          c.ecdf().inside() ? "inside" : "OUTSIDE", String.format(Locale.ROOT, "%.3f", c.meanRank()),
          c.shape().word()});
    }
    int[] widths = new int[HEADERS.length + 1];
    for (int j = 0; j < HEADERS.length; j++) {
      widths[j + 1] = HEADERS[j].length();
    }
    for (String[] row : rows) {
      for (int j = 0; j < row.length; j++) {
        widths[j] = Math.max(widths[j], row[j].length());
      }
    }
    StringBuilder b = new StringBuilder(" ".repeat(widths[0]));
    for (int j = 0; j < HEADERS.length; j++) {
      b.append("  ").append(padLeft(HEADERS[j], widths[j + 1]));
    }
    b.append('\n');
    for (String[] row : rows) {
      b.append(row[0]).append(" ".repeat(widths[0] - row[0].length()));
      for (int j = 1; j < row.length; j++) {
        b.append("  ").append(padLeft(row[j], widths[j]));
      }
      b.append('\n');
    }
    return b.toString();
  }

  /** "2 of 100 simulations failed and are left out of the ranks (not_finite 2); the first: ...", or null. */
  static String failures(Sbc.Report r) {
    if (r.failed() == 0) {
      return null;
    }
    StringBuilder counts = new StringBuilder();
    for (Map.Entry<String, Integer> e : r.failureCounts().entrySet()) {
      counts.append(counts.length() == 0 ? "" : ", ").append(e.getKey()).append(' ').append(e.getValue());
    }
    Sbc.Failure first = r.failures().get(0);
    return String.format(Locale.ROOT, "%d of %d simulations failed and are left out of the ranks (%s); the first, "
        + "simulation %s: %s: %s", r.failed(), r.settings().sims(), counts, first.id(), first.status(),
        first.message());
  }

  /** The run as one JSON object; {@code head} holds what the command adds before (model, method, settings). */
  static ObjectNode json(ObjectNode head, Sbc.Report r) {
    head.put("sims", r.settings().sims());
    head.put("draws", r.settings().draws());
    head.put("seed", r.settings().seed());
    head.put("succeeded", r.succeeded());
    head.put("failed", r.failed());
    ObjectNode counts = head.putObject("failures");
    r.failureCounts().forEach(counts::put);
    ArrayNode failed = head.putArray("failed_sims");
    for (Sbc.Failure f : r.failures()) {
      failed.addObject().put("id", f.id()).put("status", f.status()).put("message", f.message());
    }
    head.put("short_sims", r.shortSimulations());
    head.put("divergences", r.divergences());
    Json.putNumber(head, "seconds", r.seconds());
    ObjectNode params = head.putObject("params");
    for (Calibration c : r.elements()) {
      ObjectNode p = params.putObject(c.name());
      Json.putNumber(p, "p_value", c.pValue());
      Json.putNumber(p, "chi_square", c.histogram().chiSquare());
      Json.putNumber(p, "ecdf_diff", c.ecdf().maxDifference());
      p.put("ecdf_inside_band", c.ecdf().inside());
      Json.putNumber(p, "mean_rank", c.meanRank());
      p.put("shape", c.shape().word());
      ArrayNode edges = p.putArray("bin_edges");
      for (int e : c.histogram().edges()) {
        edges.add(e);
      }
      ArrayNode binCounts = p.putArray("bin_counts");
      for (int n : c.histogram().counts()) {
        binCounts.add(n);
      }
      ArrayNode ranks = p.putArray("ranks");
      for (int rank : c.ranks()) {
        ranks.add(rank);
      }
    }
    return head;
  }

  private static String pValue(double p) {
    if (Double.isNaN(p)) {
      return "n/a";
    }
    if (p < 1e-16) {
      // the chi-square tail underflows long before a departure this clear needs more digits
      return "< 1e-16";
    }
    return p < 0.001 ? String.format(Locale.ROOT, "%.1e", p) : String.format(Locale.ROOT, "%.3f", p);
  }

  private static String padLeft(String s, int width) {
    return " ".repeat(Math.max(0, width - s.length())) + s;
  }
}
