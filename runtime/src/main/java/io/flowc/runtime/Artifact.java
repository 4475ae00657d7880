package io.flowc.runtime;

import io.flowc.runtime.data.DataBinding;
import io.flowc.runtime.data.DataLayout;
import io.flowc.runtime.data.DataRegion;
import io.flowc.runtime.flow.FlowFormulas;
import io.flowc.runtime.flow.FlowKernel;
import io.flowc.runtime.flow.FlowLayout;
import io.flowc.runtime.nfvi.StepCost;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Enumeration;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Optional;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.jar.JarFile;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

/**
 * A compiled model artifact: a jar holding a model's generated classes and its metadata, written
 * by {@code flowc compile} and loaded here with nothing but the runtime on the class path, so a
 * model compiled once can be refitted quickly and often.
 *
 * <p>Layout: {@value #METADATA} (the properties below), {@value #SOURCE} (the model's source
 * text), {@value #DIGESTS} (the SHA-256 of every other entry) and the classes, in package
 * {@value #PACKAGE}. An artifact is tied to the flowc version that wrote it: generated code calls
 * the runtime directly, and another version's runtime may differ.
 *
 * <p>{@link #open} reads the whole jar, checks every entry against its recorded digest and every
 * metadata field against the others, and classes are then defined from the bytes it checked. The
 * digests catch corruption and mix-ups (an entry from another artifact); they do not make an
 * artifact trustworthy: whoever writes one can write matching digests, and loading it runs its code.
 */
public final class Artifact {
  public static final String METADATA = "META-INF/flowc/model.properties";
  public static final String SOURCE = "META-INF/flowc/model.flow";
  /** Every other entry's SHA-256, one {@code HEX  NAME} line each (as {@code sha256sum} prints them). */
  public static final String DIGESTS = "META-INF/flowc/entries.sha256";
  /** The package of the classes in artifacts. */
  public static final String PACKAGE = "io.flowc.artifact";
  /**
   * The layout version: 2 added {@value #DIGESTS}, 3 the row scale in the data region of models with
   * free sizes (minibatches); artifacts of earlier formats are refused (compile again).
   */
  public static final String FORMAT = "3";

  /** The most bytes an artifact's entries may hold together: far beyond any model's, far below a zip bomb's. */
  private static final long MAX_BYTES = 256L << 20;
  private static final Pattern DIGEST_LINE = Pattern.compile("([0-9a-f]{64})  (\\S.*)");

  /** Metadata keys. */
  public static final String KEY_FORMAT = "format";
  public static final String KEY_VERSION = "flowc.version";
  public static final String KEY_MODEL = "model.name";
  public static final String KEY_CLASS = "model.class";
  public static final String KEY_SHA256 = "source.sha256";
  public static final String KEY_DIMENSION = "dimension";
  public static final String KEY_ELEMENTS = "elements";
  public static final String KEY_PARAMS = "params";
  public static final String KEY_POTENTIAL_TERMS = "potential.terms";
  public static final String KEY_LOGP_TERMS = "logp.terms";
  public static final String KEY_FORMULAS = "formulas";
  /** The data declarations, fixed sizes with their values ({@link DataLayout#encode}); absent without data. */
  public static final String KEY_DATA = "data";
  /** The data region ({@link DataRegion#encode}: its length, derived values of data-dependent length); absent without data. */
  public static final String KEY_DATA_RESERVED = "data.reserved";
  /** The class computing the derived data values; absent when there are none. */
  public static final String KEY_DATA_PROLOGUE = "data.prologue.class";
  /**
   * The class computing what a draw reports (constrained parameters, then derived quantities);
   * absent when the parameters' layout alone says it (no derived quantities, no computed bounds).
   */
  public static final String KEY_REPORTED = "reported.class";
  /** The derived quantities' element names, comma-separated ({@code theta[0],theta[1]}); with {@link #KEY_REPORTED}. */
  public static final String KEY_DERIVED = "derived";

  private final Path file;
  private final ArtifactMetadata metadata;
  private final String source;
  private final ClassLoader loader;

