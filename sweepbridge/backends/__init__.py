"""Back-ends: emit targets (W&B sweep configs, hyperopt and Ray Tune spaces) from the IR."""
