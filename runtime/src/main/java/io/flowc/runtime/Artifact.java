package io.flowc.runtime;

import io.flowc.runtime.data.DataBinding;
import io.flowc.runtime.data.DataRegion;
import io.flowc.runtime.data.DataLayout;
import java.io.IOException;
import java.io.InputStream;
import java.net.MalformedURLException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Properties;
import java.util.jar.JarFile;
import java.util.zip.ZipEntry;

/**
 * A compiled model artifact: a jar holding a model's generated classes and its metadata, written
 * by {@code flowc compile} and loaded here with nothing but the runtime on the class path, so a
 * model compiled once can be refitted quickly and often.
 *
 * <p>Layout: {@value #METADATA} (the properties below), {@value #SOURCE} (the model's source text)
 * and the classes. An artifact is tied to the flowc version that wrote it: generated code calls
 * the runtime directly, and another version's runtime may differ.
 */
public final class Artifact {
  public static final String METADATA = "META-INF/flowc/model.properties";
  public static final String SOURCE = "META-INF/flowc/model.flow";
  /** The layout version of the metadata. */
  public static final String FORMAT = "1";

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

  private final Path file;
  private final Properties metadata;
  private final String source;
  private ClassLoader loader;

  private Artifact(Path file, Properties metadata, String source) {
    this.file = file;
    this.metadata = metadata;
    this.source = source;
  }

  /** Reads and checks an artifact's metadata; classes are loaded by {@link #logDensity()}. */
  public static Artifact open(Path file) {
    if (!Files.exists(file)) {
      throw new ArtifactException(file + ": no such file");
    }
    if (Files.isDirectory(file)) {
      throw new ArtifactException(file + ": is a directory, not an artifact jar");
    }
    Properties metadata = new Properties();
    String source;
    try (JarFile jar = new JarFile(file.toFile())) {
      ZipEntry entry = jar.getEntry(METADATA);
      if (entry == null) {
        throw new ArtifactException(file + ": not a flowc artifact (no " + METADATA + ")");
      }
      try (InputStream in = jar.getInputStream(entry)) {
        metadata.load(in);
      }
      ZipEntry sourceEntry = jar.getEntry(SOURCE);
      source = sourceEntry == null ? null : new String(jar.getInputStream(sourceEntry).readAllBytes(),
          java.nio.charset.StandardCharsets.UTF_8);
    } catch (IOException | IllegalArgumentException | SecurityException e) {
      throw new ArtifactException(file + ": not a readable jar (" + oneLine(e) + ")", e);
    }
    String version = metadata.getProperty(KEY_VERSION);
    if (version == null || !FORMAT.equals(metadata.getProperty(KEY_FORMAT))) {
      throw new ArtifactException(file + ": corrupt flowc artifact (metadata without format " + FORMAT + " or version)");
    }
    if (!version.equals(FlowcVersion.get())) {
      throw new ArtifactException(file + ": compiled by flowc " + version + ", but this is flowc "
          + FlowcVersion.get() + "; compile the model again with this version");
    }
    for (String key : List.of(KEY_MODEL, KEY_CLASS, KEY_SHA256, KEY_DIMENSION, KEY_ELEMENTS)) {
      if (metadata.getProperty(key) == null) {
        throw new ArtifactException(file + ": corrupt flowc artifact (metadata lacks " + key + ")");
      }
    }
    return new Artifact(file, metadata, source);
  }

  private static String oneLine(Exception e) {
    String m = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    return m.replace('\n', ' ').strip();
  }

  public Path file() {
    return file;
  }

  public String modelName() {
    return metadata.getProperty(KEY_MODEL);
  }

  public String flowcVersion() {
    return metadata.getProperty(KEY_VERSION);
  }

  public String sourceSha256() {
    return metadata.getProperty(KEY_SHA256);
  }

  /** The model's source text, if the artifact carries it. */
  public String source() {
    return source;
  }

  public int dimension() {
    return Integer.parseInt(metadata.getProperty(KEY_DIMENSION));
  }

  /** Parameter element names in flat order: {@code z[0], z[1], s}. */
  public List<String> elementNames() {
    String elements = metadata.getProperty(KEY_ELEMENTS);
    return elements.isEmpty() ? List.of() : Arrays.asList(elements.split(","));
  }

