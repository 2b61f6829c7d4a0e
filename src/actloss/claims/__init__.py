"""Claims: textbook statements about activations and losses, each put to an experiment.

``registry.CLAIMS`` lists them (statement, experiment, swept condition, metric, decision
rule, budgets); ``runner.run_claim`` trains through the lab, computes the effect with its
95% CI and the verdict; ``errata`` lists wrong printed formulas with a numeric check;
``atlas`` builds the atlas's "Claims" section. Needs the ``lab`` extra.
"""
