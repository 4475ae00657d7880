// kidiq_standardized: examples/kidiq_standardized.flow in Stan, kidiq_interaction's posterior on
// the standardized scale (the flow file explains the map back). As in the flow file, the prior on
// es * s has no Jacobian term: es is a constant of the data.
data {
  int<lower=0> N;
  vector[N] kid_score;
  vector[N] mom_iq;
  vector[N] mom_hs;
}
transformed data {
  real m = mean(mom_iq);
  real sd_iq = sqrt(mean(square(mom_iq - m)));
  real em = mean(kid_score);
  real es = sqrt(mean(square(kid_score - em)));
  vector[N] q = (mom_iq - m) / sd_iq;
  vector[N] z = (kid_score - em) / es;
}
parameters {
  vector[4] a;
  real<lower=0> s;
}
model {
  target += cauchy_lpdf(es * s | 0, 2.5);
  z ~ normal(a[1] + a[2] * mom_hs + a[3] * q + a[4] * (mom_hs .* q), s);
}
