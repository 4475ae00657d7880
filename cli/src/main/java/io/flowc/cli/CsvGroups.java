package io.flowc.cli;

import io.flowc.runtime.data.DataSet;
import io.flowc.runtime.many.DataSetInput;
import java.io.BufferedReader;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Long-format rows grouped into data sets: one row per observation, the group column's value is
 * the set's id, every other column a data vector of the model (named like it; columns the model
 * does not declare are ignored as extra data members are), and the size that counts rows bound to
 * the group's row count. Rows of a group need not be next to each other, so the whole file is
 * read before the first set is fitted: memory holds every value (8 bytes each) until the sets are
 * made. Groups come in the order of their first row. A cell that is not a number makes its group
 * bad data (with its line and column), not the file.
 */
final class CsvGroups {
  private CsvGroups() {}

  /** One group's columns as they are read. */
  private static final class Group {
    final double[][] columns;
    int rows;
    String problem;

    Group(int width) {
      columns = new double[width][16];
    }

    void add(double[] row) {
      if (rows == columns[0].length) {
        for (int c = 0; c < columns.length; c++) {
          columns[c] = Arrays.copyOf(columns[c], rows * 2);
        }
      }
      for (int c = 0; c < columns.length; c++) {
        columns[c][rows] = row[c];
      }
      rows++;
    }
  }

  /**
   * Reads every row and makes one data set per group.
   *
   * @param rowSize the data size that counts rows, bound to each group's row count (null: none)
   * @throws UserException for a file that is not such a table (no header, no group column, a row of another width)
   */
  static List<SetEntry> read(BufferedReader reader, String file, String groupColumn, String rowSize) throws IOException {
    String headerLine = reader.readLine();
    if (headerLine == null) {
      throw new UserException(file + ": empty: a header line naming the columns is needed");
    }
    List<String> header = fields(headerLine, file, 1);
    int group = header.indexOf(groupColumn);
    if (group < 0) {
      throw new UserException(file + ":1: no column '" + groupColumn + "' (--group); the columns are "
          + String.join(", ", header));
    }
    List<String> names = new ArrayList<>(header);
    names.remove(group);
    if (rowSize != null && names.contains(rowSize)) {
      throw new UserException(file + ":1: column '" + rowSize + "' is the model's row count, bound per group; "
          + "remove it");
    }
    Map<String, Group> groups = new LinkedHashMap<>();
    double[] row = new double[names.size()];
    String line;
    long number = 1;
    while ((line = reader.readLine()) != null) {
      number++;
      if (line.isBlank()) {
        continue;
      }
      List<String> cells = fields(line, file, number);
      if (cells.size() != header.size()) {
        throw new UserException(file + ":" + number + ": " + cells.size() + " columns; the header has " + header.size());
      }
      String id = cells.get(group);
      Group g = groups.computeIfAbsent(id, k -> new Group(names.size()));
      if (g.problem != null) {
        continue;
      }
      int c = 0;
      for (int i = 0; i < cells.size(); i++) {
        if (i == group) {
          continue;
        }
        Double value = number(cells.get(i));
        if (value == null) {
          g.problem = file + ":" + number + ":" + (i + 1) + ": '" + names.get(c) + "' is '" + clip(cells.get(i))
              + "', not a number";
          break;
        }
        row[c++] = value;
      }
      if (g.problem == null) {
        g.add(row);
      }
    }
    List<SetEntry> sets = new ArrayList<>();
    for (Map.Entry<String, Group> e : groups.entrySet()) {
      Group g = e.getValue();
      if (g.problem != null) {
        sets.add(SetEntry.bad(e.getKey(), g.problem));
        continue;
      }
      Map<String, DataSet.Value> values = new LinkedHashMap<>();
      if (rowSize != null) {
        values.put(rowSize, new DataSet.Value(new int[0], new double[] {g.rows}));
      }
      for (int c = 0; c < names.size(); c++) {
        values.put(names.get(c), new DataSet.Value(new int[] {g.rows}, Arrays.copyOf(g.columns[c], g.rows)));
      }
      sets.add(SetEntry.of(new DataSetInput(e.getKey(), new DataSet(file + " group '" + e.getKey() + "'", values))));
      e.setValue(null); // its values now live in the data set alone
    }
    return sets;
  }

  private static Double number(String cell) {
    String s = cell.strip();
    if (s.isEmpty() || !(Character.isDigit(s.charAt(s.length() - 1)) || s.endsWith("."))) {
      // Double.parseDouble takes "NaN", "Infinity" and "1d"; data cells take plain numbers
      return null;
    }
    try {
      return Double.parseDouble(s);
    } catch (NumberFormatException e) {
      return null;
    }
  }

  private static String clip(String s) {
    return s.length() <= 40 ? s : s.substring(0, 37) + "...";
  }

  /** The fields of one line: comma-separated, a field in double quotes may hold commas and "" for a quote. */
  static List<String> fields(String line, String file, long number) {
    List<String> out = new ArrayList<>();
    StringBuilder field = new StringBuilder();
    int i = 0;
    while (true) {
      if (i < line.length() && line.charAt(i) == '"') {
        i++;
        while (true) {
          if (i >= line.length()) {
            throw new UserException(file + ":" + number + ": a quoted field is not closed on its line");
          }
          char ch = line.charAt(i++);
          if (ch == '"') {
            if (i < line.length() && line.charAt(i) == '"') {
              field.append('"');
              i++;
            } else {
              break;
            }
          } else {
            field.append(ch);
          }
        }
      }
      while (i < line.length() && line.charAt(i) != ',') {
        field.append(line.charAt(i++));
      }
      out.add(field.toString());
      field.setLength(0);
      if (i >= line.length()) {
        return out;
      }
      i++; // the comma
    }
  }
}
