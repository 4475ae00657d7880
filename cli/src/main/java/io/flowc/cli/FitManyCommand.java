package io.flowc.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.flowc.compiler.diag.CompileException;
import io.flowc.compiler.diag.SourceFile;
import io.flowc.compiler.driver.ArtifactWriter;
import io.flowc.compiler.driver.Compilation;
import io.flowc.compiler.frontend.Ast;
import io.flowc.compiler.frontend.CheckedModel;
import io.flowc.compiler.frontend.FlowFormula;
import io.flowc.compiler.frontend.FlowFormulaParsing;
import io.flowc.compiler.frontend.FrontEnd;
import io.flowc.compiler.frontend.ModelParsing;
import io.flowc.runtime.Artifact;
import io.flowc.runtime.ArtifactException;
import io.flowc.runtime.data.DataSet;
import io.flowc.runtime.many.FitMethod;
import io.flowc.runtime.many.InOrderStream;
import io.flowc.runtime.many.ManyFits;
import io.flowc.runtime.many.SetResult;
import io.flowc.runtime.nfvi.Nfvi;
import io.flowc.runtime.nuts.NutsSettings;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Spliterator;
import java.util.Spliterators;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code flowc fit-many}: one compiled model fitted to many data sets, every core busy. */
@Command(
    name = "fit-many",
    sortOptions = false,
    usageHelpAutoWidth = true,
    description = {
        "Fit one model to many data sets (NFVI or NUTS per set) on a pool of threads, compiling it once. Each "
            + "set's seed is a hash of --seed and its id, so its result is the same bits whatever the thread "
            + "count or the order of the sets. A set that cannot be fitted gets a status and a message in its "
            + "row; the others go on.",
        "%nResults are written to --out as they arrive, in input order: CSV (one row per set and parameter) "
            + "or JSON Lines (one object per set). Progress goes to stderr.%n"
    },
    footerHeading = "%nExamples:%n",
    footer = {
        "  flowc fit-many examples/regression.flow --data-lines examples/regression-sets.jsonl --method nfvi "
            + "--flow scale-hh*3-loc --optimizer adam --lr 0.01 --iters 3000 --out results.csv",
        "  flowc fit-many regression.jar --data-csv rows.csv --group store --method nuts --chains 1 --out results.jsonl"
    })
public final class FitManyCommand implements Callable<Integer> {
  /** Options of one method only: given with the other, they would be silently ignored. */
  private static final List<String> NFVI_ONLY = List.of("--flow", "--iters", "--nmc", "--optimizer", "--lr",
      "--jitter", "--grad-clip", "--restarts", "--average-last", "--lr-final", "--eval-draws");
  private static final List<String> NUTS_ONLY = List.of("--tune", "--chains", "--target-accept", "--max-treedepth");

  /** Draws per set when --draws is not given: fit's default for NFVI, sample's for NUTS. */
  static final int NFVI_DRAWS = 500;

  /** Seconds between two progress lines. */
  private static final double PROGRESS_SECONDS = 2;

  @Spec
  private CommandSpec spec;

  @Parameters(index = "0", paramLabel = "MODEL.flow|ARTIFACT.jar", description = "The model, or its compiled artifact.")
  private String modelFile;

  @Option(names = "--data-lines", paramLabel = "SETS.jsonl", description = "One data set a line: "
      + "{\"id\": ..., \"data\": {Stan JSON}}; other members are ignored.")
  private String dataLines;

  @Option(names = "--data-csv", paramLabel = "ROWS.csv", description = "Long format: one row per observation, "
      + "columns named like the model's data vectors; --group names the column that holds the set's id.")
  private String dataCsv;

  @Option(names = "--group", paramLabel = "COL", description = "With --data-csv: the column whose value is the set's id.")
  private String group;

  @Mixin
  private DataOption common = new DataOption();

  @Option(names = "--method", required = true, paramLabel = "nfvi|nuts", description = "NFVI (a flow per set) or NUTS.")
  private String method;

  @Option(names = "--flow", paramLabel = "FORMULA", description = "With --method nfvi: the flow, e.g. scale-hh*3-loc "
      + "(an artifact must have it compiled in).")
  private String flow;

  @Mixin
  private NfviOptions nfvi = new NfviOptions();

  @Option(names = "--eval-draws", paramLabel = "E", description = "Fresh draws for each set's final loss and Pareto k "
      + "(default " + ManyFits.DEFAULT_EVAL_DRAWS + ").")
  private int evalDraws = ManyFits.DEFAULT_EVAL_DRAWS;

