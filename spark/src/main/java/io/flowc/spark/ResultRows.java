package io.flowc.spark;

import io.flowc.runtime.many.ParameterRow;
import io.flowc.runtime.many.SetResult;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * The result table, fit-many's columns: one row per (id, parameter element); a data set with no
 * summaries (it failed) has one row whose parameter and statistics are null. The columns of the
 * other method are null, as fit-many leaves them empty: ess_bulk, r_hat and divergences for NFVI,
 * final_loss and pareto_k for NUTS.
 */
public final class ResultRows {
  /** id, parameter, mean, sd, q5, q50, q95, status, message, final_loss, pareto_k, ess_bulk, r_hat, divergences, seconds, seed. */
  public static final StructType SCHEMA = new StructType()
      .add("id", DataTypes.StringType, false)
      .add("parameter", DataTypes.StringType, true)
      .add("mean", DataTypes.DoubleType, true)
      .add("sd", DataTypes.DoubleType, true)
      .add("q5", DataTypes.DoubleType, true)
      .add("q50", DataTypes.DoubleType, true)
      .add("q95", DataTypes.DoubleType, true)
      .add("status", DataTypes.StringType, false)
      .add("message", DataTypes.StringType, false)
      .add("final_loss", DataTypes.DoubleType, true)
      .add("pareto_k", DataTypes.DoubleType, true)
      .add("ess_bulk", DataTypes.DoubleType, true)
      .add("r_hat", DataTypes.DoubleType, true)
      .add("divergences", DataTypes.IntegerType, true)
      .add("seconds", DataTypes.DoubleType, false)
      .add("seed", DataTypes.LongType, false);

  private ResultRows() {}

  /** The rows of one data set's result, in the order of its parameter elements. */
  public static List<Row> of(SetResult result, boolean nfvi) {
    List<Row> rows = new ArrayList<>();
    for (ParameterRow p : result.parameters()) {
      rows.add(row(result, nfvi, p.name(), p.mean(), p.sd(), p.q5(), p.q50(), p.q95()));
    }
    if (rows.isEmpty()) {
      rows.add(row(result, nfvi, null, null, null, null, null, null));
    }
    return rows;
  }

  private static Row row(SetResult r, boolean nfvi, String parameter, Double mean, Double sd, Double q5, Double q50,
      Double q95) {
    return RowFactory.create(r.id(), parameter, mean, sd, q5, q50, q95, r.status(), r.message(),
        nfvi ? r.finalLoss() : null, nfvi ? r.paretoK() : null, nfvi ? null : r.essBulk(), nfvi ? null : r.rHat(),
        nfvi ? null : r.divergences(), r.seconds(), r.seed());
  }
}
