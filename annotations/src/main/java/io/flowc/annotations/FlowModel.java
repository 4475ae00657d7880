package io.flowc.annotations;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Compiles a flowc model at build time. flowc's annotation processor (in {@code flowc-compiler},
 * on the annotation-processor path only) reads the model and generates, in the annotated type's
 * package:
 *
 * <ul>
 *   <li>{@code Flowc_<Type>}: the entry point, with {@code model()} (the log density and its
 *       gradient), {@code flow(formula)} (the NFVI loss and sampling kernel of each formula),
 *       {@code flowLayout(formula)}, {@code nfvi(formula)}, {@code parameterLayout()} and
 *       {@code elementNames()};
 *   <li>{@code Flowc_<Type>_Model}: the log density;
 *   <li>{@code Flowc_<Type>_Flow0}, {@code _Flow1}, ...: one kernel per formula, in the order of
 *       {@link #flows()}.
 * </ul>
 *
 * <p>The generated classes need only {@code flowc-runtime} at run time. Errors in the model or a
 * formula are compile errors on the annotated type that cite the model's own line and column.
 *
 * <pre>
 * &#64;FlowModel(source = "models/pot1.flow", flows = {"planar*8", "scale-hh*2-loc"})
 * interface Pot1 {}
 *
 * Nfvi nfvi = Flowc_Pot1.nfvi("planar*8");
 * </pre>
 */
@Documented
@Target(ElementType.TYPE)
// Class retention: the processor only needs the annotation at compile time, and tools that read
// class files (incremental builds) can still see which types are models.
@Retention(RetentionPolicy.CLASS)
public @interface FlowModel {
  /**
   * The model file, as a class-path resource name relative to a root ({@code models/pot1.flow};
   * a leading '/' is allowed). The processor looks for it, in this order, on the source path, on
   * the class path, and in the class output directory. In a Maven build, put it under
   * {@code src/main/resources} (copied to {@code target/classes} before compilation) or next to
   * the Java sources under {@code src/main/java}. Exactly one of {@code source} and {@link #code()}
   * must be given.
   */
  String source() default "";

  /** The model's text itself, in place of {@link #source()} (a text block reads best). */
  String code() default "";

  /**
   * Flow formulas to compile an NFVI kernel for, as PyMC3 writes them: {@code "planar*8"},
   * {@code "scale-hh*100-loc"}, {@code "radial*4-loc"}.
   */
  String[] flows() default {};

  /**
   * For a model with {@code data} declarations: data in Stan's JSON format, a resource found like
   * {@link #source()}. Sizes are taken from it at build time; the values are bound at run time
   * ({@code model(DataSet)}, {@code nfvi(formula, DataSet)} of the entry class, with data of those
   * sizes).
   */
  String data() default "";

  /**
   * The simple name of the generated entry class; by default {@code Flowc_} followed by the
   * annotated type's simple name (and its enclosing types', joined by '_').
   */
  String name() default "";
}
