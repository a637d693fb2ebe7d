"""ScoreTrail application layer: commands in, primitives out."""