  private Artifact(Path file, ArtifactMetadata metadata, String source, Map<String, byte[]> classes) {
    this.file = file;
    this.metadata = metadata;
    this.source = source;
    this.loader = new EntryClassLoader(classes, Artifact.class.getClassLoader());
  }

  /**
   * Reads an artifact and checks it whole: its format and flowc version, every entry against its
   * recorded digest, and its metadata; classes are loaded by {@link #logDensity()} and {@link #flowKernel}.
   *
   * @throws ArtifactException with a one-line message naming the file and what is wrong
   */
  public static Artifact open(Path file) {
    if (!Files.exists(file)) {
      throw new ArtifactException(file + ": no such file");
    }
    if (Files.isDirectory(file)) {
      throw new ArtifactException(file + ": is a directory, not an artifact jar");
    }
    Map<String, byte[]> entries = readEntries(file);
    byte[] metadataBytes = entries.get(METADATA);
    if (metadataBytes == null) {
      throw new ArtifactException(file + ": not a flowc artifact (no " + METADATA + ")");
    }
    Properties properties = ArtifactMetadata.properties(file, metadataBytes);
    checkVersion(file, properties);
    checkDigests(file, entries);
    Map<String, byte[]> classes = classes(file, entries);
    ArtifactMetadata metadata = ArtifactMetadata.parse(file, properties, entries);
    return new Artifact(file, metadata, new String(entries.get(SOURCE), StandardCharsets.UTF_8), classes);
  }

  /** The class entries by class name; any entry that is neither a class in {@link #PACKAGE} nor flowc's own is refused. */
  private static Map<String, byte[]> classes(Path file, Map<String, byte[]> entries) {
    Map<String, byte[]> classes = new LinkedHashMap<>();
    for (Map.Entry<String, byte[]> e : entries.entrySet()) {
      String name = e.getKey();
      if (isClassEntry(name)) {
        classes.put(name.substring(0, name.length() - ".class".length()).replace('/', '.'), e.getValue());
      } else if (!List.of(METADATA, SOURCE, DIGESTS, JarFile.MANIFEST_NAME).contains(name)) {
        throw corrupt(file, "unexpected entry " + shown(name));
      }
    }
    return classes;
  }

  /** The error for an artifact that is damaged or inconsistent: {@code corrupt artifact: FILE: WHAT}. */
  static ArtifactException corrupt(Path file, String what) {
    return corrupt(file, what, null);
  }

  private static ArtifactException corrupt(Path file, String what, Throwable cause) {
    return new ArtifactException("corrupt artifact: " + file + ": " + what, cause);
  }

  /** A name or value as messages show it: clipped, so that a long one does not flood the terminal. */
  static String shown(String value) {
    return value.length() <= 80 ? value : value.substring(0, 77) + "...";
  }

  /** The jar entry of a class in {@link #PACKAGE}. */
  static String entryName(String className) {
    return className.replace('.', '/') + ".class";
  }

  private static boolean isClassEntry(String name) {
    String prefix = PACKAGE.replace('.', '/') + "/";
    return name.startsWith(prefix) && name.endsWith(".class") && name.indexOf('/', prefix.length()) < 0
        && name.length() > prefix.length() + ".class".length();
  }

  /** Every entry's bytes by name; an entry given twice (readers disagree on which one counts) is refused. */
  private static Map<String, byte[]> readEntries(Path file) {
    ZipFile zip;
    try {
      zip = new ZipFile(file.toFile());
    } catch (IOException e) {
      throw new ArtifactException(file + ": not a readable jar (" + oneLine(e) + ")", e);
    }
    Map<String, byte[]> entries = new TreeMap<>();
    long total = 0;
    try (zip) {
      for (Enumeration<? extends ZipEntry> all = zip.entries(); all.hasMoreElements(); ) {
        ZipEntry entry = all.nextElement();
        if (entries.containsKey(entry.getName())) {
          throw corrupt(file, "entry " + shown(entry.getName()) + " appears twice");
        }
        byte[] bytes;
        try (InputStream in = zip.getInputStream(entry)) {
          bytes = in.readNBytes((int) (MAX_BYTES - total) + 1);
        } catch (IOException | IllegalArgumentException e) {
          throw corrupt(file, "entry " + shown(entry.getName()) + " cannot be read (" + oneLine(e) + ")");
        }
        total += bytes.length;
        if (total > MAX_BYTES) {
          throw corrupt(file, "its entries hold more than " + (MAX_BYTES >> 20) + " MiB");
        }
        entries.put(entry.getName(), bytes);
      }
    } catch (IOException e) {
      throw new ArtifactException(file + ": not a readable jar (" + oneLine(e) + ")", e);
    }
    return entries;
  }

