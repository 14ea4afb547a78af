"""Demo training hours (`flask seed-demo`): filled in below."""