  @Mixin
  private NutsOptions nuts = new NutsOptions();

  @Option(names = "--draws", paramLabel = "D", description = "Posterior draws per set for the summaries: from the "
      + "fitted flow (NFVI, default " + NFVI_DRAWS + ") or kept per chain (NUTS, default " + NutsSettings.DEFAULT_DRAWS
      + ").")
  private Integer draws;

  @Option(names = "--seed", paramLabel = "S", description = "Base seed (default 0); a set's seed is a hash of it and "
      + "the set's id.")
  private long seed;

  @Option(names = "--threads", paramLabel = "T", description = "Sets fitted in parallel (default: cores).")
  private Integer threads;

  @Option(names = "--out", required = true, paramLabel = "RESULTS.csv|RESULTS.jsonl",
      description = "The results file; its name says the format.")
  private String out;

  @Option(names = "--json", description = "Print one JSON summary line last on stdout.")
  private boolean json;

  @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help and exit.")
  private boolean help;

  /** The parsed --flow (NFVI). */
  private FlowFormula formula;

  @Override
  public Integer call() throws CompileException, IOException {
    PrintWriter stdout = spec.commandLine().getOut();
    PrintWriter stderr = spec.commandLine().getErr();
    boolean isNfvi = checkOptions();
    formula = isNfvi ? FlowFormulaParsing.parse(flow) : null;
    DataSet commonData = common.file == null ? new DataSet("no common data", Map.of()) : ModelFiles.data(common.file);
    String input = dataLines != null ? dataLines : dataCsv;
    try (BufferedReader reader = open(input)) {
      Iterator<SetEntry> entries;
      List<SetEntry> firstEntries = new ArrayList<>();
      Artifact artifact;
      if (dataLines != null) {
        entries = new JsonLinesSets(reader, dataLines);
        artifact = ModelFiles.isArtifact(modelFile) ? openArtifact()
            : compile(commonData, firstGood(entries, firstEntries), isNfvi, stderr);
      } else {
        artifact = ModelFiles.isArtifact(modelFile) ? openArtifact() : null;
        Ast.Model source = artifact != null ? parse(new SourceFile(modelFile, artifact.source()))
            : parse(ModelFiles.read(modelFile));
        List<SetEntry> groups = CsvGroups.read(reader, dataCsv, group, rowSize(source, dataCsv, reader));
        entries = groups.iterator();
        if (artifact == null) {
          artifact = compile(commonData, firstGood(entries, firstEntries), isNfvi, stderr);
        }
      }
      if (firstEntries.isEmpty() && !entries.hasNext()) {
        throw new UserException(input + ": no data sets");
      }
      ManyFits engine = engine(artifact, commonData, isNfvi);
      Iterator<SetEntry> all = concat(firstEntries.iterator(), entries);
      return run(engine, all, isNfvi, input, stdout, stderr);
    } catch (UncheckedIOException e) {
      throw new UserException(input + ": cannot read it (" + e.getCause().getMessage() + ")");
    }
  }

  /** Checks the options; returns whether the method is NFVI. */
  private boolean checkOptions() {
    boolean isNfvi = switch (method.toLowerCase(Locale.ROOT)) {
      case "nfvi" -> true;
      case "nuts" -> false;
      default -> throw new UserException("--method must be nfvi or nuts, not '" + method + "'");
    };
    if ((dataLines == null) == (dataCsv == null)) {
      throw new UserException("give the data sets with --data-lines SETS.jsonl or --data-csv ROWS.csv --group COL "
          + "(one of them)");
    }
    if (dataCsv != null && group == null) {
      throw new UserException("--data-csv needs --group COL: the column whose value is the set's id");
    }
    if (dataCsv == null && group != null) {
      throw new UserException("--group goes with --data-csv");
    }
    for (String option : isNfvi ? NUTS_ONLY : NFVI_ONLY) {
      if (spec.commandLine().getParseResult().hasMatchedOption(option)) {
        throw new UserException(option + " applies to --method " + (isNfvi ? "nuts" : "nfvi"));
      }
    }
    if (isNfvi) {
      if (flow == null) {
        throw new UserException("--method nfvi needs --flow FORMULA (e.g. scale-hh*3-loc)");
      }
      nfvi.check();
      if (evalDraws < 2) {
        throw new UserException("--eval-draws must be >= 2");
      }
    } else {
      nuts.check();
    }
    if ((draws != null && draws < 1) || (threads != null && threads < 1)) {
      throw new UserException("--draws and --threads must be >= 1");
    }
    ResultsFile.checkName(out);
    OutputFile.check("--out", out);
    return isNfvi;
  }

