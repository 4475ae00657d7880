package io.flowc.generated;

import io.flowc.runtime.LogDensity;
import io.flowc.runtime.ParameterLayout;
import io.flowc.runtime.flow.FlowKernel;
import io.flowc.runtime.flow.FlowLayout;
import io.flowc.runtime.nfvi.Nfvi;
import java.util.List;
import java.util.function.Function;

/**
 * One model compiled at build time, seen only through its generated entry class (the static
 * methods are captured here so that tests can run over every model alike).
 */
record GeneratedModel(String name, int dimension, String sourceSha256, LogDensity model, ParameterLayout parameterLayout,
    List<String> elementNames, List<String> flows, Function<String, FlowKernel> flow,
    Function<String, FlowLayout> flowLayout, Function<String, Nfvi> nfvi) {

  @Override
  public String toString() {
    return name;
  }

  /** Every model of this module, one per {@code @FlowModel} type. */
  static List<GeneratedModel> all() {
    return List.of(
        new GeneratedModel(Flowc_Pot1.MODEL_NAME, Flowc_Pot1.DIMENSION, Flowc_Pot1.SOURCE_SHA256, Flowc_Pot1.model(),
            Flowc_Pot1.parameterLayout(), Flowc_Pot1.elementNames(), Flowc_Pot1.flows(), Flowc_Pot1::flow,
            Flowc_Pot1::flowLayout, Flowc_Pot1::nfvi),
        new GeneratedModel(Flowc_Pot2.MODEL_NAME, Flowc_Pot2.DIMENSION, Flowc_Pot2.SOURCE_SHA256, Flowc_Pot2.model(),
            Flowc_Pot2.parameterLayout(), Flowc_Pot2.elementNames(), Flowc_Pot2.flows(), Flowc_Pot2::flow,
            Flowc_Pot2::flowLayout, Flowc_Pot2::nfvi),
        new GeneratedModel(Flowc_Pot3.MODEL_NAME, Flowc_Pot3.DIMENSION, Flowc_Pot3.SOURCE_SHA256, Flowc_Pot3.model(),
            Flowc_Pot3.parameterLayout(), Flowc_Pot3.elementNames(), Flowc_Pot3.flows(), Flowc_Pot3::flow,
            Flowc_Pot3::flowLayout, Flowc_Pot3::nfvi),
        new GeneratedModel(Flowc_Pot4.MODEL_NAME, Flowc_Pot4.DIMENSION, Flowc_Pot4.SOURCE_SHA256, Flowc_Pot4.model(),
            Flowc_Pot4.parameterLayout(), Flowc_Pot4.elementNames(), Flowc_Pot4.flows(), Flowc_Pot4::flow,
            Flowc_Pot4::flowLayout, Flowc_Pot4::nfvi),
        new GeneratedModel(Flowc_Normal100.MODEL_NAME, Flowc_Normal100.DIMENSION, Flowc_Normal100.SOURCE_SHA256,
            Flowc_Normal100.model(), Flowc_Normal100.parameterLayout(), Flowc_Normal100.elementNames(),
            Flowc_Normal100.flows(), Flowc_Normal100::flow, Flowc_Normal100::flowLayout, Flowc_Normal100::nfvi),
        new GeneratedModel(Flowc_KitchenSink.MODEL_NAME, Flowc_KitchenSink.DIMENSION, Flowc_KitchenSink.SOURCE_SHA256,
            Flowc_KitchenSink.model(), Flowc_KitchenSink.parameterLayout(), Flowc_KitchenSink.elementNames(),
            Flowc_KitchenSink.flows(), Flowc_KitchenSink::flow, Flowc_KitchenSink::flowLayout, Flowc_KitchenSink::nfvi),
        new GeneratedModel(BananaModel.MODEL_NAME, BananaModel.DIMENSION, BananaModel.SOURCE_SHA256, BananaModel.model(),
            BananaModel.parameterLayout(), BananaModel.elementNames(), BananaModel.flows(), BananaModel::flow,
            BananaModel::flowLayout, BananaModel::nfvi),
        new GeneratedModel(Flowc_Funnel.MODEL_NAME, Flowc_Funnel.DIMENSION, Flowc_Funnel.SOURCE_SHA256,
            Flowc_Funnel.model(), Flowc_Funnel.parameterLayout(), Flowc_Funnel.elementNames(), Flowc_Funnel.flows(),
            Flowc_Funnel::flow, Flowc_Funnel::flowLayout, Flowc_Funnel::nfvi),
        new GeneratedModel(Flowc_Scales.MODEL_NAME, Flowc_Scales.DIMENSION, Flowc_Scales.SOURCE_SHA256,
            Flowc_Scales.model(), Flowc_Scales.parameterLayout(), Flowc_Scales.elementNames(), Flowc_Scales.flows(),
            Flowc_Scales::flow, Flowc_Scales::flowLayout, Flowc_Scales::nfvi),
        new GeneratedModel(Flowc_NormalScale.MODEL_NAME, Flowc_NormalScale.DIMENSION, Flowc_NormalScale.SOURCE_SHA256,
            Flowc_NormalScale.model(), Flowc_NormalScale.parameterLayout(), Flowc_NormalScale.elementNames(),
            Flowc_NormalScale.flows(), Flowc_NormalScale::flow, Flowc_NormalScale::flowLayout, Flowc_NormalScale::nfvi),
        new GeneratedModel(NeuralPot1.MODEL_NAME, NeuralPot1.DIMENSION, NeuralPot1.SOURCE_SHA256, NeuralPot1.model(),
            NeuralPot1.parameterLayout(), NeuralPot1.elementNames(), NeuralPot1.flows(), NeuralPot1::flow,
            NeuralPot1::flowLayout, NeuralPot1::nfvi));
  }
}
