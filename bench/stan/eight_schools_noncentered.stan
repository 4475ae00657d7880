// eight_schools_noncentered: examples/eight_schools_noncentered.flow in Stan (posteriordb's
// eight_schools-eight_schools_noncentered; see README.md). theta is a local of the model block, so
// only the sampled parameters are saved, as flowc saves them.
data {
  int<lower=0> J;
  real y[J];
  real<lower=0> sigma[J];
}
parameters {
  vector[J] theta_trans;
  real mu;
  real<lower=0> tau;
}
model {
  vector[J] theta = mu + tau * theta_trans;
  theta_trans ~ normal(0, 1);
  mu ~ normal(0, 5);
  tau ~ cauchy(0, 5);
  y ~ normal(theta, sigma);
}