  private static BufferedReader open(String file) {
    try {
      return Files.newBufferedReader(Path.of(file), StandardCharsets.UTF_8);
    } catch (NoSuchFileException e) {
      throw new UserException(file + ": no such file");
    } catch (IOException | InvalidPathException e) {
      throw new UserException(file + ": cannot read it (" + e.getMessage() + ")");
    }
  }

  private Artifact openArtifact() {
    Artifact artifact = ModelFiles.openArtifact(modelFile);
    if (flow != null) {
      String formula = normalized();
      if (!artifact.formulas().contains(formula)) {
        throw new UserException(modelFile + ": has no compiled flow '" + formula + "' (it has: "
            + (artifact.formulas().isEmpty() ? "none" : String.join(", ", artifact.formulas()))
            + "); compile it in with flowc compile --flow");
      }
    }
    return artifact;
  }

  private String normalized() {
    return formula.normalized();
  }

  /** The first entry that holds a data set; it and those before it are kept in {@code read}. */
  private static SetEntry firstGood(Iterator<SetEntry> entries, List<SetEntry> read) {
    while (entries.hasNext()) {
      SetEntry e = entries.next();
      read.add(e);
      if (e.input() != null) {
        return e;
      }
    }
    return null;
  }

  /**
   * The model compiled once, as {@code flowc compile} compiles it (sizes that only count rows left
   * free), checked against the common data merged with the first data set, and opened as an artifact.
   */
  private Artifact compile(DataSet commonData, SetEntry first, boolean isNfvi, PrintWriter stderr)
      throws CompileException, IOException {
    SourceFile source = ModelFiles.read(modelFile);
    Map<String, DataSet.Value> values = new LinkedHashMap<>(commonData.values());
    String where = common.file != null ? common.file : "the data sets";
    if (first != null) {
      values.putAll(first.input().data().values());
      where = first.input().data().source();
    }
    FrontEnd.Analysis analysis = FrontEnd.analyze(source, new DataSet(where, values));
    if (!analysis.ok()) {
      throw new CompileException(analysis.diagnostics());
    }
    analysis.diagnostics().forEach(d -> stderr.println(d.render()));
    CheckedModel model = Compilation.freeSizes(analysis.model());
    List<FlowFormula> formulas = isNfvi ? List.of(formula) : List.of();
    for (FlowFormula f : formulas) {
      f.layout(model.dimension()); // what the model's dimension forbids, at the formula's column
    }
    return ArtifactWriter.open(model, formulas);
  }

  private static Ast.Model parse(SourceFile source) {
    ModelParsing.Result parsed = ModelParsing.parse(source);
    if (!parsed.ok()) {
      throw new UserException(parsed.diagnostics().get(0).render().lines().findFirst().orElse(source.name()));
    }
    return parsed.model();
  }

  /**
   * The size that counts the rows of the data vectors named by the CSV's columns (the first
   * dimension they are declared with), or null when none of them is declared with one; the
   * columns must agree on it.
   */
  private String rowSize(Ast.Model model, String file, BufferedReader reader) throws IOException {
    reader.mark(1 << 20);
    String header = reader.readLine();
    reader.reset();
    if (header == null) {
      return null;
    }
    List<String> columns = CsvGroups.fields(header, file, 1);
    Map<String, String> sizes = new TreeMap<>();
    for (Ast.Statement s : model.statements()) {
      if (s instanceof Ast.DataDecl d && columns.contains(d.name().text()) && !d.dims().isEmpty()
          && d.dims().get(0) instanceof Ast.Ident size) {
        sizes.put(d.name().text(), size.name());
      }
    }
    List<String> distinct = sizes.values().stream().distinct().toList();
    if (distinct.size() > 1) {
      throw new UserException(file + ":1: the columns are counted by different sizes (" + sizes
          + "); one group's rows must share one size");
    }
    return distinct.isEmpty() ? null : distinct.get(0);
  }

