package io.flowc.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.flowc.runtime.many.ParameterRow;
import io.flowc.runtime.many.SetResult;
import java.io.IOException;
import java.io.Writer;
import java.util.Locale;

/**
 * {@code fit-many}'s results file, written a set at a time as results arrive and flushed after
 * each, so that what was fitted is on disk whatever happens later. CSV: one row per (id,
 * parameter) with the set's columns repeated, one row with an empty parameter for a set without
 * parameters; JSON Lines: one object per set with a {@code parameters} array. Columns that do not
 * apply to the method are empty (CSV) or absent (JSON).
 */
abstract class ResultsFile {
  static final String CSV_HEADER = "id,parameter,mean,sd,q5,q50,q95,status,message,final_loss,pareto_k,ess_bulk,"
      + "r_hat,divergences,seconds,seed";

  final Writer out;
  final boolean nfvi;

  ResultsFile(Writer out, boolean nfvi) {
    this.out = out;
    this.nfvi = nfvi;
  }

  /** The format --out's name asks for: .csv or .jsonl (also .ndjson). */
  static ResultsFile of(String file, Writer out, boolean nfvi) throws IOException {
    String name = file.toLowerCase(Locale.ROOT);
    if (name.endsWith(".csv")) {
      return new Csv(out, nfvi);
    }
    if (name.endsWith(".jsonl") || name.endsWith(".ndjson")) {
      return new JsonLines(out, nfvi);
    }
    throw new UserException("--out " + file + ": name a .csv or a .jsonl file (the format follows the name)");
  }

  /** Checks the name before any work is done. */
  static void checkName(String file) {
    String name = file.toLowerCase(Locale.ROOT);
    if (!(name.endsWith(".csv") || name.endsWith(".jsonl") || name.endsWith(".ndjson"))) {
      throw new UserException("--out " + file + ": name a .csv or a .jsonl file (the format follows the name)");
    }
  }

  abstract void write(SetResult r) throws IOException;

  static String number(double x) {
    return Double.toString(x);
  }

  private static final class Csv extends ResultsFile {
    Csv(Writer out, boolean nfvi) throws IOException {
      super(out, nfvi);
      out.write(CSV_HEADER + "\n");
      out.flush();
    }

    @Override
    void write(SetResult r) throws IOException {
      StringBuilder set = new StringBuilder();
      set.append(',').append(r.status()).append(',').append(quoted(r.message()));
      if (nfvi) {
        set.append(',').append(number(r.finalLoss())).append(',').append(number(r.paretoK())).append(",,,");
      } else {
        set.append(",,,").append(number(r.essBulk())).append(',').append(number(r.rHat())).append(',')
            .append(r.divergences());
      }
      set.append(',').append(number(r.seconds())).append(',').append(r.seed()).append('\n');
      String id = quoted(r.id());
      StringBuilder rows = new StringBuilder();
      if (r.parameters().isEmpty()) {
        rows.append(id).append(",,,,,,").append(set);
      }
      for (ParameterRow p : r.parameters()) {
        rows.append(id).append(',').append(quoted(p.name())).append(',').append(number(p.mean())).append(',')
            .append(number(p.sd())).append(',').append(number(p.q5())).append(',').append(number(p.q50())).append(',')
            .append(number(p.q95())).append(set);
      }
      out.write(rows.toString());
      out.flush();
    }

    /** A field as RFC 4180 writes it: in double quotes (doubled inside) when it holds a comma, a quote or a line break. */
    static String quoted(String field) {
      if (field.indexOf(',') < 0 && field.indexOf('"') < 0 && field.indexOf('\n') < 0 && field.indexOf('\r') < 0) {
        return field;
      }
      return '"' + field.replace("\"", "\"\"") + '"';
    }
  }

  private static final class JsonLines extends ResultsFile {
    JsonLines(Writer out, boolean nfvi) {
      super(out, nfvi);
    }

    @Override
    void write(SetResult r) throws IOException {
      ObjectNode o = Json.object();
      o.put("id", r.id());
      o.put("status", r.status());
      o.put("message", r.message());
      if (nfvi) {
        Json.putNumber(o, "final_loss", r.finalLoss());
        Json.putNumber(o, "pareto_k", r.paretoK());
      } else {
        Json.putNumber(o, "ess_bulk", r.essBulk());
        Json.putNumber(o, "r_hat", r.rHat());
        o.put("divergences", r.divergences());
      }
      Json.putNumber(o, "seconds", r.seconds());
      o.put("seed", r.seed());
      ArrayNode parameters = o.putArray("parameters");
      for (ParameterRow p : r.parameters()) {
        ObjectNode each = parameters.addObject();
        each.put("name", p.name());
        Json.putNumber(each, "mean", p.mean());
        Json.putNumber(each, "sd", p.sd());
        Json.putNumber(each, "q5", p.q5());
        Json.putNumber(each, "q50", p.q50());
        Json.putNumber(each, "q95", p.q95());
      }
      out.write(Json.line(o) + "\n");
      out.flush();
    }
  }
}
