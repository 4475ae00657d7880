package io.flowc.cli;

import io.flowc.compiler.backend.CodeTooLargeException;
import io.flowc.compiler.diag.CompileException;
import io.flowc.runtime.Background;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.OutputStreamWriter;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.function.IntSupplier;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.HelpCommand;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;
import picocli.CommandLine.UnmatchedArgumentException;

/**
 * The {@code flowc} command. Each subcommand is a class of its own, listed in
 * {@code subcommands}; they report user mistakes by throwing {@link UserException} (or
 * {@link CompileException} for model errors) and this class turns those into a message on stderr
 * and an exit code ({@link ExitCodes}).
 */
@Command(
    name = "flowc",
    mixinStandardHelpOptions = true,
    versionProvider = VersionProvider.class,
    usageHelpAutoWidth = true,
    synopsisSubcommandLabel = "COMMAND",
    description = "Compiler and runtime for normalizing-flow variational inference.",
    footerHeading = "%nExit codes:%n",
    footer = {
        "  0  success",
        "  1  internal error (a bug in flowc; set FLOWC_DEBUG=1 for a stack trace)",
        "  2  user error: a bad model, option or file, or too little memory (FLOWC_JAVA_OPTS=-Xmx...)",
        "  3  numerical failure"
    })
public final class Main implements Callable<Integer> {
  /** Stack size requested for the thread that runs a command: deep models recurse deeply. */
  static final long STACK_BYTES = Background.STACK_BYTES;

  /** The environment variable that adds stack traces to internal errors. */
  static final String DEBUG_ENV = "FLOWC_DEBUG";

  /** The commands, in the order the usage lists them (then picocli's {@code help}). */
  static final List<String> COMMANDS = List.of("check", "fit", "fit-many", "sample", "compile", "ir", "plot", "compare",
      "simulate", "sbc");

  @Spec
  private CommandSpec spec;

  /** {@code flowc} without a command. */
  @Override
  public Integer call() {
    List<String> names = spec.subcommands().keySet().stream().filter(n -> !n.equals("help")).toList();
    throw new ParameterException(spec.commandLine(), "missing command (one of: " + String.join(", ", names) + ")");
  }

  public static void main(String[] args) {
    // UTF-8 whatever the locale: model files are UTF-8, and diagnostics quote their lines.
    PrintStream out = new PrintStream(new FileOutputStream(FileDescriptor.out), true, StandardCharsets.UTF_8);
    PrintStream err = new PrintStream(new FileOutputStream(FileDescriptor.err), true, StandardCharsets.UTF_8);
    FrontEndWarmUp.startFor(args);
    int code = run(out, err, args);
    out.flush();
    err.flush();
    System.exit(code);
  }

  /**
   * Runs one flowc command line on a thread with a large stack and returns its exit code. Text is
   * written to {@code out} and {@code err} in UTF-8.
   */
  public static int run(PrintStream out, PrintStream err, String... args) {
    return run(out, err, System.getenv(), args);
  }

  static int run(PrintStream out, PrintStream err, Map<String, String> env, String... args) {
    return onLargeStack(() -> execute(newCommandLine(args), out, err, env, args), err, env);
  }

  /** A fresh command tree: {@code flowc} and all its subcommands. */
  static CommandLine newCommandLine() {
    CommandLine cmd = new CommandLine(new Main());
    for (String name : COMMANDS) {
      cmd.addSubcommand(name, command(name));
    }
    cmd.addSubcommand("help", new HelpCommand());
    return cmd;
  }

  /**
   * The command tree that {@code args} needs: when they start with a command's name, {@code flowc}
   * and that command alone, else (usage, {@code help}, a mistyped name) all of them. Picocli reads
   * every registered command's annotations by reflection, which was half of a cold {@code flowc
   * check}'s time (docs/performance.md, "Start-up").
   */
  static CommandLine newCommandLine(String... args) {
    if (args.length == 0 || !COMMANDS.contains(args[0])) {
      return newCommandLine();
    }
    CommandLine cmd = new CommandLine(new Main());
    cmd.addSubcommand(args[0], command(args[0]));
    return cmd;
  }

  /** A new instance of the command called {@code name}, one of {@link #COMMANDS}. */
  private static Object command(String name) {
    // a switch, not a map of constructor references: each lambda costs a cold JVM a class spun at run time
    return switch (name) {
      case "check" -> new CheckCommand();
      case "fit" -> new FitCommand();
      case "fit-many" -> new FitManyCommand();
      case "sample" -> new SampleCommand();
      case "compile" -> new CompileCommand();
      case "ir" -> new IrCommand();
      case "plot" -> new PlotCommand();
      case "compare" -> new CompareCommand();
      case "simulate" -> new SimulateCommand();
      case "sbc" -> new SbcCommand();
      default -> throw new IllegalArgumentException("no command " + name);
    };
  }

