// earnings_standardized: examples/earnings_standardized.flow in Stan, earnings' posterior with the
// outcome and the predictor centered and scaled by values of the data (the flow file explains the
// map back). Flat priors.
data {
  int<lower=0> N;
  vector[N] earn;
  vector[N] height;
}
transformed data {
  real hm = mean(height);
  real hs = sqrt(mean(square(height - hm)));
  real em = mean(earn);
  real es = sqrt(mean(square(earn - em)));
  vector[N] h = (height - hm) / hs;
  vector[N] z = (earn - em) / es;
}
parameters {
  real alpha;
  real b;
  real<lower=0> s;
}
model {
  z ~ normal(alpha + b * h, s);
}
