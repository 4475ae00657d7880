package io.flowc.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.flowc.compiler.frontend.CheckedModel;
import io.flowc.compiler.interp.DomainDiagnosis;
import io.flowc.runtime.LogDensity;
import io.flowc.runtime.Rejections;
import java.util.ArrayList;
import java.util.List;

/**
 * Points rejected because an argument is outside its domain, reported as Stan reports them:
 * counted while sampling and summed up at the end, and named when a chain cannot start.
 */
final class DomainReports {
  /** Stan's advice after its rejection messages, shortened. */
  static final String ADVICE = "Rejections now and then are fine; many mean the model lets a parameter leave "
      + "the domain of an argument (give it a bound, e.g. 'param s > 0;').";

  private DomainReports() {}

  /** {@code density} counting its rejections, explained by walking {@code model}. */
  static Rejections watch(LogDensity density, CheckedModel model) {
    DomainDiagnosis diagnosis = new DomainDiagnosis(model);
    return new Rejections(density, z -> {
      DomainDiagnosis.Violation v = diagnosis.at(z);
      return v == null ? null : new Rejections.Reason(v.kind(), v.message());
    });
  }

  /** One line per cause, then the advice; nothing when no point was rejected. */
  static List<String> summary(Rejections rejections) {
    List<String> lines = new ArrayList<>();
    for (Rejections.Count c : rejections.counts()) {
      lines.add("Informational Message: " + c.count() + " Metropolis proposal" + (c.count() == 1 ? " was" : "s were")
          + " rejected because of the following issue: " + c.message());
    }
    if (!lines.isEmpty()) {
      lines.add(ADVICE);
    }
    return lines;
  }

  /** The causes as JSON: {@code [{"count": N, "message": "..."}]}. */
  static void putJson(ObjectNode report, Rejections rejections) {
    ArrayNode list = report.putArray("rejections");
    for (Rejections.Count c : rejections.counts()) {
      ObjectNode o = list.addObject();
      o.put("count", c.count());
      o.put("message", c.message());
    }
  }

  /** Why the density is not finite at a chain's starting point, as Stan's "Rejecting initial value", or "". */
  static String atStart(Rejections rejections, double[] start) {
    if (rejections == null || start == null) {
      return "";
    }
    Rejections.Reason reason = rejections.explain(start);
    return reason == null ? "" : ": Rejecting initial value: " + reason.message();
  }
}