  /** Runs a command line on the calling thread; never throws. */
  static int execute(CommandLine cmd, PrintStream out, PrintStream err, Map<String, String> env, String... args) {
    PrintWriter o = new PrintWriter(new OutputStreamWriter(out, StandardCharsets.UTF_8), true);
    PrintWriter e = new PrintWriter(new OutputStreamWriter(err, StandardCharsets.UTF_8), true);
    try {
      cmd.setOut(o);
      cmd.setErr(e);
      cmd.setParameterExceptionHandler(Main::usageError);
      cmd.setExecutionExceptionHandler((ex, commandLine, parseResult) -> failure(ex, commandLine.getErr(), env));
      return cmd.execute(args);
    } catch (Throwable t) {
      return failure(t, e, env);
    } finally {
      o.flush();
      e.flush();
    }
  }

  private static int onLargeStack(IntSupplier command, PrintStream err, Map<String, String> env) {
    int[] code = {ExitCodes.INTERNAL};
    Thread thread = new Thread(null, () -> {
      try {
        code[0] = command.getAsInt();
      } catch (Throwable t) {
        PrintWriter e = new PrintWriter(new OutputStreamWriter(err, StandardCharsets.UTF_8), true);
        code[0] = failure(t, e, env);
        e.flush();
      }
    }, "flowc", STACK_BYTES);
    thread.start();
    try {
      thread.join();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      thread.interrupt();
      return ExitCodes.INTERNAL;
    }
    return code[0];
  }

  /** A bad command line: picocli's message, then where to find the usage. */
  private static int usageError(ParameterException ex, String[] args) {
    CommandLine where = ex.getCommandLine();
    PrintWriter err = where.getErr();
    err.println("error: " + (ex.getMessage() != null ? ex.getMessage() : ex.toString()));
    StringBuilder hint = new StringBuilder();
    if (ex instanceof UnmatchedArgumentException unmatched && !unmatched.getSuggestions().isEmpty()) {
      hint.append("Did you mean ").append(String.join(" or ", unmatched.getSuggestions().stream()
          .map(s -> "'" + s + "'").toList())).append("? ");
    }
    hint.append("Run '").append(where.getCommandSpec().qualifiedName()).append(" --help' for usage.");
    err.println(hint);
    err.flush();
    return ExitCodes.USER;
  }

  /** Reports an exception from a command (or from flowc itself) and gives its exit code. */
  static int failure(Throwable ex, PrintWriter err, Map<String, String> env) {
    Throwable t = ex;
    while (t instanceof CommandLine.ExecutionException && t.getCause() != null) {
      t = t.getCause();
    }
    if (t instanceof UserException || t instanceof CodeTooLargeException) {
      err.println("error: " + t.getMessage());
      err.flush();
      return ExitCodes.USER;
    }
    if (t instanceof CompileException c) {
      err.println(c.render());
      err.flush();
      return ExitCodes.USER;
    }
    boolean debug = isDebug(env);
    OutOfMemoryError memory = outOfMemory(t);
    if (memory != null) {
      err.println("error: " + outOfMemoryMessage(memory, Runtime.getRuntime().maxMemory()));
    } else {
      String message = t.getMessage() == null ? t.getClass().getName() : t.getClass().getName() + ": " + t.getMessage();
      err.println("error: internal error: " + message.strip().replace('\n', ' ')
          + (debug ? "" : " (set " + DEBUG_ENV + "=1 for a stack trace)"));
    }
    if (debug) {
      t.printStackTrace(err);
    }
    err.flush();
    return memory != null ? ExitCodes.USER : ExitCodes.INTERNAL;
  }

  /**
   * The OutOfMemoryError that {@code t} is or was caused by, or null: worker threads (chains,
   * restarts) hand theirs over wrapped, e.g. in an ExecutionException and then an
   * IllegalStateException.
   */
  static OutOfMemoryError outOfMemory(Throwable t) {
    // bounded: a cause chain may loop
    Throwable c = t;
    for (int depth = 0; c != null && depth < 100; depth++, c = c.getCause()) {
      if (c instanceof OutOfMemoryError e) {
        return e;
      }
    }
    return null;
  }

  /**
   * What running out of memory means and how to give Java more: four times the heap it had, in GB
   * ({@code maxHeapBytes} as {@link Runtime#maxMemory}, Long.MAX_VALUE for no limit).
   */
  static String outOfMemoryMessage(OutOfMemoryError e, long maxHeapBytes) {
    String what = e.getMessage() == null || e.getMessage().isBlank() ? "" : " (" + e.getMessage().strip() + ")";
    if (maxHeapBytes == Long.MAX_VALUE) {
      return "out of memory" + what + "; give Java more with FLOWC_JAVA_OPTS=-Xmx8g (or more)";
    }
    long mb = maxHeapBytes >> 20;
    long suggestedGb = Math.max(1, (4 * mb + 1023) / 1024);
    return "out of memory" + what + ": the Java heap may not grow beyond " + mb + " MB; give Java more with "
        + "FLOWC_JAVA_OPTS=-Xmx" + suggestedGb + "g (or more)";
  }

  private static boolean isDebug(Map<String, String> env) {
    String value = env.get(DEBUG_ENV);
    return value != null && !value.isBlank() && !value.equals("0");
  }
}
