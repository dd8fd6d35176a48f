"""Front-ends: parse source search spaces into the IR (`sweepbridge.distributions`)."""
