package io.flowc.compiler.diag;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * Model files are strict UTF-8: a model read from disk by the CLI and one read from the class path
 * by the annotation processor decode alike, and a file in another encoding is refused with the
 * place of its first bad byte rather than read as mojibake.
 */
public final class Utf8Text {
  private static final byte[] BOM = {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF};

  /** The text is not UTF-8; the message says where: {@code invalid byte 0xE9 at byte offset 27 (line 2)}. */
  public static final class MalformedException extends Exception {
    private static final long serialVersionUID = 1L;

    MalformedException(String message) {
      super(message);
    }
  }

  private Utf8Text() {}

  /** Decodes strict UTF-8, dropping a leading byte-order mark. */
  public static String decode(byte[] bytes) throws MalformedException {
    int start = startsWithBom(bytes) ? BOM.length : 0;
    CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
        .onMalformedInput(CodingErrorAction.REPORT)
        .onUnmappableCharacter(CodingErrorAction.REPORT);
    ByteBuffer in = ByteBuffer.wrap(bytes, start, bytes.length - start);
    // UTF-8 never yields more chars than bytes, so the output cannot overflow.
    CharBuffer out = CharBuffer.allocate(bytes.length - start + 1);
    CoderResult result = decoder.decode(in, out, true);
    if (!result.isError()) {
      result = decoder.flush(out);
    }
    if (result.isError()) {
      int offset = in.position();
      int length = Math.max(1, Math.min(result.length(), bytes.length - offset));
      StringBuilder seq = new StringBuilder();
      for (int i = 0; i < length; i++) {
        seq.append(i == 0 ? "" : " ").append(String.format(Locale.ROOT, "0x%02X", bytes[offset + i] & 0xff));
      }
      throw new MalformedException("invalid byte" + (length == 1 ? " " : "s ") + seq + " at byte offset " + offset
          + " (line " + lineAt(bytes, offset) + ")");
    }
    if (result.isOverflow()) {
      throw new IllegalStateException("UTF-8 decoder overflowed its buffer");
    }
    out.flip();
    return out.toString();
  }

  private static boolean startsWithBom(byte[] bytes) {
    return bytes.length >= BOM.length && bytes[0] == BOM[0] && bytes[1] == BOM[1] && bytes[2] == BOM[2];
  }

  /** The 1-based line of a byte offset (lines end at LF, CRLF or a lone CR, as SourceFile counts them). */
  private static int lineAt(byte[] bytes, int offset) {
    int line = 1;
    for (int i = 0; i < offset; i++) {
      if (bytes[i] == '\n' || (bytes[i] == '\r' && (i + 1 >= bytes.length || bytes[i + 1] != '\n'))) {
        line++;
      }
    }
    return line;
  }
}
