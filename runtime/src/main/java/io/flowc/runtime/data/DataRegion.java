package io.flowc.runtime.data;

import java.util.Arrays;

/**
 * The data region's shape beyond the raw values: its length ({@code reserved}: raw values,
 * derived values, for dynamic data the slot of the scratch start, and the stamp) and the derived
 * values of data-dependent length, each with the header slot that receives its offset and the
 * slot of the size that gives its length.
 */
public record DataRegion(int reserved, int[] derivedHeaders, int[] derivedRows) {
  public DataRegion {
    if (derivedHeaders.length != derivedRows.length) {
      throw new IllegalArgumentException("one size per derived value expected");
    }
    derivedHeaders = derivedHeaders.clone();
    derivedRows = derivedRows.clone();
  }

  @Override
  public int[] derivedHeaders() {
    return derivedHeaders.clone();
  }

  @Override
  public int[] derivedRows() {
    return derivedRows.clone();
  }

  /** The form artifacts store: {@code 12} or {@code 12;9:0,10:0} (header:size pairs). */
  public String encode() {
    StringBuilder s = new StringBuilder(String.valueOf(reserved));
    for (int k = 0; k < derivedHeaders.length; k++) {
      s.append(k == 0 ? ";" : ",").append(derivedHeaders[k]).append(':').append(derivedRows[k]);
    }
    return s.toString();
  }

  /** Reads {@link #encode()}'s form; throws IllegalArgumentException (NumberFormatException) on anything else. */
  public static DataRegion decode(String text) {
    String[] parts = text.split(";", -1);
    if (parts.length > 2) {
      throw new IllegalArgumentException("bad data region '" + text + "'");
    }
    String[] pairs = parts.length == 2 ? parts[1].split(",", -1) : new String[0];
    int[] headers = new int[pairs.length];
    int[] rows = new int[pairs.length];
    for (int k = 0; k < pairs.length; k++) {
      String[] p = pairs[k].split(":", -1);
      if (p.length != 2) {
        throw new IllegalArgumentException("bad data region '" + text + "'");
      }
      headers[k] = Integer.parseInt(p[0]);
      rows[k] = Integer.parseInt(p[1]);
    }
    return new DataRegion(Integer.parseInt(parts[0]), headers, rows);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof DataRegion r && r.reserved == reserved && Arrays.equals(r.derivedHeaders, derivedHeaders)
        && Arrays.equals(r.derivedRows, derivedRows);
  }

  @Override
  public int hashCode() {
    return reserved * 31 + Arrays.hashCode(derivedHeaders);
  }
}