  /** The parameters' places in z. */
  /** The model's data declarations, fixed sizes with their values and free ones by name (empty without data). */
  public DataLayout dataLayout() {
    try {
      return DataLayout.decode(metadata.getProperty(KEY_DATA, ""));
    } catch (IllegalArgumentException e) {
      throw new ArtifactException(file + ": corrupt flowc artifact (bad data layout)", e);
    }
  }

  public ParameterLayout layout() {
    try {
      return ParameterLayout.decode(metadata.getProperty(KEY_PARAMS, ""));
    } catch (IllegalArgumentException e) {
      throw new ArtifactException(file + ": corrupt flowc artifact (bad parameter layout: " + e.getMessage() + ")", e);
    }
  }

  /** The metadata key of the k-th compiled formula ({@code formula.0}); its class is under KEY.class. */
  public static String formulaKey(int k) {
    return "formula." + k;
  }

  /** The compiled flow formulas, normalized ({@code planar*8}), in the order they were given. */
  public List<String> formulas() {
    String text = metadata.getProperty(KEY_FORMULAS, "");
    return text.isEmpty() ? List.of() : Arrays.asList(text.split(";"));
  }

  /** The flow kernel compiled for a formula (given normalized, as {@link #formulas()} lists it). */
  public io.flowc.runtime.flow.FlowKernel flowKernel(String formula) {
    int k = formulas().indexOf(formula);
    if (k < 0) {
      throw new ArtifactException(file + ": has no compiled flow '" + formula + "' (it has: "
          + (formulas().isEmpty() ? "none" : String.join(", ", formulas())) + ")");
    }
    io.flowc.runtime.flow.FlowKernel kernel = load(metadata.getProperty(formulaKey(k) + ".class"),
        io.flowc.runtime.flow.FlowKernel.class);
    if (kernel.dimension() != dimension()) {
      throw new ArtifactException(file + ": corrupt flowc artifact (flow and model disagree on the dimension)");
    }
    return kernel;
  }

  /** Any other metadata value ({@code potential.terms}, {@code formulas}, ...), or null. */
  public String property(String key) {
    return metadata.getProperty(key);
  }

  /** Loads the generated log density in a class loader of its own (parent: the runtime's). */
  public LogDensity logDensity() {
    LogDensity density = load(metadata.getProperty(KEY_CLASS), LogDensity.class);
    if (density.dimension() != dimension()) {
      throw new ArtifactException(file + ": corrupt flowc artifact (class and metadata disagree on the dimension)");
    }
    return density;
  }

  /**
   * The binding of this artifact's model to {@code values} (packed by {@link #dataLayout()}), with
   * its data prologue loaded.
   */
  public DataBinding bind(double[] values) {
    String prologue = metadata.getProperty(KEY_DATA_PROLOGUE);
    try {
      DataRegion region = DataRegion.decode(metadata.getProperty(KEY_DATA_RESERVED, String.valueOf(values.length + 1)));
      return new DataBinding(dataLayout(), values, prologue == null ? null : load(prologue, LogDensity.class), region);
    } catch (IllegalArgumentException e) {
      throw new ArtifactException(file + ": corrupt flowc artifact (bad data region)", e);
    }
  }

  private synchronized ClassLoader loader() throws MalformedURLException {
    if (loader == null) {
      loader = new URLClassLoader(new URL[] {file.toUri().toURL()}, Artifact.class.getClassLoader());
    }
    return loader;
  }

  private <T> T load(String className, Class<T> type) {
    if (className == null) {
      throw new ArtifactException(file + ": corrupt flowc artifact (a class is missing from the metadata)");
    }
    try {
      Class<?> c = Class.forName(className, true, loader());
      if (!type.isAssignableFrom(c)) {
        throw new ArtifactException(file + ": corrupt flowc artifact (" + className + " is not a " + type.getSimpleName() + ")");
      }
      return type.cast(c.getDeclaredConstructor().newInstance());
    } catch (MalformedURLException | ReflectiveOperationException | LinkageError e) {
      throw new ArtifactException(file + ": corrupt flowc artifact (cannot load " + className + ": "
          + oneLine(e instanceof Exception ex ? ex : new Exception(e.toString())) + ")", e);
    }
  }
}
