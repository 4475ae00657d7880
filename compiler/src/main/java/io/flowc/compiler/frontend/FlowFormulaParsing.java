package io.flowc.compiler.frontend;

import io.flowc.compiler.diag.CompileException;
import io.flowc.compiler.diag.Diagnostic;
import io.flowc.compiler.diag.SourceFile;
import io.flowc.compiler.diag.Span;
import io.flowc.grammar.FlowFormulaLexer;
import io.flowc.grammar.FlowFormulaParser;
import io.flowc.runtime.flow.FlowFormulas;
import io.flowc.runtime.flow.FlowKind;
import io.flowc.runtime.flow.FlowOption;
import io.flowc.runtime.flow.FlowOptions;
import io.flowc.runtime.flow.FlowSpec;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.antlr.v4.runtime.CharStreams;
import org.antlr.v4.runtime.CommonTokenStream;
import org.antlr.v4.runtime.Token;
import org.antlr.v4.runtime.misc.IntervalSet;

/**
 * Flow formula text to a {@link FlowFormula}, following PyMC3's {@code Formula}: the text is
 * lower-cased and its spaces deleted, then split on '-' into parts {@code name} or
 * {@code name*count}, applied left to right; a name may carry options in parentheses,
 * {@code nsf(bins=4,hidden=64)*2} (docs/spec/neural_flows.md section 7). Diagnostics point at the offending part in the
 * text as the user wrote it.
 *
 * <p>Deliberate differences from PyMC3, which would otherwise turn typos into silent changes of
 * the model: a repeat count of 0 is an error (PyMC3 drops the part, so {@code planar*0-loc}
 * meant {@code loc}), and formulas of more than {@link #MAX_LAYERS} layers are refused.
 */
public final class FlowFormulaParsing {
  /**
   * Layers a formula may have in all. Compile time grows faster than the number of layers (a
   * thousand planar layers over two dimensions take seconds, five thousand minutes), so larger
   * flows are refused here rather than left to run for minutes.
   */
  public static final int MAX_LAYERS = FlowFormulas.MAX_LAYERS;

  private static final String KNOWN =
      Arrays.stream(FlowKind.values()).map(FlowKind::shortName).collect(Collectors.joining(", "));

  private static final SyntaxErrorStrategy.TokenClasses CLASSES = new SyntaxErrorStrategy.TokenClasses() {
    @Override
    public IntervalSet expressionStart() {
      return new IntervalSet();
    }

    @Override
    public IntervalSet operators() {
      return new IntervalSet();
    }

    @Override
    public IntervalSet statementStart() {
      return new IntervalSet();
    }

    @Override
    public boolean isKeyword(int type) {
      return false;
    }

    @Override
    public int nameType() {
      return FlowFormulaLexer.NAME;
    }

    @Override
    public String describe(int type) {
      return switch (type) {
        case Token.EOF -> "the end of the formula";
        case FlowFormulaLexer.NAME -> "a flow name";
        case FlowFormulaLexer.NUMBER -> "a number";
        default -> FlowFormulaLexer.VOCABULARY.getLiteralName(type);
      };
    }
  };

  private FlowFormulaParsing() {}

  /** Parses a formula given on the command line (diagnostics cite it as {@code --flow}). */
  public static FlowFormula parse(String formula) throws CompileException {
    return parse(formula, "--flow");
  }

