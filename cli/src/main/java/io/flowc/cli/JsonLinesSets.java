package io.flowc.cli;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import io.flowc.runtime.data.DataException;
import io.flowc.runtime.data.DataSet;
import io.flowc.runtime.data.StanJson;
import io.flowc.runtime.many.DataSetInput;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.NoSuchElementException;

/**
 * Data sets one a line: {@code {"id": ..., "data": {Stan JSON}}}, other members ignored; an id is
 * a string or a number (its text). Read lazily, a line at a time. A line that holds no data set
 * (bad JSON, no id, no data, data that are not Stan JSON, an id seen before) becomes an entry with
 * its problem and line number, and the reading goes on; blank lines are skipped.
 */
final class JsonLinesSets implements Iterator<SetEntry> {
  private static final JsonFactory JSON = new JsonFactory();

  private final BufferedReader reader;
  private final String file;
  /** The line where each id was first seen: ids name results, so each may appear once. */
  private final Map<String, Long> seen = new HashMap<>();
  private long lineNumber;
  private SetEntry next;

  JsonLinesSets(BufferedReader reader, String file) {
    this.reader = reader;
    this.file = file;
  }

  @Override
  public boolean hasNext() {
    while (next == null) {
      String line;
      try {
        line = reader.readLine();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      if (line == null) {
        return false;
      }
      lineNumber++;
      if (!line.isBlank()) {
        next = entry(line, lineNumber);
      }
    }
    return true;
  }

  @Override
  public SetEntry next() {
    if (!hasNext()) {
      throw new NoSuchElementException();
    }
    SetEntry entry = next;
    next = null;
    return entry;
  }

  private SetEntry entry(String line, long number) {
    String where = file + ":" + number;
    String id = null;
    String data = null;
    try (JsonParser parser = JSON.createParser(line)) {
      if (parser.nextToken() != JsonToken.START_OBJECT) {
        return SetEntry.bad("line " + number, where + ": not a JSON object");
      }
      while (parser.nextToken() == JsonToken.FIELD_NAME) {
        String name = parser.currentName();
        JsonToken value = parser.nextToken();
        if (name.equals("id")) {
          if (value != JsonToken.VALUE_STRING && value != JsonToken.VALUE_NUMBER_INT
              && value != JsonToken.VALUE_NUMBER_FLOAT) {
            return SetEntry.bad("line " + number, where + ": the id is " + value.asString() + ", not a string or a number");
          }
          id = parser.getText();
        } else if (name.equals("data")) {
          int start = (int) parser.currentTokenLocation().getCharOffset();
          parser.skipChildren();
          int end = (int) parser.currentLocation().getCharOffset();
          // the data's own columns: StanJson then names places as they are on this line
          data = " ".repeat(start) + line.substring(start, end);
        } else {
          parser.skipChildren();
        }
      }
      if (parser.currentToken() != JsonToken.END_OBJECT || parser.nextToken() != null) {
        return SetEntry.bad(id != null ? id : "line " + number, where + ": more than one JSON value on the line");
      }
    } catch (JsonProcessingException e) {
      return SetEntry.bad(id != null ? id : "line " + number, where + ":" + e.getLocation().getColumnNr() + ": not valid JSON ("
          + e.getOriginalMessage().replaceAll("\\s+", " ") + ")");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    if (id == null) {
      return SetEntry.bad("line " + number, where + ": no \"id\"");
    }
    Long first = seen.putIfAbsent(id, number);
    if (first != null) {
      return SetEntry.bad(id, where + ": id '" + id + "' appears again (first on line " + first + ")");
    }
    if (data == null) {
      return SetEntry.bad(id, where + ": no \"data\" object");
    }
    try {
      DataSet values = StanJson.parse(data, where);
      Map<String, String> unusable = new LinkedHashMap<>();
      values.unusableMembers().forEach((name, why) -> unusable.put(name, onThisLine(why, where)));
      return SetEntry.of(new DataSetInput(id, new DataSet(where, values.values(), unusable)));
    } catch (DataException e) {
      return SetEntry.bad(id, onThisLine(e.getMessage(), where));
    }
  }

  /** StanJson counts lines of the text it was given: one, which is this file's line {@code where} names. */
  private static String onThisLine(String message, String where) {
    return message.replace(where + ":1:", where + ":");
  }
}
