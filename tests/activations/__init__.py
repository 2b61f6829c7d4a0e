"""OpInfo-style verification of the activation catalog against independent references."""