  public static FlowFormula parse(String formula, String sourceName) throws CompileException {
    SourceFile source = new SourceFile(sourceName, formula);
    List<Diagnostic> diagnostics = new ArrayList<>();
    // PyMC3: formula.lower().replace(' ', ''); origin[i] is where normalized char i came from.
    StringBuilder normalized = new StringBuilder();
    int[] origin = new int[formula.length() + 1];
    for (int i = 0; i < formula.length(); i++) {
      char c = formula.charAt(i);
      if (c != ' ') {
        origin[normalized.length()] = i;
        normalized.append(Character.toLowerCase(c));
      }
    }
    origin[normalized.length()] = formula.length();
    if (normalized.length() == 0) {
      throw new CompileException(List.of(Diagnostic.error(source, source.span(0, formula.length()),
          "empty flow formula (write e.g. 'scale-loc' or 'planar*8')")));
    }
    SourceFile lexed = new SourceFile(sourceName, normalized.toString());
    Mapper map = (start, end) -> source.span(origin[lexed.charIndex(start)],
        end > start ? origin[lexed.charIndex(end) - 1] + 1 : origin[lexed.charIndex(start)]);

    FlowFormulaLexer lexer = new FlowFormulaLexer(CharStreams.fromString(normalized.toString()));
    lexer.removeErrorListeners();
    FlowFormulaParser parser = new FlowFormulaParser(new CommonTokenStream(lexer));
    parser.removeErrorListeners();
    List<Diagnostic> syntax = new ArrayList<>();
    parser.setErrorHandler(new SyntaxErrorStrategy(lexed, syntax, CLASSES));
    FlowFormulaParser.FormulaContext tree = parser.formula();
    for (Diagnostic d : syntax) {
      diagnostics.add(Diagnostic.error(source, map.span(d.span().start(), d.span().end()), d.message()));
    }
    if (!diagnostics.isEmpty()) {
      throw new CompileException(diagnostics);
    }

    List<FlowFormula.Part> parts = new ArrayList<>();
    long layers = 0;
    List<FlowFormulaParser.FlowContext> flows = tree.flow();
    for (int k = 0; k < flows.size(); k++) {
      FlowFormulaParser.FlowContext flow = flows.get(k);
      Span span = flow.start.getType() == Token.EOF || flow.getStop() == null || flow.getStop().getStopIndex() < flow.start.getStartIndex()
          ? null
          : map.span(flow.start.getStartIndex(), flow.getStop().getStopIndex() + 1);
      String partText = span == null ? "" : formula.substring(span.start(), span.end());
      if (flow.name == null) {
        diagnostics.add(missingName(source, map, tree, k, span));
        continue;
      }
      FlowKind kind = FlowKind.byShortName(flow.name.getText()).orElse(null);
      if (kind == null) {
        diagnostics.add(Diagnostic.error(source, map.span(flow.name.getStartIndex(), flow.name.getStopIndex() + 1),
            "unknown flow '" + formula.substring(origin[flow.name.getStartIndex()], origin[flow.name.getStopIndex()] + 1)
                + "' (known: " + KNOWN + ")"));
      }
      Span nameSpan = map.span(flow.name.getStartIndex(), flow.name.getStopIndex() + 1);
      Map<FlowOption, Span> optionSpans = new EnumMap<>(FlowOption.class);
      FlowOptions options = flow.optionList() == null || kind == null ? FlowOptions.DEFAULTS
          : options(kind, flow.optionList(), partText, source, map, optionSpans, diagnostics);
      int count = 1;
      if (flow.repeats.size() > 1) {
        Token second = flow.repeats.get(1).start;
        diagnostics.add(Diagnostic.error(source, map.span(second.getStartIndex(), second.getStopIndex() + 1),
            "wrong format: more than one '*' in '" + partText + "'"));
        continue;
      }
      if (flow.repeats.size() == 1) {
        FlowFormulaParser.RepeatContext repeat = flow.repeats.get(0);
        Token value = repeat.value;
        Span at = value == null ? map.span(repeat.start.getStartIndex(), repeat.start.getStopIndex() + 1)
            : map.span(value.getStartIndex(), value.getStopIndex() + 1);
        if (value == null || value.getType() != FlowFormulaLexer.NUMBER || !value.getText().matches("[0-9]+")
            || new BigInteger(value.getText()).signum() == 0) {
          diagnostics.add(Diagnostic.error(source, at, "repeat count must be a positive integer in '" + partText + "'"));
          continue;
        }
        BigInteger n = new BigInteger(value.getText());
        if (n.compareTo(BigInteger.valueOf(MAX_LAYERS)) > 0) {
          diagnostics.add(Diagnostic.error(source, at,
              "repeat count " + value.getText() + " is too large in '" + partText + "' (at most " + MAX_LAYERS + ")"));
          continue;
        }
        count = n.intValue();
      }
      layers += count;
      if (layers > MAX_LAYERS && layers - count <= MAX_LAYERS) {
        diagnostics.add(Diagnostic.error(source, span,
            "too many layers: '" + partText + "' brings the flow to " + layers + " (at most " + MAX_LAYERS + " in all)"));
        continue;
      }
      if (kind != null && options != null) {
        parts.add(new FlowFormula.Part(new FlowSpec(kind, options), count, span, nameSpan, optionSpans));
      }
    }
    if (!diagnostics.isEmpty()) {
      throw new CompileException(diagnostics);
    }
    return new FlowFormula(formula, parts, source);
  }

