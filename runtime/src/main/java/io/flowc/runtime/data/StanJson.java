package io.flowc.runtime.data;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Reads data in Stan's JSON format (as cmdstan and posteriordb write it): one object whose
 * members are numbers or rectangular nested arrays of numbers. Infinite and NaN values may be
 * written as strings or bare words, in any case: {@code inf}, {@code infinity} (either with a
 * sign {@code -} or {@code +}) and {@code nan}; this includes Stan's own {@code "Inf"},
 * {@code "-Infinity"}, {@code "NaN"} and Python's bare {@code Infinity} and {@code NaN}.
 *
 * <p>A member holding anything else (true, null, a string, an object, an array that is not
 * rectangular, a number beyond the range of a double) is kept only as a description of what is
 * wrong with it, reported if a model declares it: a data file often serves several models. The
 * file must still be valid JSON; the first syntax error stops the reader with its line and
 * column. The reader streams bytes and stops at the first one that cannot continue the text,
 * at a nesting depth of {@value #MAX_DEPTH}, or after {@value #MAX_BYTES} bytes, so a device or
 * a pipe is never read without bound. A small reader of its own, so that the runtime (and a
 * model artifact) needs no JSON library.
 */
public final class StanJson {
  /** Largest file read: the largest array a JVM allocates. */
  public static final long MAX_BYTES = Integer.MAX_VALUE;
  /** Deepest nesting of arrays and objects: far beyond any data a model declares (at most 2 dimensions). */
  public static final int MAX_DEPTH = 100;
  /** Most numbers one member may hold: the largest array a JVM allocates. */
  static final int MAX_ELEMENTS = Integer.MAX_VALUE - 8;
  /** Longest number token: a double needs at most 17 significant digits, 767 with every digit of its exact value. */
  private static final int MAX_NUMBER_LENGTH = 1100;
  /** Longest member name kept; longer names cannot name a model's variable. */
  private static final int MAX_NAME_BYTES = 1 << 16;

  private static final Pattern INFINITY = Pattern.compile("[+]?inf(inity)?", Pattern.CASE_INSENSITIVE);
  private static final Pattern NEGATIVE_INFINITY = Pattern.compile("-inf(inity)?", Pattern.CASE_INSENSITIVE);
  private static final Pattern NAN = Pattern.compile("nan", Pattern.CASE_INSENSITIVE);

  private final InputStream in;
  private final String source;
  private final byte[] buffer = new byte[1 << 16];
  private final char[] token = new char[MAX_NUMBER_LENGTH];
  private int bufferLength;
  private int bufferPos;
  private long bytesRead;
  private boolean eof;
  private int line = 1;
  private int column = 1;

  private StanJson(InputStream in, String source) {
    this.in = in;
    this.source = source;
  }

  /** Reads a data file; throws DataException on bad or oversized content, naming the file. */
  public static DataSet read(Path file) throws IOException {
    if (Files.isRegularFile(file) && Files.size(file) > MAX_BYTES) {
      throw new DataException(file + ": " + Files.size(file) + " bytes; data files of at most " + MAX_BYTES
          + " bytes are read");
    }
    try (InputStream in = Files.newInputStream(file)) {
      return read(in, file.toString());
    }
  }

  /** Reads data from a stream, as far as it is valid; {@code source} names it in messages. */
  static DataSet read(InputStream in, String source) throws IOException {
    return new StanJson(in, source).document();
  }

  /** Parses {@code text}; {@code source} names it in messages. Throws DataException on bad input. */
  public static DataSet parse(String text, String source) {
    try {
      return new StanJson(new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8)), source).document();
    } catch (IOException e) {
      throw new IllegalStateException("reading an array failed", e);
    }
  }

  // ---- bytes ---------------------------------------------------------------------------------

  /** The next byte (0..255) without consuming it, or -1 at the end of the input. */
  private int peekByte() throws IOException {
    if (bufferPos == bufferLength && !eof) {
      bufferLength = in.readNBytes(buffer, 0, buffer.length);
      bufferPos = 0;
      eof = bufferLength == 0;
      bytesRead += bufferLength;
      if (bytesRead > MAX_BYTES) {
        throw new DataException(source + ": more than " + MAX_BYTES + " bytes; data files of at most " + MAX_BYTES
            + " bytes are read");
      }
    }
    return bufferPos < bufferLength ? buffer[bufferPos] & 0xff : -1;
  }

  private int nextByte() throws IOException {
    int b = peekByte();
    if (b < 0) {
      throw error("unexpected end of file");
    }
    bufferPos++;
    if (b == '\n') {
      line++;
      column = 1;
    } else if ((b & 0xC0) != 0x80) { // a UTF-8 continuation byte continues a column
      column++;
    }
    return b;
  }

  private DataException error(String message) {
    return new DataException(position() + ": " + message);
  }

  private String position() {
    return at(line, column);
  }

  private String at(int atLine, int atColumn) {
    return source + ":" + atLine + ":" + atColumn;
  }

  /** The next byte as a message shows it: {@code '}'}, {@code byte 0x00}, or the end of the file. */
  private String found() throws IOException {
    int b = peekByte();
    if (b < 0) {
      return "the end of the file";
    }
    return b > 0x20 && b < 0x7f ? "'" + (char) b + "'" : String.format(Locale.ROOT, "byte 0x%02X", b);
  }

  /** Skips JSON whitespace and returns the next byte (-1 at the end). */
  private int peek() throws IOException {
    while (true) {
      int b = bufferPos < bufferLength ? buffer[bufferPos] & 0xff : peekByte();
      if (b == ' ' || b == '\t' || b == '\r') {
        bufferPos++;
        column++;
      } else if (b == '\n') {
        bufferPos++;
        line++;
        column = 1;
      } else {
        return b;
      }
    }
  }

  private void expect(char c, String what) throws IOException {
    if (peek() != c) {
      throw error("expected " + what + ", found " + found());
    }
    nextByte();
  }

  // ---- structure -----------------------------------------------------------------------------

  private DataSet document() throws IOException {
    skipByteOrderMark();
    Map<String, DataSet.Value> values = new LinkedHashMap<>();
    Map<String, String> unusable = new LinkedHashMap<>();
    expect('{', "'{' (the data are one JSON object)");
    if (peek() == '}') {
      nextByte();
    } else {
      while (true) {
        if (peek() != '"') {
          throw error("expected a member name in double quotes, found " + found());
        }
        Text name = string(MAX_NAME_BYTES);
        if (!name.complete()) {
          throw error("a member name longer than " + MAX_NAME_BYTES + " bytes");
        }
        member(name.text(), values, unusable);
        if (peek() == ',') {
          nextByte();
          continue;
        }
        expect('}', "',' or '}'");
        break;
      }
    }
    if (peek() >= 0) {
      throw error("unexpected " + found() + " after the data object");
    }
    return new DataSet(source, values, unusable);
  }

  /** One member after its name: its value, numbers or the reason it cannot be used. */
  private void member(String name, Map<String, DataSet.Value> values, Map<String, String> unusable)
      throws IOException {
    if (values.containsKey(name) || unusable.containsKey(name)) {
      throw error("'" + name + "' appears twice");
    }
    expect(':', "':' after '" + name + "'");
    Member member = new Member(name);
    value(member, 0, 0);
    if (member.problem != null) {
      unusable.put(name, member.problem);
    } else {
      values.put(name, member.toValue());
    }
  }

  /** A UTF-8 byte-order mark is dropped, as in model files. */
  private void skipByteOrderMark() throws IOException {
    if (peekByte() == 0xEF && bufferLength - bufferPos >= 3 && (buffer[bufferPos + 1] & 0xff) == 0xBB
        && (buffer[bufferPos + 2] & 0xff) == 0xBF) {
      bufferPos += 3;
    }
  }

  /** One member's value as it is read: its numbers and shape, or what makes it unusable. */
  private static final class Member {
    final String name;
    double[] elements = new double[16];
    int count;
    /** The length of each dimension, -1 until its first array closes. */
    final List<Integer> dims = new ArrayList<>();
    String problem;

    Member(String name) {
      this.name = name;
    }

    void unusable(String where, String what) {
      if (problem == null) {
        problem = "'" + name + "' in " + where + " " + what;
      }
    }

    void add(double x) {
      if (problem != null) {
        return;
      }
      if (count == elements.length) {
        elements = Arrays.copyOf(elements, (int) Math.min(MAX_ELEMENTS, 2L * count));
      }
      elements[count++] = x;
    }

    DataSet.Value toValue() {
      return new DataSet.Value(dims.stream().mapToInt(Integer::intValue).toArray(), Arrays.copyOf(elements, count));
    }
  }

  /** A value at array depth {@code depth} (0: the member itself) and nesting {@code nesting}. */
  private void value(Member m, int depth, int nesting) throws IOException {
    if (nesting > MAX_DEPTH) {
      throw error("'" + m.name + "' nests arrays or objects more than " + MAX_DEPTH + " deep");
    }
    int b = peek();
    if (b == '[') {
      array(m, depth, nesting);
    } else if (b == '{') {
      String where = position();
      object(m, nesting);
      m.unusable(where, "is an object, not a number or an array of numbers");
    } else {
      if (depth < m.dims.size()) {
        m.unusable(position(), "is not rectangular: a number where an array was expected");
      }
      scalar(m);
    }
  }

  private void array(Member m, int depth, int nesting) throws IOException {
    int atLine = line;
    int atColumn = column;
    nextByte();
    if (depth == m.dims.size()) {
      if (depth > 0 && m.count > 0) { // numbers came at a shallower depth
        m.unusable(at(atLine, atColumn), "is not rectangular: an array where a number was expected");
      }
      m.dims.add(-1);
    }
    int count = 0;
    if (peek() == ']') {
      nextByte();
    } else {
      while (true) {
        if (count == Integer.MAX_VALUE - 1 || m.count == MAX_ELEMENTS) {
          throw error("'" + m.name + "' holds more than " + MAX_ELEMENTS + " values");
        }
        value(m, depth + 1, nesting + 1);
        count++;
        if (peek() == ',') {
          nextByte();
          continue;
        }
        expect(']', "',' or ']'");
        break;
      }
    }
    if (count == 0 && depth + 1 < m.dims.size()) {
      m.unusable(at(atLine, atColumn), "is not rectangular: an empty array where an array of " + m.dims.get(depth + 1)
          + " was expected");
    }
    if (depth >= m.dims.size()) {
      return; // inside a part already found unusable
    }
    if (m.dims.get(depth) == -1) {
      m.dims.set(depth, count);
    } else if (m.dims.get(depth) != count) {
      m.unusable(at(atLine, atColumn), "is not rectangular: rows of " + m.dims.get(depth) + " and " + count + " elements");
    }
  }

  /** An object inside a member's value: read for its syntax only. */
  private void object(Member m, int nesting) throws IOException {
    nextByte();
    if (peek() == '}') {
      nextByte();
      return;
    }
    while (true) {
      if (peek() != '"') {
        throw error("expected a member name in double quotes, found " + found());
      }
      string(0);
      expect(':', "':'");
      Member ignored = new Member(m.name);
      ignored.problem = "";
      value(ignored, 0, nesting + 1);
      if (peek() == ',') {
        nextByte();
        continue;
      }
      expect('}', "',' or '}'");
      return;
    }
  }

  /** A number, a string, or a word (true, false, null, a spelling of infinity or NaN). */
  private void scalar(Member m) throws IOException {
    int atLine = line;
    int atColumn = column;
    if (peekByte() == '"') {
      Text s = string(16);
      Double special = s.complete() ? special(s.text()) : null;
      if (special != null) {
        m.add(special);
      } else {
        m.unusable(at(atLine, atColumn), "holds the string \"" + s.text() + (s.complete() ? "" : "...")
            + "\" where a number was expected");
      }
      return;
    }
    if (decimal(m)) {
      return;
    }
    String token = token();
    if (token.isEmpty()) {
      throw error("expected a value, found " + found());
    }
    if (isNumber(token)) {
      double x = Double.parseDouble(token);
      if (Double.isInfinite(x)) {
        m.unusable(at(atLine, atColumn), "holds the number " + clip(token) + ", too large for a double (write "
            + "\"Infinity\" for an infinite value)");
      }
      m.add(x);
      return;
    }
    Double special = special(token);
    if (special != null) {
      m.add(special);
    } else if (token.equals("true") || token.equals("false") || token.equals("null")) {
      m.unusable(at(atLine, atColumn), "is " + token + ", not a number");
    } else {
      throw new DataException(at(atLine, atColumn) + ": '" + m.name + "': '" + clip(token) + "' is not a number");
    }
  }

  /**
   * A number of at most 19 significant digits (exact in a long), read from the bytes in the
   * buffer and added to {@code m}; false, having read nothing, for anything else (a longer
   * number, one that continues into the next buffer, a sign +) and for the rare number
   * {@link Decimals#of} leaves to {@link Double#parseDouble}: {@link #scalar} then reads it as a
   * token, through {@code parseDouble}. The nearest double, as {@code parseDouble} gives it: data as programs write them
   * (six decimals, integers, 17 digits) take this path. A fresh JVM read W9's 2.1 million numbers
   * through strings and {@code parseDouble} in 0.35 s and 3.3 million of 17 digits in 1.4 s; this
   * way in about 0.1 s and 0.5 s.
   */
  private boolean decimal(Member m) {
    byte[] b = buffer;
    int end = bufferLength;
    int i = bufferPos;
    boolean negative = i < end && b[i] == '-';
    if (negative) {
      i++;
    }
    long digits = 0;
    int significant = 0;
    long q = 0;
    int seen = 0;
    boolean point = false;
    for (; i < end; i++) {
      int c = b[i];
      if (c >= '0' && c <= '9') {
        seen++;
        if (digits != 0 || c != '0') {
          if (++significant > 19) {
            return false;
          }
          digits = digits * 10 + (c - '0');
        }
        if (point) {
          q--;
        }
      } else if (c == '.' && !point) {
        point = true;
      } else {
        break;
      }
    }
    if (seen == 0) {
      return false;
    }
    if (i < end && (b[i] == 'e' || b[i] == 'E')) {
      i++;
      boolean negativeExponent = i < end && b[i] == '-';
      if (i < end && (b[i] == '-' || b[i] == '+')) {
        i++;
      }
      int exponentDigits = 0;
      long e = 0;
      for (; i < end && b[i] >= '0' && b[i] <= '9'; i++, exponentDigits++) {
        e = Math.min(e * 10 + (b[i] - '0'), 100_000);
      }
      if (exponentDigits == 0) {
        return false;
      }
      q += negativeExponent ? -e : e;
    }
    // the number must end inside the buffer, at a byte that cannot continue a token
    if (i == end || isTokenByte(b[i])) {
      return false;
    }
    double x = Decimals.of(digits, q, negative);
    if (Double.isNaN(x)) {
      return false;
    }
    column += i - bufferPos;
    bufferPos = i;
    m.add(x);
    return true;
  }

  private static boolean isTokenByte(int c) {
    return c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c == '+' || c == '-' || c == '.';
  }

  private static String clip(String token) {
    return token.length() <= 40 ? token : token.substring(0, 40) + "...";
  }

  /** The value of a spelling of infinity or NaN, or null. */
  private static Double special(String s) {
    if (INFINITY.matcher(s).matches()) {
      return Double.POSITIVE_INFINITY;
    }
    if (NEGATIVE_INFINITY.matcher(s).matches()) {
      return Double.NEGATIVE_INFINITY;
    }
    return NAN.matcher(s).matches() ? Double.NaN : null;
  }

  /** The characters of a number or a word, up to a delimiter (ASCII only: one column each). */
  private String token() throws IOException {
    int length = 0;
    while (true) {
      int b = bufferPos < bufferLength ? buffer[bufferPos] & 0xff : peekByte();
      if (!isTokenByte(b)) {
        break;
      }
      if (length == token.length) {
        throw error("a number or word longer than " + MAX_NUMBER_LENGTH + " characters");
      }
      token[length++] = (char) b;
      bufferPos++;
      column++;
    }
    return new String(token, 0, length);
  }

  /** Whether a token is a decimal number: {@code [+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?} (no hexadecimal, no words). */
  private static boolean isNumber(String s) {
    int n = s.length();
    int i = s.startsWith("+") || s.startsWith("-") ? 1 : 0;
    int digits = 0;
    for (; i < n && isDigit(s.charAt(i)); i++) {
      digits++;
    }
    if (i < n && s.charAt(i) == '.') {
      for (i++; i < n && isDigit(s.charAt(i)); i++) {
        digits++;
      }
    }
    if (digits == 0) {
      return false;
    }
    if (i < n && (s.charAt(i) == 'e' || s.charAt(i) == 'E')) {
      i++;
      if (i < n && (s.charAt(i) == '+' || s.charAt(i) == '-')) {
        i++;
      }
      int exponent = 0;
      for (; i < n && isDigit(s.charAt(i)); i++) {
        exponent++;
      }
      if (exponent == 0) {
        return false;
      }
    }
    return i == n;
  }

  private static boolean isDigit(char c) {
    return c >= '0' && c <= '9';
  }

  /** A string's text (its first {@code keep} bytes), and whether that is all of it. */
  private record Text(String text, boolean complete) {}

  /** A JSON string, escapes included; keeps its first {@code keep} bytes, decoded as strict UTF-8. */
  private Text string(int keep) throws IOException {
    nextByte();
    String start = position();
    ByteBuffer kept = ByteBuffer.allocate(keep);
    boolean complete = true;
    while (true) {
      int b = peekByte();
      if (b < 0) {
        throw error("unterminated string (it starts at " + start + ")");
      }
      if (b < 0x20) {
        throw error("unescaped control character (" + found() + ") in a string");
      }
      nextByte();
      if (b == '"') {
        break;
      }
      byte[] bytes = b == '\\' ? escape() : new byte[] {(byte) b};
      if (kept.remaining() >= bytes.length) {
        kept.put(bytes);
      } else {
        complete = false;
      }
    }
    kept.flip();
    try {
      String text = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT).decode(kept).toString();
      return new Text(text, complete);
    } catch (CharacterCodingException e) {
      if (!complete) {
        return new Text(StandardCharsets.UTF_8.decode(kept.rewind()).toString(), false);
      }
      throw new DataException(start + ": the string is not UTF-8");
    }
  }

  /**
   * The UTF-8 bytes of the character an escape stands for; half of a surrogate pair stays
   * written as its escape (it only ever occurs in names, which no identifier matches).
   */
  private byte[] escape() throws IOException {
    int c = nextByte();
    char decoded = switch (c) {
      case '"', '\\', '/' -> (char) c;
      case 'b' -> '\b';
      case 'f' -> '\f';
      case 'n' -> '\n';
      case 'r' -> '\r';
      case 't' -> '\t';
      case 'u' -> unicodeEscape();
      default -> throw error("unknown escape '\\" + (c >= 0x20 && c < 0x7f ? String.valueOf((char) c)
          : String.format(Locale.ROOT, "<0x%02X>", c)) + "' in a string");
    };
    String text = Character.isSurrogate(decoded)
        ? String.format(Locale.ROOT, "\\u%04X", (int) decoded) : String.valueOf(decoded);
    return text.getBytes(StandardCharsets.UTF_8);
  }

  private char unicodeEscape() throws IOException {
    int code = 0;
    for (int i = 0; i < 4; i++) {
      int digit = peekByte() < 0 ? -1 : Character.digit(peekByte(), 16);
      if (digit < 0) {
        throw error("expected 4 hexadecimal digits after \\u, found " + found());
      }
      nextByte();
      code = code * 16 + digit;
    }
    return (char) code;
  }
}