  private static void checkVersion(Path file, Properties properties) {
    String version = properties.getProperty(KEY_VERSION);
    String format = properties.getProperty(KEY_FORMAT);
    if (version == null || format == null) {
      throw corrupt(file, "the metadata lacks " + (version == null ? KEY_VERSION : KEY_FORMAT));
    }
    if (!version.equals(FlowcVersion.get())) {
      throw new ArtifactException(file + ": compiled by flowc " + version + ", but this is flowc "
          + FlowcVersion.get() + "; compile the model again with this version");
    }
    if (!format.equals(FORMAT)) {
      throw new ArtifactException(file + ": artifact format " + format + ", but this flowc reads format " + FORMAT
          + " only; compile the model again with this version");
    }
  }

  /** Checks that {@value #DIGESTS} lists every other entry, each with the SHA-256 it has. */
  private static void checkDigests(Path file, Map<String, byte[]> entries) {
    byte[] listing = entries.get(DIGESTS);
    if (listing == null) {
      throw corrupt(file, "no " + DIGESTS);
    }
    Map<String, String> recorded = new TreeMap<>();
    for (String line : new String(listing, StandardCharsets.UTF_8).split("\n")) {
      Matcher m = DIGEST_LINE.matcher(line);
      if (!m.matches() || m.group(2).equals(DIGESTS) || recorded.put(m.group(2), m.group(1)) != null) {
        throw corrupt(file, DIGESTS + " has a malformed or repeated line");
      }
    }
    for (Map.Entry<String, byte[]> e : entries.entrySet()) {
      if (e.getKey().equals(DIGESTS)) {
        continue;
      }
      String digest = recorded.get(e.getKey());
      if (digest == null) {
        throw corrupt(file, "entry " + shown(e.getKey()) + " is not among the entries recorded at compile time");
      }
      if (!digest.equals(sha256(e.getValue()))) {
        throw corrupt(file, "entry " + e.getKey() + " does not match the SHA-256 recorded at compile time");
      }
    }
    for (String name : recorded.keySet()) {
      if (!entries.containsKey(name)) {
        throw corrupt(file, "entry " + name + " is missing");
      }
    }
  }

  /** The {@value #DIGESTS} text for these entries (all but that one), sorted by name. */
  public static byte[] digests(Map<String, byte[]> entries) {
    StringBuilder out = new StringBuilder();
    new TreeMap<>(entries).forEach((name, bytes) -> out.append(sha256(bytes)).append("  ").append(name).append('\n'));
    return out.toString().getBytes(StandardCharsets.UTF_8);
  }