  /**
   * A part's options (docs/spec/neural_flows.md section 7), or null after reporting what is wrong with
   * them: an option the flow does not take (every option of PyMC3's flows), one given twice, a
   * value its rule refuses; each at its column. The span of each option's value is kept for the
   * checks that need the model's dimension.
   */
  private static FlowOptions options(FlowKind kind, FlowFormulaParser.OptionListContext context, String partText,
      SourceFile source, Mapper map, Map<FlowOption, Span> spans, List<Diagnostic> diagnostics) {
    FlowOptions options = FlowOptions.DEFAULTS;
    boolean ok = true;
    if (kind.options().isEmpty()) {
      diagnostics.add(Diagnostic.error(source, map.span(context.start.getStartIndex(), context.start.getStopIndex() + 1),
          FlowFormulas.unknownOption(kind, "") + " in '" + partText + "'"));
      return null;
    }
    for (FlowFormulaParser.OptionContext option : context.option()) {
      Token key = option.key;
      Span keySpan = map.span(key.getStartIndex(), key.getStopIndex() + 1);
      FlowOption known = FlowOption.byKey(key.getText()).filter(o -> o.appliesTo(kind)).orElse(null);
      if (known == null) {
        diagnostics.add(Diagnostic.error(source, keySpan, FlowFormulas.unknownOption(kind, key.getText())));
        ok = false;
        continue;
      }
      Token first = option.sign != null ? option.sign : option.value;
      Span valueSpan = map.span(first.getStartIndex(), option.value.getStopIndex() + 1);
      if (spans.containsKey(known)) {
        diagnostics.add(Diagnostic.error(source, keySpan, "option '" + known.key() + "' is given twice in '" + partText + "'"));
        ok = false;
        continue;
      }
      spans.put(known, valueSpan);
      try {
        options = known.set(options, (option.sign == null ? "" : option.sign.getText()) + option.value.getText());
      } catch (IllegalArgumentException e) {
        diagnostics.add(Diagnostic.error(source, valueSpan, e.getMessage() + " in '" + partText + "'"));
        ok = false;
      }
    }
    return ok ? options : null;
  }

  private interface Mapper {
    Span span(int start, int end);
  }

  private static Diagnostic missingName(SourceFile source, Mapper map, FlowFormulaParser.FormulaContext tree, int k, Span span) {
    List<org.antlr.v4.runtime.tree.TerminalNode> dashes = tree.DASH();
    Token before = k > 0 ? dashes.get(k - 1).getSymbol() : null;
    Token after = k < dashes.size() ? dashes.get(k).getSymbol() : null;
    Token anchor = before != null ? before : after;
    Span at = span != null ? span
        : anchor != null ? map.span(anchor.getStartIndex(), anchor.getStopIndex() + 1) : source.span(0, 0);
    String where = before != null && after != null ? "between two '-'"
        : before != null ? "after the last '-'"
        : after != null ? "before the first '-'" : "";
    return Diagnostic.error(source, at, ("missing flow name " + where).trim() + " (known: " + KNOWN + ")");
  }
}