  private ManyFits engine(Artifact artifact, DataSet commonData, boolean isNfvi) {
    FitMethod fitMethod;
    if (isNfvi) {
      Nfvi.Settings settings = nfvi.settings(nfvi.optimizer(), seed, List.of());
      fitMethod = new FitMethod.Nfvi(normalized(), settings, nfvi.restarts, draws != null ? draws : NFVI_DRAWS);
    } else {
      fitMethod = new FitMethod.Nuts(nuts.settings(draws != null ? draws : NutsSettings.DEFAULT_DRAWS, seed, 1, null));
    }
    try {
      return ManyFits.of(artifact, commonData, fitMethod, seed).withEvalDraws(evalDraws);
    } catch (ArtifactException e) {
      throw new UserException(e.getMessage());
    }
  }

  /** Fits every set, writing each result as it arrives; exit 0 once every set has its row. */
  private int run(ManyFits engine, Iterator<SetEntry> entries, boolean isNfvi, String input, PrintWriter stdout,
      PrintWriter stderr) throws IOException {
    int threadCount = threads != null ? threads : Runtime.getRuntime().availableProcessors();
    Stream<SetEntry> stream = StreamSupport.stream(Spliterators.spliteratorUnknownSize(entries, Spliterator.ORDERED),
        false);
    Stream<SetResult> results = threadCount == 1 ? stream.map(e -> fitOne(engine, e))
        : InOrderStream.map(stream, threadCount, e -> fitOne(engine, e));
    Progress progress = new Progress(stderr);
    try (Writer writer = Files.newBufferedWriter(Path.of(out), StandardCharsets.UTF_8); results) {
      ResultsFile file = ResultsFile.of(out, writer, isNfvi);
      for (Iterator<SetResult> it = results.iterator(); it.hasNext(); ) {
        SetResult r = it.next();
        file.write(r);
        progress.add(r);
      }
    } catch (IOException e) {
      throw OutputFile.failure("--out", out, e);
    }
    progress.finish(out);
    if (json) {
      stdout.println(Json.line(progress.summary(isNfvi ? "nfvi" : "nuts", threadCount, input, out)));
    }
    return ExitCodes.OK;
  }

  private static SetResult fitOne(ManyFits engine, SetEntry e) {
    return e.input() != null ? engine.fit(e.input()) : engine.rejected(e.id(), SetResult.BAD_DATA, e.problem());
  }

  private static <T> Iterator<T> concat(Iterator<T> first, Iterator<T> then) {
    return new Iterator<>() {
      @Override
      public boolean hasNext() {
        return first.hasNext() || then.hasNext();
      }

      @Override
      public T next() {
        return first.hasNext() ? first.next() : then.next();
      }
    };
  }

  /** Sets done, sets per second and failures so far, on stderr every few seconds and once at the end. */
  private static final class Progress {
    private final PrintWriter err;
    private final long start = System.nanoTime();
    private long lastShown = start;
    private int sets;
    private final Map<String, Integer> failures = new TreeMap<>();

    Progress(PrintWriter err) {
      this.err = err;
    }

    void add(SetResult r) {
      sets++;
      if (!r.ok()) {
        failures.merge(r.status(), 1, Integer::sum);
      }
      long now = System.nanoTime();
      if ((now - lastShown) / 1e9 >= PROGRESS_SECONDS) {
        lastShown = now;
        err.printf(Locale.ROOT, "fit-many: %,d sets, %.1f sets/s, %,d failed%n", sets, sets / seconds(),
            failed());
        err.flush();
      }
    }

    int failed() {
      return failures.values().stream().mapToInt(Integer::intValue).sum();
    }

    double seconds() {
      return Math.max((System.nanoTime() - start) / 1e9, 1e-9);
    }

    void finish(String out) {
      StringBuilder why = new StringBuilder();
      failures.forEach((status, n) -> why.append(why.length() == 0 ? " (" : ", ").append(n).append(' ').append(status));
      err.printf(Locale.ROOT, "fit-many: %,d sets in %.2f s (%.1f sets/s): %,d ok, %,d failed%s; results in %s%n",
          sets, seconds(), sets / seconds(), sets - failed(), failed(), why.length() == 0 ? "" : why + ")", out);
      err.flush();
    }

    ObjectNode summary(String method, int threads, String input, String out) {
      ObjectNode r = Json.object();
      r.put("method", method);
      r.put("input", input);
      r.put("out", out);
      r.put("threads", threads);
      r.put("sets", sets);
      r.put("ok", sets - failed());
      ObjectNode failed = r.putObject("failed");
      failures.forEach(failed::put);
      Json.putNumber(r, "seconds", seconds());
      Json.putNumber(r, "sets_per_second", sets / seconds());
      return r;
    }
  }
}