  /** Hex SHA-256. */
  public static String sha256(byte[] bytes) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java platform has SHA-256", e);
    }
  }

  /** A cause's message on one line, clipped: a verifier's message can dump a whole method. */
  private static String oneLine(Throwable e) {
    String m = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    m = m.replaceAll("\\s+", " ").strip();
    return m.length() <= 200 ? m : m.substring(0, 197) + "...";
  }

  public Path file() {
    return file;
  }

  public String modelName() {
    return metadata.modelName();
  }

  public String flowcVersion() {
    return metadata.properties().getProperty(KEY_VERSION);
  }

  public String sourceSha256() {
    return metadata.sourceSha256();
  }

  /** The model's source text. */
  public String source() {
    return source;
  }

  public int dimension() {
    return metadata.dimension();
  }

  /** Parameter element names in flat order: {@code z[0], z[1], s}. */
  public List<String> elementNames() {
    return metadata.layout().elementNames();
  }

  /** The model's data declarations, fixed sizes with their values and free ones by name (empty without data). */
  public DataLayout dataLayout() {
    return metadata.dataLayout();
  }

  /** The parameters' places in z. */
  public ParameterLayout layout() {
    return metadata.layout();
  }

  /** The number of {@code potential} contributions. */
  public long potentialTerms() {
    return metadata.potentialTerms();
  }

  /** The number of {@code logp} contributions. */
  public long logpTerms() {
    return metadata.logpTerms();
  }

  /**
   * The suffix of a formula's key under which its kernel for calls that run draw by draw is
   * described ({@code formula.0.drawbydraw.class}, {@code .cost}, {@code .below}): present where
   * the compiler lowers the formula differently for them (neural flows as loops).
   */
  public static final String DRAW_BY_DRAW = ".drawbydraw";

  /**
   * A formula's kernel for fits whose steps have fewer than {@code below} draws, which run its
   * body draw by draw, and its cost.
   */
  public record DrawByDraw(String className, StepCost cost, int below) {}

  /** The metadata key of the k-th compiled formula ({@code formula.0}); its class is under KEY.class. */
  public static String formulaKey(int k) {
    return "formula." + k;
  }

  /** The compiled flow formulas, normalized ({@code planar*8}), in the order they were given. */
  public List<String> formulas() {
    return metadata.formulas();
  }

  /** The flow kernel compiled for a formula (given normalized, as {@link #formulas()} lists it). */
  public FlowKernel flowKernel(String formula) {
    return flowKernel(formula, Integer.MAX_VALUE);
  }

  /**
   * As {@link #flowKernel(String)}, for a fit whose steps have {@code drawsPerCall} draws: the
   * kernel compiled for calls that run draw by draw where the artifact has one and the draws are
   * few enough.
   */
  public FlowKernel flowKernel(String formula, int drawsPerCall) {
    int k = formulas().indexOf(formula);
    if (k < 0) {
      throw new ArtifactException(file + ": has no compiled flow '" + formula + "' (it has: "
          + (formulas().isEmpty() ? "none" : String.join(", ", formulas())) + ")");
    }
    String className = className(k, drawsPerCall);
    // a fit follows, as after a flow compiled from source
    FunctionProfiles.warmUp();
    FlowKernel kernel = load(className, FlowKernel.class);
    if (kernel.dimension() != dimension()) {
      throw corrupt(file, className + " has dimension " + kernel.dimension() + ", the metadata says " + dimension());
    }
    return kernel;
  }

  /**
   * What the compiler counted of a formula's kernel (given as {@link #formulas()} lists it), from
   * which a fit splits its steps; {@link StepCost#UNKNOWN} if the artifact does not say.
   */
  public StepCost stepCost(String formula) {
    return stepCost(formula, Integer.MAX_VALUE);
  }

  /** As {@link #stepCost(String)}, of the kernel {@link #flowKernel(String, int)} loads for {@code drawsPerCall} draws. */
  public StepCost stepCost(String formula, int drawsPerCall) {
    int k = formulas().indexOf(formula);
    if (k < 0) {
      return StepCost.UNKNOWN;
    }
    Optional<DrawByDraw> drawByDraw = drawByDraw(k, drawsPerCall);
    return drawByDraw.isPresent() ? drawByDraw.get().cost() : metadata.formulaCosts().get(k);
  }

  /** The class {@link #flowKernel(String, int)} loads (a formula the artifact lacks: the formula itself, never a class name). */
  public String flowClassName(String formula, int drawsPerCall) {
    int k = formulas().indexOf(formula);
    return k < 0 ? formula : className(k, drawsPerCall);
  }

  private String className(int k, int drawsPerCall) {
    Optional<DrawByDraw> drawByDraw = drawByDraw(k, drawsPerCall);
    return drawByDraw.isPresent() ? drawByDraw.get().className() : metadata.formulaClasses().get(k);
  }

  private Optional<DrawByDraw> drawByDraw(int k, int drawsPerCall) {
    return metadata.formulaDrawByDraw().get(k).filter(d -> drawsPerCall < d.below());
  }

  /** The layout of the flow parameters of a formula compiled into this artifact (given as {@link #formulas()} lists it). */
  public FlowLayout flowLayout(String formula) {
    return FlowFormulas.layout(formula, dimension());
  }

  /** As {@link #flowKernel(String)}, checked against the layout of the flow the formula describes. */
  public FlowKernel flowKernel(String formula, FlowLayout layout) {
    return flowKernel(formula, layout, Integer.MAX_VALUE);
  }

  /** As {@link #flowKernel(String, int)}, checked against the layout of the flow the formula describes. */
  public FlowKernel flowKernel(String formula, FlowLayout layout, int drawsPerCall) {
    FlowKernel kernel = flowKernel(formula, drawsPerCall);
    if (kernel.parameterCount() != layout.parameterCount()) {
      throw corrupt(file, "the class compiled for flow '" + formula + "' has " + kernel.parameterCount()
          + " flow parameters, the flow has " + layout.parameterCount());
    }
    return kernel;
  }

  /** Any metadata value ({@code potential.terms}, {@code formulas}, ...), or null. */
  public String property(String key) {
    return metadata.properties().getProperty(key);
  }

  /** The generated log density, from the classes {@link #open} checked (parent loader: the runtime's). */
  public LogDensity logDensity() {
    LogDensity density = load(metadata.modelClass(), LogDensity.class);
    if (density.dimension() != dimension()) {
      throw corrupt(file, metadata.modelClass() + " has dimension " + density.dimension() + ", the metadata says "
          + dimension());
    }
    return density;
  }

  /**
   * The binding of this artifact's model to {@code values} (packed by {@link #dataLayout()}), with
   * its data prologue loaded.
   */
  public DataBinding bind(double[] values) {
    String prologue = metadata.dataPrologueClass();
    DataRegion region = metadata.dataRegion() != null ? metadata.dataRegion()
        : DataRegion.decode(String.valueOf(values.length + 1));
    LogDensity prologueDensity = prologue == null ? null : load(prologue, LogDensity.class);
    try {
      return new DataBinding(dataLayout(), values, prologueDensity, region);
    } catch (IllegalArgumentException e) {
      throw corrupt(file, KEY_DATA_RESERVED + " disagrees with " + KEY_DATA + " (" + oneLine(e) + ")");
    }
  }

  /** The derived quantities' element names ({@code derived NAME = EXPR;}), empty where the model has none. */
  public List<String> derivedNames() {
    return metadata.derivedNames();
  }

  /**
   * What a draw reports, on the data {@code binding} holds (null for a model without data): the
   * parameters' constrained values, then the derived quantities, computed by the artifact's code.
   * Its {@link Reported#layout()} constrains points where bounds are computed.
   */
  public Reported reported(DataBinding binding) {
    String className = metadata.reportedClass();
    if (className == null) {
      return Reported.of(layout());
    }
    LogDensity code = load(className, LogDensity.class);
    if (code.dimension() != dimension()) {
      throw corrupt(file, className + " has dimension " + code.dimension() + ", the metadata says " + dimension());
    }
    return Reported.compiled(layout(), derivedNames(), binding == null ? code : binding.bind(code));
  }

  private <T> T load(String className, Class<T> type) {
    try {
      Class<?> c = Class.forName(className, true, loader);
      if (!type.isAssignableFrom(c)) {
        throw corrupt(file, className + " is not a " + type.getSimpleName());
      }
      return type.cast(c.getDeclaredConstructor().newInstance());
    } catch (ReflectiveOperationException | LinkageError e) {
      throw corrupt(file, "cannot load " + className + " (" + oneLine(e) + ")", e);
    }
  }

  /** Defines the artifact's classes from the bytes {@link #open} checked, never from the file again. */
  private static final class EntryClassLoader extends ClassLoader {
    private final Map<String, byte[]> classes;

    EntryClassLoader(Map<String, byte[]> classes, ClassLoader parent) {
      super("flowc-artifact", parent);
      this.classes = Map.copyOf(classes);
    }

    @Override
    protected Class<?> findClass(String name) throws ClassNotFoundException {
      byte[] bytes = classes.get(name);
      if (bytes == null) {
        throw new ClassNotFoundException(name);
      }
      return defineClass(name, bytes, 0, bytes.length);
    }
  }
}
