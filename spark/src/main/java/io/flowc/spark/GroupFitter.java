package io.flowc.spark;

import io.flowc.runtime.Artifact;
import io.flowc.runtime.data.DataException;
import io.flowc.runtime.data.DataSet;
import io.flowc.runtime.many.DataSetInput;
import io.flowc.runtime.many.FitMethod;
import io.flowc.runtime.many.ManyFits;
import io.flowc.runtime.many.SetResult;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Row;

/**
 * What runs on executors: a partition's rows, sorted so that each group's rows are consecutive
 * and in a fixed order, become one data set per group, fitted one group at a time with the
 * artifact this JVM opened once; only one group's rows are held at a time.
 */
final class GroupFitter implements MapPartitionsFunction<Row, Row> {
  private static final long serialVersionUID = 1L;

  private final Broadcast<byte[]> artifactBytes;
  private final String artifactSha256;
  private final Serializable method;
  private final CommonData common;
  private final long baseSeed;
  private final int evalDraws;
  /** The group columns are the first fields of each row. */
  private final int groupFields;
  private final RowPacking packing;

  GroupFitter(Broadcast<byte[]> artifactBytes, String artifactSha256, Serializable method, CommonData common,
      long baseSeed, int evalDraws, int groupFields, RowPacking packing) {
    this.artifactBytes = artifactBytes;
    this.artifactSha256 = artifactSha256;
    this.method = method;
    this.common = common;
    this.baseSeed = baseSeed;
    this.evalDraws = evalDraws;
    this.groupFields = groupFields;
    this.packing = packing;
  }

  @Override
  public Iterator<Row> call(Iterator<Row> rows) {
    Artifact artifact = ArtifactCache.open(artifactSha256, artifactBytes::value);
    FitMethod fitMethod = MethodCodec.decode(method);
    ManyFits engine = ManyFits.of(artifact, common.toDataSet(), fitMethod, baseSeed).withEvalDraws(evalDraws);
    return new Groups(rows, engine, fitMethod instanceof FitMethod.Nfvi);
  }

  /** The group's id: its column values as text, joined by '/' when there are several. */
  static String id(Row row, int groupFields) {
    StringBuilder id = new StringBuilder();
    for (int i = 0; i < groupFields; i++) {
      id.append(i == 0 ? "" : "/").append(row.isNullAt(i) ? "null" : String.valueOf(row.get(i)));
    }
    return id.toString();
  }

  private static boolean sameGroup(Row a, Row b, int groupFields) {
    for (int i = 0; i < groupFields; i++) {
      Object x = a.get(i);
      Object y = b.get(i);
      if (x == null ? y != null : !x.equals(y)) {
        return false;
      }
    }
    return true;
  }

  /** The result rows of the groups in a partition, fitted as they are read. */
  private final class Groups implements Iterator<Row> {
    private final Iterator<Row> input;
    private final ManyFits engine;
    private final boolean nfvi;
    private Row next;
    private Iterator<Row> pending = List.<Row>of().iterator();

    Groups(Iterator<Row> input, ManyFits engine, boolean nfvi) {
      this.input = input;
      this.engine = engine;
      this.nfvi = nfvi;
      this.next = input.hasNext() ? input.next() : null;
    }

    @Override
    public boolean hasNext() {
      while (!pending.hasNext() && next != null) {
        pending = ResultRows.of(fitNextGroup(), nfvi).iterator();
      }
      return pending.hasNext();
    }

    @Override
    public Row next() {
      if (!hasNext()) {
        throw new NoSuchElementException();
      }
      return pending.next();
    }

    private SetResult fitNextGroup() {
      List<Row> group = new ArrayList<>();
      Row first = next;
      while (next != null && sameGroup(first, next, groupFields)) {
        group.add(next);
        next = input.hasNext() ? input.next() : null;
      }
      String id = id(first, groupFields);
      DataSet data;
      try {
        data = packing.pack(id, group);
      } catch (DataException e) {
        return engine.rejected(id, SetResult.BAD_DATA, e.getMessage());
      }
      return engine.fit(new DataSetInput(id, data));
    }
  }
}
