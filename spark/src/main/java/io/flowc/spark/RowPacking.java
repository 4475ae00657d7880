package io.flowc.spark;

import io.flowc.runtime.data.DataException;
import io.flowc.runtime.data.DataSet;
import java.io.Serializable;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Row;

/**
 * How one group's rows become a data set: each row-counted data value of the model is read from
 * a column (a number per row makes a vector, an array per row a matrix's row), in the order the
 * rows come, and each free size that counts them is the group's number of rows.
 */
final class RowPacking implements Serializable {
  private static final long serialVersionUID = 1L;

  /** Model data names, each read from the row field at the same index of {@link #fields}. */
  private final List<String> names;
  private final List<Integer> fields;
  /** The columns the fields hold, for messages. */
  private final List<String> columns;
  /** Free sizes bound to the row count. */
  private final List<String> sizes;

  RowPacking(List<String> names, List<Integer> fields, List<String> columns, List<String> sizes) {
    this.names = List.copyOf(names);
    this.fields = List.copyOf(fields);
    this.columns = List.copyOf(columns);
    this.sizes = List.copyOf(sizes);
  }

  /**
   * The data set of one group.
   *
   * @throws DataException naming the column and row of a null or ragged value
   */
  DataSet pack(String id, List<Row> rows) {
    Map<String, DataSet.Value> values = new LinkedHashMap<>();
    for (String size : sizes) {
      values.put(size, new DataSet.Value(new int[0], new double[] {rows.size()}));
    }
    for (int k = 0; k < names.size(); k++) {
      values.put(names.get(k), column(k, rows));
    }
    return new DataSet("group " + id, values);
  }

  private DataSet.Value column(int k, List<Row> rows) {
    int field = fields.get(k);
    int n = rows.size();
    int width = -1;
    double[] elements = null;
    for (int r = 0; r < n; r++) {
      Row row = rows.get(r);
      if (row.isNullAt(field)) {
        throw new DataException(where(k, r) + " is null");
      }
      Object cell = row.get(field);
      if (cell instanceof Number || cell instanceof String) {
        if (width > 0) {
          throw new DataException(where(k, r) + " is a number, earlier rows hold arrays");
        }
        width = 0;
        elements = elements == null ? new double[n] : elements;
        elements[r] = number(cell, k, r);
      } else {
        List<Object> array = row.getList(field);
        if (width < 0) {
          width = array.size();
          elements = new double[n * width];
        } else if (array.size() != width) {
          throw new DataException(where(k, r) + " holds " + array.size() + " values, earlier rows " + width);
        }
        for (int j = 0; j < width; j++) {
          if (!(array.get(j) instanceof Number number)) {
            throw new DataException(where(k, r) + " holds a null at position " + j);
          }
          elements[r * width + j] = number.doubleValue();
        }
      }
    }
    return new DataSet.Value(width == 0 ? new int[] {n} : new int[] {n, width}, elements);
  }

  /** A number, or text that spells one (a CSV file's cells stay text until here, so a bad cell fails its group only). */
  private double number(Object cell, int k, int row) {
    if (cell instanceof Number number) {
      return number.doubleValue();
    }
    String text = ((String) cell).strip();
    // as fit-many reads a CSV cell: Double.parseDouble's "NaN", "Infinity" and "1d" are not data
    if (!text.isEmpty() && (Character.isDigit(text.charAt(text.length() - 1)) || text.endsWith("."))) {
      try {
        return Double.parseDouble(text);
      } catch (NumberFormatException e) {
        // reported below
      }
    }
    throw new DataException(where(k, row) + " is '" + clipped(text) + "', not a number");
  }

  /** A cell as messages show it: clipped, so that one cell cannot flood a result row. */
  private static String clipped(String text) {
    return text.length() <= 40 ? text : text.substring(0, 37) + "...";
  }

  private String where(int k, int row) {
    return "'" + names.get(k) + "' (column '" + columns.get(k) + "') in row " + (row + 1);
  }
}
