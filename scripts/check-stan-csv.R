# Reads flowc's Stan CSV files with rstan and posterior and compares posterior's diagnostics with
# flowc's own (its `sample --json` line). Usage: Rscript check-stan-csv.R FLOWC.json CHAIN_1.csv ...
suppressPackageStartupMessages({
  library(rstan)
  library(posterior)
  library(jsonlite)
})

args <- commandArgs(trailingOnly = TRUE)
flowc <- fromJSON(args[1])
files <- args[-1]
cat(sprintf("model %s: %d chains, rstan %s, posterior %s\n", flowc$model, length(files),
            packageVersion("rstan"), packageVersion("posterior")))

fit <- read_stan_csv(files)
stopifnot(length(fit@sim$samples) == length(files), fit@sim$iter - fit@sim$warmup == flowc$draws)
sampler <- get_sampler_params(fit, inc_warmup = FALSE)
stopifnot(setequal(colnames(sampler[[1]]), c("accept_stat__", "stepsize__", "treedepth__",
                                               "n_leapfrog__", "divergent__", "energy__")))
stopifnot(sum(sapply(sampler, function(s) sum(s[, "divergent__"]))) == flowc$divergences)
adaptation <- get_adaptation_info(fit)
stopifnot(all(grepl("Step size", adaptation)), all(grepl("Diagonal elements of inverse mass matrix", adaptation)))
steps <- sapply(sampler, function(s) s[1, "stepsize__"])
stopifnot(isTRUE(all.equal(unname(steps), flowc$step_size)))
cat(sprintf("rstan::read_stan_csv: %s, %d draws per chain, %d divergences, step sizes %s\n",
            paste(fit@model_pars, collapse = ", "), nrow(sampler[[1]]), flowc$divergences,
            paste(signif(steps, 4), collapse = ", ")))

draws <- as_draws_df(as.array(fit))
# the same draws read without rstan: each file with its comment lines skipped
direct <- do.call(rbind, lapply(seq_along(files), function(c) {
  d <- read.csv(files[c], comment.char = "#")
  d$.chain <- c
  d$.iteration <- seq_len(nrow(d))
  d
}))
direct <- as_draws_df(direct)
cat(sprintf("posterior::as_draws_df: %d chains x %d draws, %d variables\n", nchains(draws), niterations(draws),
            nvariables(draws)))

summary <- summarise_draws(draws, "rhat", "ess_bulk", "ess_tail")
worst <- 0
cat(sprintf("%-16s %9s %9s %9s %9s %9s %9s\n", "element", "rhat", "flowc", "ess_bulk", "flowc", "ess_tail", "flowc"))
for (flowc_name in names(flowc$params)) {
  # flowc counts elements from 0 (theta[0]), Stan from 1 (theta.1, theta[1] once read)
  stan_name <- sub("\\[([0-9]+)\\]$", "", flowc_name)
  index <- regmatches(flowc_name, regexpr("[0-9]+(?=\\]$)", flowc_name, perl = TRUE))
  if (length(index) == 1) stan_name <- sprintf("%s[%d]", stan_name, as.integer(index) + 1)
  row <- summary[summary$variable == stan_name, ]
  stopifnot(nrow(row) == 1)
  column <- sub("\\[([0-9]+)\\]$", ".\\1", stan_name)
  stopifnot(isTRUE(all.equal(as.vector(draws[[stan_name]]), direct[[column]])))
  mine <- flowc$params[[flowc_name]]
  ratios <- c(row$rhat / mine$r_hat, row$ess_bulk / mine$ess_bulk, row$ess_tail / mine$ess_tail)
  worst <- max(worst, abs(ratios - 1))
  cat(sprintf("%-16s %9.4f %9.4f %9.1f %9.1f %9.1f %9.1f\n", stan_name, row$rhat, mine$r_hat, row$ess_bulk,
              mine$ess_bulk, row$ess_tail, mine$ess_tail))
}
cat(sprintf("largest relative difference of R-hat and ESS: %.3g %%\n", 100 * worst))
if (worst > 0.01) {
  stop("posterior's diagnostics differ from flowc's by more than 1 %")
}
cat("ok\n")
